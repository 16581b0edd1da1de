"""Which stored fact is a line item's figure for a period: the whole period for a flow, its end
for a balance; from the filing whose own period it is, before a later filing's comparatives; on
the statement that reports the item; and only when the filing's tables agree on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from agent.finance.periods import PRINTED_DATE, SPAN_PHRASE, parse_date, printed_date, span_of
from agent.finance.vocabulary import BALANCES, item_of
from agent.schemas import Fact

# The statement that reports each item; any other table (a note, MD&A) is a second choice.
_CASH_FLOW = {"capex", "cfo", "dividends"}
_EITHER = {"d_and_a": {"cash_flow", "income"}}
_ANNUAL_FORMS = {"10-K", "10-K/A", "20-F", "40-F"}


def home_statements(key: str) -> set[str]:
    """The statements that report item ``key`` (any other table is a second choice)."""
    if key in _EITHER:
        return _EITHER[key]
    return {"balance"} if key in BALANCES else {"cash_flow"} if key in _CASH_FLOW else {"income"}


def _near(a: date, b: date, days: int = 10) -> bool:
    """Same month-end, allowing for 52/53-week years (a year later or earlier counts)."""
    return _movable(a) and any(abs((a.replace(year=b.year + k) - b).days) <= days for k in (-1, 0, 1))


def _movable(a: date) -> bool:
    """Whether the date exists in every year (not February 29)."""
    return not (a.month == 2 and a.day == 29)


@dataclass(frozen=True)
class Dated:
    """A period the question prints: "the three months ended July 1, 2023" (months 3), or a date."""

    end: date
    months: int | None

    def words(self) -> str:
        """'three months ended July 1, 2023', 'year ended December 31, 2022', 'December 31, 2022'."""
        day = f"{self.end:%B} {self.end.day}, {self.end.year}"
        spans = {3: "three months", 6: "six months", 9: "nine months", 12: "year"}
        return f"{spans[self.months]} ended {day}" if self.months in spans else day


def asked_date(question: str) -> Dated | None:
    """The one dated period a question names, if it names exactly one date."""
    dates = {d for m in PRINTED_DATE.finditer(question) if (d := printed_date(m.group(0)))}
    if len(dates) != 1:
        return None
    span = SPAN_PHRASE.search(question)
    return Dated(dates.pop(), span_of(span)[0] if span else None)


def _fits_date(fact: Fact, key: str, dated: Dated, year: int) -> bool:
    """The printed period, or the same period ``year`` (a growth's prior year): same length, ending
    on the same day of that year (within a week, for 52/53-week years)."""
    p = fact.period
    end = parse_date(p.end)
    shift = year - dated.end.year
    if end is None or not _movable(dated.end):
        return False
    target = dated.end.replace(year=dated.end.year + shift)
    if abs((end - target).days) > (0 if shift == 0 else 7):
        return False
    if key in BALANCES:
        return p.kind != "duration"
    return p.kind == "duration" and p.months == (dated.months or 12)


def _fits(fact: Fact, key: str, year: int, quarter: int | None, filing: Any) -> bool:
    """Whether a fact is the item's figure for fiscal ``year`` (and ``quarter``)."""
    p = fact.period
    if key in BALANCES:
        end = parse_date(p.end)
        filing_end = parse_date(getattr(filing, "period_end", None))
        if p.kind == "duration" or p.fiscal_year != year:
            return False
        if quarter is not None:  # a balance at the quarter's end, in that quarter's report
            return filing.fiscal_quarter == quarter and filing.fiscal_year == year and end == filing_end
        return end is not None and filing_end is not None and _near(end, filing_end)
    if p.fiscal_year != year:
        return False
    if quarter is not None:
        return p.kind == "duration" and p.months == 3 and p.fiscal_quarter == quarter
    if p.months == 12:
        return True
    # An annual report's statement columns headed only by the year-end date are the year ended then.
    return (
        p.months is None and fact.statement in ("income", "cash_flow") and filing.form_type in _ANNUAL_FORMS
    )


def pick_fact(
    facts: Sequence[Fact],
    filings: Mapping[str, Any],
    key: str,
    year: int,
    quarter: int | None,
    dated: Dated | None = None,
) -> Fact | None:
    """The fact of item ``key`` for the period (fiscal ``year`` and ``quarter``, or the ``dated``
    one the question prints): from the filing whose own period it is, else the nearest later one;
    on the item's own statement when printed there. None when the candidates of that filing
    disagree."""
    fitting = [
        f
        for f in facts
        if f.doc_id in filings
        and item_of(f) == key
        and (_fits_date(f, key, dated, year) if dated else _fits(f, key, year, quarter, filings[f.doc_id]))
    ]
    if dated and fitting:
        year = fitting[0].period.fiscal_year or year
    if not fitting:
        return None

    def order(doc_id: str) -> tuple[int, int]:
        filing = filings[doc_id]
        own = filing.fiscal_year == year and (quarter is None) == (filing.fiscal_quarter is None)
        return (
            0 if own else 1,
            (filing.fiscal_year or 0) - year if (filing.fiscal_year or 0) >= year else 99,
        )

    for doc_id in sorted({f.doc_id for f in fitting}, key=order):
        mine = [f for f in fitting if f.doc_id == doc_id]
        home = [f for f in mine if f.source == "ixbrl" or f.statement in home_statements(key)]
        plain = [f for f in home or mine if not re.search(r"non-?controlling|including", f.label, re.I)]
        return _agreed(plain or home or mine, first_on_tie=bool(home))
    return None


def pick_year_to_date(
    facts: Sequence[Fact], filings: Mapping[str, Any], key: str, year: int, quarter: int
) -> Fact | None:
    """A quarter's cash-flow item as its own report gives it when it prints no three-month column:
    the year to date ending at the quarter's end (a 10-Q's cash flow statement is cumulative). Only
    from the quarter's own report, only for an item reported on the cash flow statement; the
    caller states the period. None for a first quarter (its year to date is the quarter)."""
    if quarter < 2 or "cash_flow" not in home_statements(key):
        return None
    own = {
        doc_id: end
        for doc_id, filing in filings.items()
        if filing.fiscal_year == year
        and filing.fiscal_quarter == quarter
        and (end := parse_date(getattr(filing, "period_end", None)))
    }
    fitting = [
        f
        for f in facts
        if f.doc_id in own
        and item_of(f) == key
        and f.period.kind == "duration"
        and f.period.months == 3 * quarter
        and (end := parse_date(f.period.end)) is not None
        and _near(end, own[f.doc_id])
        and end.year == own[f.doc_id].year
    ]
    home = [f for f in fitting if f.source == "ixbrl" or f.statement == "cash_flow"]
    return _agreed(home or fitting, first_on_tie=bool(home)) if fitting else None


def _agreed(facts: Sequence[Fact], first_on_tie: bool = False) -> Fact | None:
    """The figure the filing's tables agree on: the only one, or the one printed by more tables
    than any other (the consolidated total recurs in the statements, selected data and MD&A; a
    mislabelled segment row once). On a tie, None; or, with ``first_on_tie`` (the facts are all
    on the item's own statement), the figure printed first: a filing prints its own statements
    before the schedules and exhibits that repeat the statement for a parent company alone or for
    an affiliate (another entity's balance sheet filed as an exhibit)."""
    # A table with no unit line reads at scale 0: its digits are the same figure as a table "in
    # millions" printing the same digits, so it counts with that table.
    stated = {f.value: f.scale for f in facts if f.scale}
    pages: dict[float, set[int]] = {}
    for fact in facts:
        scale = fact.scale or stated.get(fact.value, 0)
        pages.setdefault(round(fact.value * 10**scale, 6), set()).add(fact.page)
    counts = sorted((len(p) for p in pages.values()), reverse=True)
    if len(counts) > 1 and counts[0] == counts[1] and not first_on_tie:
        return None
    best = min(pages, key=lambda a: (-len(pages[a]), min(pages[a])))
    return min((f for f in facts if round(f.amount, 6) == best), key=lambda f: (f.source != "ixbrl", f.page))
