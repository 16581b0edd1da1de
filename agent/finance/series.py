"""How one figure moved across the reported periods, by our code: "How has revenue changed over
time?", "How have inventory levels changed during these quarters?", "How does R&D spending in the
latest quarter compare with prior quarters?".

The plan names one line item or metric and asks about every period (``QuestionPlan.over_periods``).
The periods are those of the company's filings in scope: each quarterly report's own quarter, each
annual report's own year, never a mix of the two (a three-month figure beside a twelve-month one
is no series). Each level is calculated from the stored facts exactly as a figure question's
(:func:`agent.finance.calculate.calculate`), so a row the question names more precisely than the
item ("Services" revenue) leaves that period without a figure rather than with the total's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any, Literal, NamedTuple

from agent.finance.calculate import calculate
from agent.finance.derived import asked_metric
from agent.finance.periods import parse_date
from agent.finance.select import Dated
from agent.finance.vocabulary import ITEMS
from agent.schemas import Calculation, Fact, QuestionPlan, Series

_ANNUAL_FORMS = {"10-K", "10-K/A", "20-F", "40-F"}
_QUARTERLY = re.compile(r"\bquarter(?:s|ly)?\b|\b10-?qs?\b", re.I)
_ANNUAL = re.compile(r"\b(?:years?|annual(?:ly)?|fiscal\s+years?|10-?ks?)\b", re.I)


def _periods(
    plan: QuestionPlan, question: str, filings: Mapping[str, Any]
) -> list[tuple[int, int | None, str]]:
    """(fiscal year, quarter or None, period end) of every scoped filing's own period, oldest first:
    the quarterly reports' quarters or the annual reports' years, whichever the question asks for
    (else whichever the scope holds more of)."""
    quarterly: dict[tuple[int, int], str] = {}
    annual: dict[int, str] = {}
    for filing in filings.values():
        year, quarter = filing.fiscal_year, filing.fiscal_quarter
        if year is None or (plan.fiscal_years and year not in plan.fiscal_years):
            continue
        if getattr(filing, "form_type", None) in _ANNUAL_FORMS:
            if not plan.quarters:
                annual[year] = filing.period_end or ""
        elif quarter is not None and (not plan.quarters or quarter in plan.quarters):
            quarterly[(year, quarter)] = filing.period_end or ""
    asks_quarters, asks_years = bool(_QUARTERLY.search(question)), bool(_ANNUAL.search(question))
    use_quarters = asks_quarters if asks_quarters != asks_years else len(quarterly) >= len(annual)
    points: list[tuple[int, int | None, str]]
    if use_quarters:
        points = [(y, q, end) for (y, q), end in quarterly.items()]
    else:
        points = [(y, None, end) for y, end in annual.items()]
    return sorted(points, key=lambda p: (p[2], p[0], p[1] or 0))


def _fiscal(year: int, quarter: int | None) -> str:
    return f"FY{year}{f' Q{quarter}' if quarter else ''}"


def period_words(calc: Calculation, facts: Mapping[str, Fact], year: int, quarter: int | None) -> str:
    """The period of a level as the answer states it: by the dates the filing prints ('the three
    months ended July 1, 2023'), which every reader agrees on; a fiscal label ('FY2023 Q3') only
    when the fact carries no date (filers number their quarters differently)."""
    fact = facts.get(calc.operands[-1].fact_id) if calc.operands else None
    end = parse_date(fact.period.end) if fact is not None else None
    if fact is None or end is None:
        return _fiscal(year, quarter)
    months = fact.period.months if fact.period.kind == "duration" else None
    return f"the {Dated(end, months).words()}" if months else Dated(end, None).words()


def percent_change(first: Calculation, last: Calculation, subject: str, span: str) -> Calculation | None:
    """First to last in percent, for amounts of one unit with a non-zero start."""
    if first.unit != last.unit or first.unit not in ("USD", "shares") or not first.result:
        return None
    if len(first.operands) != 1 or len(last.operands) != 1:
        return None
    a, b = first.operands[0], last.operands[0]
    if a.scale != b.scale:
        return None
    return Calculation(
        name=f"change in {subject.lower()}, {span}",
        expression=f"({b.printed} - {a.printed}) / {a.printed} * 100",
        operands=[a, b],
        result=(b.value - a.value) / a.value * 100,
        unit="%",
    )


class Shape(NamedTuple):
    """How a series moved: ``direction`` "up" or "down" when every step from one period to the next
    went that way (else None), and the positions of its highest and lowest points, each None when
    two points share it."""

    direction: Literal["up", "down"] | None
    highest: int | None
    lowest: int | None


def series_shape(series: Series) -> Shape | None:
    """The shape of a series of three or more points (with two, its change says it all); None for
    fewer. Points are compared as amounts (value times its scale), all of one unit."""
    points = series.points
    if len(points) < 3 or len({p.unit for p in points}) != 1:
        return None
    values = [p.result * 10**p.scale for p in points]
    steps = [b - a for a, b in pairwise(values)]
    direction: Literal["up", "down"] | None = (
        "up" if all(s > 0 for s in steps) else "down" if all(s < 0 for s in steps) else None
    )
    high, low = max(values), min(values)
    return Shape(
        direction,
        values.index(high) if values.count(high) == 1 else None,
        values.index(low) if values.count(low) == 1 else None,
    )


def calculate_series(
    plan: QuestionPlan, question: str, facts: Sequence[Fact], filings: Mapping[str, Any]
) -> Series | None:
    """The asked figure for every period of the scoped ``filings`` (doc_id -> a record with
    form_type, fiscal_year, fiscal_quarter, period_end), oldest first; None unless the plan asks
    one figure over the periods and at least two periods have it."""
    if not plan.over_periods or (len(plan.items) > 1 and plan.metric is None):
        return None
    periods = _periods(plan, question, filings)
    if len(periods) < 2:
        return None
    by_id = {f.id: f for f in facts}
    points: list[Calculation] = []
    words: list[str] = []
    missing: list[str] = []
    for year, quarter, _end in periods:
        one = plan.model_copy(
            update={
                "form": "figure",
                "explanatory": False,
                "quarters": [quarter] if quarter else [],
                "fiscal_years": [year],
            }
        )
        calc = calculate(one, question, facts, filings, years=[year], level=True)
        if calc is None or (points and calc.unit != points[0].unit):
            missing.append(_fiscal(year, quarter))
            continue
        points.append(calc)
        words.append(period_words(calc, by_id, year, quarter))
    if len(points) < 2:
        return None
    subject = points[-1].name.rsplit(", ", 1)[0]
    others: set[str] = set()
    if plan.metric is None and len(plan.items) == 1 and not plan.members and len(points[-1].operands) == 1:
        subject = points[-1].operands[0].label.strip(" :") or ITEMS[plan.items[0]].name
        if points[-1].operands[0].stands_in is not None:
            # A filer's own line standing in for the item may be renamed between its reports.
            others = {p.operands[0].label.strip(" :") for p in points} - {subject}
    span = f"{words[0]} to {words[-1]}"
    return Series(
        subject=subject[:1].upper() + subject[1:],
        points=points,
        periods=words,
        change=percent_change(points[0], points[-1], subject, span),
        missing=missing,
        also_printed=sorted(others),
    )


def calculate_member_series(
    plan: QuestionPlan, question: str, facts: Sequence[Fact], filings: Mapping[str, Any]
) -> list[Series] | None:
    """One series per part the question lists ("revenue from Windows or Surface devices"), in the
    question's order, or one when a single row names them all ("Server products and cloud
    services"); None unless every part has one (a part left out is no answer to the question)."""
    if len(plan.members) < 2:
        return None
    found = [
        calculate_series(plan.model_copy(update={"members": [m]}), question, facts, filings)
        for m in plan.members
    ]
    series = [s for s in found if s is not None]
    if len(series) != len(found):
        return None
    rows = {tuple(o.fact_id for p in s.points for o in p.operands) for s in series}
    return series[:1] if len(rows) == 1 else series


def calculate_item_series(
    plan: QuestionPlan, question: str, facts: Sequence[Fact], filings: Mapping[str, Any]
) -> list[Series] | None:
    """One series per line item the question names over the periods ("debt or interest expenses
    over these quarters"), in the question's order; None unless it names several items and no
    metric over them (a growth is each item's own change) and every item has a series (an item
    left out is no answer to the question)."""
    metric = asked_metric(question)
    if len(plan.items) < 2 or plan.members or (metric is not None and not metric.growth):
        return None
    found = [
        calculate_series(
            plan.model_copy(update={"items": [key], "metric": None, "metric_items": []}),
            question,
            facts,
            filings,
        )
        for key in plan.items
    ]
    series = [s for s in found if s is not None]
    return series if len(series) == len(found) else None


__all__ = [
    "calculate_item_series",
    "calculate_member_series",
    "calculate_series",
    "percent_change",
    "period_words",
]
