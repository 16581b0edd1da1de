"""Derived figures that cannot be what the sentence calls them.

A calculation can use cited operands and still be nonsense: a margin of 340 % (operands swapped),
a share of revenue above 100 % (a segment divided by a smaller one), growth of 25,000 % (a
percentage multiplied by 100 twice). These bounds hold for any company and any wording that names
the metric, so a draft that states such a figure goes back to the drafter with the reason.
"""

from __future__ import annotations

import re

from agent.critic.calc import CALC_PATTERN, evaluate

MAX_MARGIN = 100.0  # a margin is a part of revenue: beyond ±100 % it is not a margin
MAX_GROWTH = 1000.0  # a tenfold change or more is almost always a wrong operand or scale
_PERCENT_AFTER = re.compile(r"^\s*(?:%|percent\b|per\s+cent\b)", re.I)
_TIMES_100 = re.compile(r"\*\s*100(?:\.0+)?\s*$|^\s*100(?:\.0+)?\s*\*")
_MARGIN = re.compile(r"\bmargins?\b", re.I)
_SHARE = re.compile(
    r"\b(?:share|portion|proportion|percentage|percent)\s+of\b|\bas\s+a\s+(?:share|percentage|percent)\s+of\b|"
    r"\b(?:accounted|accounting)\s+for\b|%\s+of\s+(?:total\s+|net\s+)*(?:revenues?|sales)\b",
    re.I,
)
_GROWTH = re.compile(
    r"\b(?:grow(?:th|n)?|grew|increase[ds]?|decrease[ds]?|decline[ds]?|change[ds]?|rose|fell|drop(?:ped)?)\b",
    re.I,
)


def _as_percent(sentence: str, match: re.Match[str], result: float) -> float | None:
    """The calculation's result as a percentage, when the sentence states it as one."""
    if _PERCENT_AFTER.match(sentence[match.end() :]):
        expression = match.group(1)
        return result if _TIMES_100.search(expression) or abs(result) > 1 else result * 100
    return None


_STATED_PERCENT = re.compile(r"(?<![\d.,])(-?\d[\d,]*(?:\.\d+)?)\s*(?:%|percent\b)", re.I)


def _percentages(sentence: str) -> list[float]:
    """Every percentage the sentence states: our calculations' results and figures copied as such."""
    found = []
    for match in CALC_PATTERN.finditer(sentence):
        calc = evaluate(match.group(1))
        percent = _as_percent(sentence, match, calc.result) if calc.result is not None else None
        if percent is not None:
            found.append(percent)
    plain = CALC_PATTERN.sub(" ", sentence)
    found += [float(m.group(1).replace(",", "")) for m in _STATED_PERCENT.finditer(plain)]
    return found


def implausible(sentence: str) -> str:
    """Why a percentage in ``sentence`` (computed or copied) cannot be the metric the sentence
    names, or ''."""
    for percent in _percentages(sentence):
        shown = f"{percent:,.1f}%"
        if _SHARE.search(sentence) and not 0 <= percent <= 100:
            return f"a share of a total cannot be {shown}: check which figure is the part and which the whole"
        if _MARGIN.search(sentence) and abs(percent) > MAX_MARGIN:
            return (
                f"a margin of {shown} is outside ±{MAX_MARGIN:.0f}%: check the operands (profit over revenue)"
            )
        if _GROWTH.search(sentence) and abs(percent) > MAX_GROWTH:
            return f"a change of {shown} is beyond ±{MAX_GROWTH:,.0f}%: check the operands and their scale"
    return ""
