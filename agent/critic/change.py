"""A change asked for must not be answered with a level.

"By how much did the company increase its credit facility?" answered with the facility's new size
cites a real figure, so grounding accepts it. When the plan says the question asks the size of a
change (:attr:`QuestionPlan.asks_change`), a sentence whose figures the cited passages print as an
amount of something ("increased the commitment from $3.8 billion *to $4.2 billion*", "entered into
*a new* $4.2 billion agreement", "9 percent (*previously* 8 percent)") and never as the change
itself ("increased *by* $400 million", "an increase *of* 1 point") is sent back. The feedback names
the amounts the passages print, so the redraft can give their difference with CALC, which the
critic checks. Figures printed neither way (a table cell) are not judged here.

A change asked in percentage points is the difference of two percentages, not their relative
change (:func:`relative_change`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from agent.critic.numbers import NumberMention, extract_numbers, is_grounded
from agent.critic.total import sentences
from agent.finance.labels import stems
from agent.schemas import Claim

_QUALIFIER = r"(?:approximately|about|roughly|nearly|almost|an?|the|a\s+total\s+of)\s+"
# The words printed just before a figure that make it an amount of something, such as a level
# before or after a change: "to $4.2 billion", "from 6 percent", "previously 8 percent", "up to
# $4.9 billion", "a new $4.2 billion agreement", "compared with $3.1 billion".
_LEVEL_BEFORE = re.compile(
    rf"(?:\b(?:to|from|previously|versus|vs\.?|compared\s+(?:with|to)|up\s+to)\s+(?:{_QUALIFIER})*"
    r"|\b(?:the|an?|new|its|our|their|existing)\s+)[(\s]*$",
    re.I,
)
# "9 percent (previously 8 percent)", "9 percent core EPS growth (previously 8 percent)": the new level.
_LEVEL_AFTER = re.compile(r"^[^\d().;]{0,60}?\(\s*previously\b", re.I)
_CHANGE_WORDS = (
    r"increase|decrease|rise|gain|growth|reduction|decline|drop|change|raise|cut|expansion|improvement"
)
# ... and the words that make it the change itself: "by $400 million", "an increase of 1 point",
# "rose 5 percent", "a $400 million increase", "2 percentage points higher".
_CHANGE_BEFORE = re.compile(
    rf"(?:\bby|\b(?:{_CHANGE_WORDS})s?\s+of|\b(?:increased|decreased|rose|grew|fell|declined|dropped|"
    rf"gained|climbed|improved|up|down)(?:\s+by)?|\b(?:an?\s+)?(?:additional|incremental|further|extra))\s+"
    rf"(?:{_QUALIFIER})*$",
    re.I,
)
_CHANGE_AFTER = re.compile(
    rf"^\s*(?:percentage[- ]points?\s+|points?\s+|basis[- ]points?\s+)?(?:{_CHANGE_WORDS}|higher|lower|more|"
    r"less)\b",
    re.I,
)
_CONTEXT = 60


def _role(mention: NumberMention, at: int, sentence: str) -> str:
    """How ``sentence`` prints the mention found at ``at``: "change", "level" or "other"."""
    before = sentence[max(0, at - _CONTEXT) : at]
    after = sentence[at + len(mention.raw) : at + len(mention.raw) + _CONTEXT]
    if _LEVEL_AFTER.search(after):
        return "level"
    if _CHANGE_BEFORE.search(before) or _CHANGE_AFTER.search(after):
        return "change"
    return "level" if _LEVEL_BEFORE.search(before) else "other"


def _printed(sentence: str) -> list[tuple[NumberMention, str]]:
    """Each amount of ``sentence`` with its role."""
    out, start = [], 0
    for mention in extract_numbers(sentence):
        at = sentence.find(mention.raw, start)
        if at < 0:
            continue
        start = at + len(mention.raw)
        out.append((mention, _role(mention, at, sentence)))
    return out


def _roles(figure: NumberMention, sentence: str) -> set[str]:
    """The roles ``sentence`` prints ``figure`` in."""
    return {role for mention, role in _printed(sentence) if is_grounded(figure, [mention.raw])}


def _levels(texts: Sequence[str], figure: NumberMention) -> list[str]:
    """Up to four amounts of the figure's kind (currency, percent, plain) the texts print as levels."""
    kind = (figure.is_percent, figure.is_currency)
    found: dict[float, str] = {}
    for text in texts:
        for s in sentences(text):
            for mention, role in _printed(s):
                if role == "level" and (mention.is_percent, mention.is_currency) == kind:
                    found.setdefault(mention.magnitude, mention.raw)
    return list(found.values())[:4]


