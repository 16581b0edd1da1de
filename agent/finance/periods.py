"""Periods as dates: how long a column's span is, and which fiscal year and quarter it falls in.

A filer names its fiscal years its own way: Apple's fiscal 2023 ends in September 2023, a
retailer's fiscal 2022 may end on 28 January 2023. The filing's own cover (its fiscal year and
period end) fixes the naming; every other date is placed relative to it, by the fiscal year end
when it is known (the 10-K's period end, iXBRL ``dei:CurrentFiscalYearEndDate``), else by whole
calendar years. Nothing here knows a company.
"""

from __future__ import annotations

from datetime import date, timedelta

# 52/53-week years end on a weekday near the month end: a period ending up to a week after the
# nominal fiscal year end still belongs to that year.
_SLACK = timedelta(days=7)


def parse_date(text: str | None) -> date | None:
    """An ISO date ('2023-07-01'), or None for anything else."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def months_between(start: date, end: date) -> int:
    """Whole months a duration spans, rounded (91 days -> 3, 364 days -> 12)."""
    return max(0, round((end - start).days / 30.44))


def parse_month_day(text: str | None) -> tuple[int, int] | None:
    """A fiscal year end as XBRL writes it ('--09-24') or as an ISO date; None otherwise."""
    if not text:
        return None
    raw = text.strip().lstrip("-")
    parts = raw.split("-")[-2:]
    try:
        month, day = int(parts[0]), int(parts[1])
        date(2000, month, day)  # 29 February is valid in 2000
    except (ValueError, IndexError):
        return None
    return month, day


def _year_end_on_or_after(when: date, fy_end: tuple[int, int]) -> date:
    month, day = fy_end
    for year in (when.year - 1, when.year, when.year + 1):
        end = date(year, month, min(day, 28 if month == 2 else day))
        if end + _SLACK >= when:
            return end
    return date(when.year + 1, month, day if month != 2 else 28)


def fiscal_year_of(
    end: date,
    doc_end: date | None,
    doc_fiscal_year: int | None,
    fy_end: tuple[int, int] | None = None,
) -> int | None:
    """The fiscal year, as the filer names its years, of a period ending on ``end``.

    ``doc_end`` and ``doc_fiscal_year`` are the filing's own period end and fiscal year (its cover);
    ``fy_end`` the month and day its fiscal years end, when known.
    """
    if doc_end is None or doc_fiscal_year is None:
        return end.year if fy_end is None else _year_end_on_or_after(end, fy_end).year
    if fy_end is None:
        return end.year + (doc_fiscal_year - doc_end.year)
    offset = doc_fiscal_year - _year_end_on_or_after(doc_end, fy_end).year
    return _year_end_on_or_after(end, fy_end).year + offset


def fiscal_quarter_of(start: date, end: date, fy_end: tuple[int, int] | None) -> int | None:
    """1-4 for a duration of about three months inside a fiscal year whose end is known."""
    if fy_end is None or months_between(start, end) != 3:
        return None
    year_end = _year_end_on_or_after(end, fy_end)
    months_left = round((year_end - end).days / 30.44)
    quarter = 4 - round(months_left / 3)
    return quarter if 1 <= quarter <= 4 else None
