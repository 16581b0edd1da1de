"""A figure dated in the answer must be dated by a period the question asks about.

"The liability at June 30, 2022 was $97 million" cites a real cell, so grounding accepts it; when
the question asks about the quarter that closed December 31, 2022 it answers another period. The
periods asked are the plan's fiscal years and quarters placed on the calendar through the cited
filings' own periods (a filing's cover names its fiscal year, quarter and period end), plus any date
the question prints. A sentence that dates its figure ("at", "as of", "ended" + a printed date) only
by dates outside every asked period is sent back. Sentences that date nothing, or name an asked
period beside another (a comparison), pass. A change asked in one period (:attr:`QuestionPlan.growth`)
asks its comparative periods too: the year before, and the columns the asked report prints beside
its own (a balance's last fiscal year-end), as our calculations read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from agent.finance.periods import PRINTED_DATE, add_months, parse_date, printed_date
from agent.schemas import ChunkMetadata, Claim, Operand, QuestionPlan

_KEPT = ("supported", "calculation")
# Days either side of a period end: 52/53-week years end on a weekday near the month's end.
SLACK = timedelta(days=7)
# The words that make a printed date the date of a figure: "at", "as of", "(year) ended", "through".
_DATING = re.compile(r"\b(?:at|as\s+(?:of|at)|ended|ending|end\s+of|through)\s*,?\s*$", re.I)
_ANNUAL_FORMS = ("10-K", "20-F", "40-F")

Window = tuple[date, date]


def dating_dates(sentence: str) -> list[date]:
    """The printed dates the sentence dates a figure by ("at June 30, 2022", "ended May 1, 2023")."""
    found = []
    for m in PRINTED_DATE.finditer(sentence):
        when = printed_date(m.group(0))
        if when and _DATING.search(sentence[max(0, m.start() - 40) : m.start()]):
            found.append(when)
    return found


def _filing_quarter(meta: ChunkMetadata) -> int | None:
    if meta.fiscal_quarter:
        return meta.fiscal_quarter
    return 4 if (meta.form_type or "").upper().startswith(_ANNUAL_FORMS) else None


def asked_windows(
    plan: QuestionPlan, filings: Iterable[ChunkMetadata], question: str, comparatives: Iterable[date] = ()
) -> list[Window]:
    """The calendar spans of the periods ``plan`` asks about, placed through ``filings``' own
    periods (only filings of an asked fiscal year: how another filing's year maps is not known),
    and a few days around each date ``question`` prints and each of the asked report's
    ``comparatives`` (:func:`comparative_dates`)."""
    windows: list[Window] = []
    seen: set[str] = set()
    for meta in filings:
        end, quarter = parse_date(meta.period_end), _filing_quarter(meta)
        if meta.doc_id in seen or end is None or quarter is None or meta.fiscal_year not in plan.fiscal_years:
            continue
        seen.add(meta.doc_id)
        assert meta.fiscal_year is not None
        # A change asked in one period asks its comparative too: the year before.
        back = (0, -12) if asks_comparatives(plan) else (0,)
        for year in plan.fiscal_years:
            shift = (year - meta.fiscal_year) * 12
            for asked in plan.quarters:
                at = add_months(end, shift + (asked - quarter) * 3)
                windows += [(add_months(at, b) - SLACK, add_months(at, b) + SLACK) for b in back]
            if not plan.quarters:
                year_end = add_months(end, shift + (4 - quarter) * 3)
                windows += [
                    (add_months(year_end, b - 12) + SLACK, add_months(year_end, b) + SLACK) for b in back
                ]
    for m in PRINTED_DATE.finditer(question):
        when = printed_date(m.group(0))
        if when:
            windows.append((when - SLACK, when + SLACK))
    return windows + [(d - SLACK, d + SLACK) for d in comparatives]


def asks_comparatives(plan: QuestionPlan) -> bool:
    """Whether the plan asks a change in one period, which asks its comparative periods too."""
    return plan.growth and len(plan.fiscal_years) == 1


def comparative_dates(
    plan: QuestionPlan, filings: Iterable[ChunkMetadata], operands: Iterable[Operand]
) -> list[date]:
    """The dates of the columns the asked period's own report prints beside it (a balance's last
    fiscal year-end, wherever the filer's year ends), among our calculations' operands, when the
    plan asks a change in one period; none otherwise."""
    if not asks_comparatives(plan):
        return []
    asked = {
        m.doc_id
        for m in filings
        if m.fiscal_year in plan.fiscal_years and (not plan.quarters or m.fiscal_quarter in plan.quarters)
    }
    found = (
        printed_date(m.group(0))
        for o in operands
        if o.doc_id in asked
        for m in PRINTED_DATE.finditer(o.period)
    )
    return [d for d in found if d is not None]


def hold_to_period(claims: Sequence[Claim], windows: Sequence[Window]) -> None:
    """Send back a figure sentence dated only outside every asked window (in place)."""
    if not windows:
        return
    for claim in claims:
        if claim.verdict not in _KEPT or not claim.numbers:
            continue
        dates = dating_dates(claim.text)
        if dates and not any(lo <= d <= hi for d in dates for lo, hi in windows):
            claim.verdict = "unsupported"
            claim.reason = (
                f"dates its figure {dates[0]:%B} {dates[0].day}, {dates[0].year}, a period the question "
                "does not ask about: give the figure for the period asked, or say the passages do not state it"
            )