def hold_to_change(claims: Sequence[Claim], passages: Mapping[str, str]) -> None:
    """Send back (in place) a sentence that gives a level where the question asks a change."""
    for claim in claims:
        figures = extract_numbers(claim.text)
        if claim.verdict != "supported" or not figures:
            continue
        printing: list[tuple[NumberMention, str]] = [
            (figure, s)
            for figure in figures
            for cid in claim.chunk_ids
            if cid in passages
            for s in sentences(passages[cid])
            if is_grounded(figure, [s])
        ]
        roles = set().union(*(_roles(figure, s) for figure, s in printing))
        # Held only where the figure is printed as an amount of something and never as a change.
        if "level" not in roles or "change" in roles:
            continue
        figure = printing[0][0]
        levels = _levels([passages[cid] for cid in claim.chunk_ids if cid in passages], figure)
        hint = (
            f"the passages print {', '.join(levels)} as amounts; give the change they state, or "
            "CALC(after - before) over the amounts before and after"
            if len(levels) >= 2
            else "give the change the passages state, or CALC(after - before) over the amounts before and after"
        )
        claim.verdict = "unsupported"
        claim.reason = (
            f"the question asks by how much it changed; {figure.raw} is printed as an amount before or "
            f"after the change, not the change: {hint}"
        )


# "(9 - 8) / 8 * 100": a relative change, the divisor being the amount subtracted.
_RELATIVE = re.compile(r"\(\s*(?P<a>[\d.,]+)\s*-\s*(?P<b>[\d.,]+)\s*\)\s*/\s*\(?\s*(?P=b)(?![\d.,])")


def relative_change(expression: str) -> str:
    """A reason when a CALC gives the relative change of two figures where the question asks the
    change in percentage points: the difference of the two percentages."""
    m = _RELATIVE.search(expression)
    if m is None:
        return ""
    return (
        f"the question asks a change in percentage points: the difference of the two percentages, "
        f"CALC({m.group('a')} - {m.group('b')}), not their relative change CALC({expression})"
    )


class PrintedChange(NamedTuple):
    """One change a sentence prints as a pair of amounts: "... EPS to increase 9 percent
    (previously 8 percent)", "... rose from $3.1 billion to $3.4 billion", "... to 12% from 10%"."""

    subject: str  # the words of the clause before the pair: what changed
    before: NumberMention
    after: NumberMention
    sentence: str


_FIG = r"\$?\s?\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|(?:thousand|million|billion|trillion)\b)?"
_PAIRS = (
    # "9 percent (previously 8 percent)"
    re.compile(rf"(?P<after>{_FIG})[^()\d;.]{{0,40}}?\(\s*previously\s+(?P<before>{_FIG})\s*\)", re.I),
    # "from $3.1 billion to $3.4 billion"
    re.compile(rf"\bfrom\s+(?P<before>{_FIG})\s+to\s+(?P<after>{_FIG})", re.I),
    # "to 12 percent from 10 percent"
    re.compile(rf"\bto\s+(?P<after>{_FIG})\s+from\s+(?P<before>{_FIG})", re.I),
)
# Where the clause naming what changed begins: the sentence's start, a comma, "and", "while".
_CLAUSE = re.compile(r"[,;:]|\b(?:and|while|whereas|but)\b", re.I)


def _one_number(text: str) -> NumberMention | None:
    found = extract_numbers(text, skip_years=False)
    return found[0] if len(found) == 1 else None


def printed_changes(text: str) -> list[PrintedChange]:
    """Every change ``text`` prints as a before/after pair of like amounts (both percentages, or
    both amounts of money), with the clause words naming what changed."""
    out: list[PrintedChange] = []
    for s in sentences(text):
        for pattern in _PAIRS:
            for m in pattern.finditer(s):
                before, after = _one_number(m.group("before")), _one_number(m.group("after"))
                if before is None or after is None or before.magnitude == after.magnitude:
                    continue
                # Two percentages or two amounts of money; bare numbers are often years or dates
                # ("from 2021 to 2022").
                if not (
                    (before.is_percent and after.is_percent) or (before.is_currency and after.is_currency)
                ):
                    continue
                head = s[: m.start()]
                cuts = [c.end() for c in _CLAUSE.finditer(head)]
                subject = head[cuts[-1] if cuts else 0 :].strip()
                out.append(PrintedChange(subject, before, after, s))
    return out


