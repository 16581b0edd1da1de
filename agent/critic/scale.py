"""The scale of a figure: "$81,797" copied from a table "(in millions)" is $81,797 million.

A drafted amount without a scale word is grounded by the table's cell, so the numeric check alone
passes it, yet the reader takes it for $81,797. An amount is a figure written as currency, or one
printed on a row of a line item of the vocabulary ("Total net sales 81,797"). When every passage
that prints it is a table stating one scale (thousands, millions, billions) and the row is not a
per-share, share-count or ratio row, the sentence must say the scale. :func:`add_scales` writes it in (no model call: the
scale is read off the table, not guessed); :func:`missing_scale` is the critic's check for what is
left (a figure the repair could not place), reported as an error with the scaled figure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.critic.calc import CALC_PATTERN
from agent.critic.claims import split_sentences
from agent.critic.numbers import NumberMention, extract_numbers, supporting_lines, table_scales
from agent.finance.derived import ITEMS, normalise_label
from agent.finance.tables import data_row

SCALE_NAMES = {1e3: "thousand", 1e6: "million", 1e9: "billion"}
_CURRENCY_GAP = re.compile(r"([$€£¥])\s+(?=\d)")
# Rows whose figures are not scaled by the table's header ("except per share data", share counts).
_UNSCALED_ROW = re.compile(
    r"\bper\b|\bshares?\b|\beps\b|\bbasic\b|\bdiluted\b|%|\bpercent|\bratio\b|\bdays\b", re.I
)


def needed_scale(figure: NumberMention, sources: Sequence[str]) -> float | None:
    """The scale ``figure`` must state, or None when it needs none (it has one, it is not an
    amount, a passage prints it as it stands, or the passages disagree)."""
    if figure.has_scale or figure.is_percent:
        return None
    found: set[float] = set()
    for text in sources:
        lines = supporting_lines(figure, [text])
        if not lines:
            continue
        scales = set(table_scales(text))
        if len(scales) != 1 or any(_UNSCALED_ROW.search(line) for line in lines):
            return None  # printed without a scale (prose, an unscaled table) or a per-share row
        # An amount: written as currency, or printed on a line-item row ("Total net sales 81,797").
        if not figure.is_currency and not all(_line_item_row(line) for line in lines):
            return None
        found |= scales
    return found.pop() if len(found) == 1 else None


def _line_item_row(line: str) -> bool:
    row = data_row(line)
    label = normalise_label(row[0]) if row else ""
    return bool(label) and any(item.rows.fullmatch(label) for item in ITEMS.values())


def missing_scale(sentence: str, sources: Sequence[str]) -> str:
    """A reason when an amount in ``sentence`` lacks the scale its table states, else ''."""
    for figure in extract_numbers(CALC_PATTERN.sub(" ", sentence)):
        scale = needed_scale(figure, sources)
        if scale in SCALE_NAMES:
            return (
                f"{figure.raw} lacks its scale: the table states figures in {SCALE_NAMES[scale]}s, "
                f"so write {figure.raw} {SCALE_NAMES[scale]}"
            )
    return ""


def add_scales(sentence: str, sources: Sequence[str]) -> tuple[str, list[str]]:
    """``sentence`` with the table's scale written after each unscaled amount that needs one, and
    what was added ("$81,797 -> $81,797 million")."""
    notes: list[str] = []
    plain = CALC_PATTERN.sub(" ", sentence)
    for figure in extract_numbers(plain):
        scale = needed_scale(figure, sources)
        if scale not in SCALE_NAMES or sentence.count(figure.raw) != 1:
            continue
        # "$ 81,797" as a table prints it reads "$81,797 million" in a sentence.
        tidy = _CURRENCY_GAP.sub(r"\1", figure.raw)
        scaled = f"{tidy} {SCALE_NAMES[scale]}"
        sentence = sentence.replace(figure.raw, scaled, 1)
        notes.append(f"{figure.raw} -> {scaled}")
    return sentence, notes


def scale_draft(draft: str, aliases: dict[str, str], texts: dict[str, str]) -> tuple[str, list[str]]:
    """:func:`add_scales` on every sentence of ``draft`` against the passages it cites
    (``aliases``: [cN] -> chunk id; ``texts``: chunk id -> passage text)."""
    notes: list[str] = []
    for sentence in split_sentences(draft):
        sources = [texts[cid] for a in sentence.aliases if (cid := aliases.get(a)) in texts]
        if not sources or sentence.text not in draft:
            continue
        scaled, added = add_scales(sentence.text, sources)
        if added:
            draft = draft.replace(sentence.text, scaled, 1)
            notes += added
    return draft, notes
