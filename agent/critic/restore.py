"""Reading a drafted result back as the calculation it came from.

The drafter is shown our own calculations ("[c1][c2] revenue growth, 2019 to 2020 =
CALC((4,713,500 - 4,714,626) / 4,714,626 * 100)% (from ...)") and asked to copy them, CALC
included. A small model often writes the result instead ("grew 101.5%"). That figure is printed in
no passage, so the critic would reject it, although it is exactly our recomputation of cited
numbers. Before checking, such a figure is put back as the ``CALC(...)`` it equals (to the digits
written), with the calculation's passage ids, so it gets the usual calculation checks: operands
grounded in the cited passages and on rows the sentence names. A figure that any passage prints, or
that no listed calculation gives, is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agent.critic.calc import CALC_PATTERN, evaluate
from agent.critic.numbers import extract_numbers, is_grounded

# A figure-list line holding a calculation: "[c1][c2] <label> = CALC(<expr>)% (from ...)".
_DERIVED_LINE = re.compile(r"^\s*((?:\[c\d+\])+)\s(.*?)\s*=\s*(CALC\s*\(.*)$", re.I)
_WRITTEN = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True)
class DerivedCalc:
    """One calculation the drafter was shown: its passage ids, expression and whether it is a %."""

    aliases: tuple[str, ...]
    expression: str
    percent: bool
    result: float
    label: str  # "operating income growth, 2015 to 2016"

    def sentence(self) -> str:
        """The calculation as a draft sentence, cited to its passages."""
        cites = "".join(f"[{a}]" for a in self.aliases)
        return f"The {self.label} is CALC({self.expression}){'%' if self.percent else ''} {cites}."


def parse_derived(lines: Sequence[str]) -> list[DerivedCalc]:
    """The calculations among the figure-list lines (other lines are copied figures)."""
    out = []
    for line in lines:
        m = _DERIVED_LINE.match(line)
        calc = CALC_PATTERN.match(m.group(3)) if m else None
        if m is None or calc is None:
            continue
        value = evaluate(calc.group(1)).result
        if value is None:
            continue
        percent = m.group(3)[calc.end() :].lstrip().startswith("%")
        aliases = tuple(re.findall(r"c\d+", m.group(1)))
        out.append(DerivedCalc(aliases, calc.group(1), percent, value, m.group(2).strip()))
    return out


def _equals(written: str, result: float) -> bool:
    """The written figure ("101.5", "1,832") is the result rounded to the digits shown."""
    digits = written.replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return abs(abs(result) - float(digits)) <= 0.5 * 10**-decimals + 1e-9


def restore_calculations(
    draft: str, derived: Sequence[DerivedCalc], texts: Sequence[str]
) -> tuple[str, list[str]]:
    """``draft`` with each figure that equals a listed calculation (and that no passage in
    ``texts`` prints) replaced by that ``CALC(...)`` and its passage ids; and a note per figure."""
    if not derived:
        return draft, []
    notes: list[str] = []
    calc_spans = [m.span() for m in CALC_PATTERN.finditer(draft)]
    edits: list[tuple[int, int, str]] = []
    sources = list(texts)
    for mention in extract_numbers(draft):
        if is_grounded(mention, sources):
            continue
        digits = _WRITTEN.search(mention.raw)
        if digits is None:
            continue
        # Compared as written: "$1,832 million" is the 1,832 of a table in millions.
        match = next(
            (d for d in derived if d.percent == mention.is_percent and _equals(digits.group(0), d.result)),
            None,
        )
        before, after = mention.raw[: digits.start()], mention.raw[digits.end() :]
        if match is None or (match.result < 0 and before.rstrip().endswith(("-", "("))):
            continue
        start = _locate(draft, mention.raw, edits, calc_spans)
        if start < 0:
            continue
        cites = "".join(f"[{a}]" for a in match.aliases)
        # Only the digits become the calculation: "$", "%" and "million" stay as written.
        edits.append((start, start + len(mention.raw), f"{before}CALC({match.expression}){after} {cites}"))
        notes.append(f"critic: {mention.raw.strip()} read as the listed CALC({match.expression})")
    for start, end, new in sorted(edits, reverse=True):
        draft = draft[:start] + new + draft[end:]
    return draft, notes


def _locate(text: str, raw: str, taken: list[tuple[int, int, str]], calc_spans: list[tuple[int, int]]) -> int:
    """Where ``raw`` stands in ``text`` outside any CALC(...) and not already replaced; -1 if nowhere."""
    start = text.find(raw)
    while start >= 0:
        end = start + len(raw)
        inside = any(a <= start < b for a, b in calc_spans) or any(a < end and start < b for a, b, _ in taken)
        if not inside:
            return start
        start = text.find(raw, start + 1)
    return -1