# Words of a question or clause that say it changed, not what changed.
_CHANGE_STEMS = stems(
    "increase increased decrease decreased rise rose raise raised grow grew growth change changed decline "
    "declined drop dropped cut reduce reduced expand expanded improve improved fall fell much many "
    "percentage percent points basis expect expects expected now"
)


# "terminated the $3.8 billion five year credit agreement" ... "entered into a new $4.2 billion five
# year credit agreement": the old and the new amount of one thing, named the same way after each.
_AMOUNT_OF = re.compile(
    r"\b(?P<mark>new|terminat(?:ed|es|ing)|replac(?:ed|es|ing)|existing|prior|previous|former)\s+"
    r"(?:(?:the|its|our|their|a|an)\s+)?(?P<fig>\$\s?\d[\d,]*(?:\.\d+)?(?:\s(?:million|billion|trillion)\b)?)\s+"
    r"(?P<what>[A-Za-z0-9][A-Za-z0-9 -]{4,80}?)(?=\s*[(,.;“\"]|\s+(?:dated|among|with|that|which|and|under)\b)",
    re.I,
)


def replaced_changes(passages: Sequence[tuple[str, str]]) -> list[tuple[PrintedChange, list[str]]]:
    """Changes the passages (alias, text) of one filing print as a new amount of a thing and the
    amount of the one it replaced or ended, each with the aliases of the passages printing them:
    exactly one new and one old amount under the same name."""
    named: dict[str, list[tuple[bool, NumberMention, str, str]]] = {}
    for alias, text in passages:
        for m in _AMOUNT_OF.finditer(text):
            figure = _one_number(m.group("fig"))
            if figure is not None and figure.is_currency:
                what = " ".join(m.group("what").lower().split())
                new = m.group("mark").lower() == "new"
                named.setdefault(what, []).append((new, figure, alias, m.group(0)))
    out = []
    for what, mentions in named.items():
        new = {f.magnitude: (f, a, t) for is_new, f, a, t in mentions if is_new}
        old = {f.magnitude: (f, a, t) for is_new, f, a, t in mentions if not is_new}
        if len(new) == 1 and len(old) == 1:
            after, a_alias, a_text = next(iter(new.values()))
            before, b_alias, b_text = next(iter(old.values()))
            if after.magnitude != before.magnitude:
                change = PrintedChange(what, before, after, f"{b_text} ... {a_text}")
                out.append((change, list(dict.fromkeys([b_alias, a_alias]))))
    return out


def asked_change(
    question: str, skip: set[str], passages: Sequence[tuple[str, str]], filings: Sequence[Sequence[str]] = ()
) -> tuple[PrintedChange, list[str]] | None:
    """(change, aliases) of the one change the passages (alias, text) print whose clause names what
    the question asks: at least two of its words (all, when it names fewer), more than any other
    change printed with other amounts. ``filings``: the aliases of each filing's passages, in
    which a new amount and the one it replaced are paired (:func:`replaced_changes`). ``skip``:
    stems that name no item (the company's name)."""
    asked = stems(question) - _CHANGE_STEMS - skip
    found = [(change, [alias]) for alias, text in passages for change in printed_changes(text)]
    texts = dict(passages)
    for aliases in filings:
        found += replaced_changes([(a, texts[a]) for a in aliases if a in texts])
    scored: list[tuple[int, PrintedChange, list[str]]] = []
    for change, cited in found:
        named = stems(change.subject) - _CHANGE_STEMS - skip
        overlap = len(asked & named)
        if overlap >= max(1, min(2, len(named))):
            scored.append((overlap, change, cited))
    if not scored:
        return None
    best = max(score for score, _, _ in scored)
    top = [(c, a) for score, c, a in scored if score == best]
    values = {(c.before.magnitude, c.after.magnitude) for c, _ in top}
    return top[0] if len(values) == 1 else None
