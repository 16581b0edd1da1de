"""Periods as dates: how long a column's span is, and which fiscal year and quarter it falls in.

A filer names its fiscal years its own way: Apple's fiscal 2023 ends in September 2023, a
retailer's fiscal 2022 may end on 28 January 2023. The filing's own cover (its fiscal year and
period end) fixes the naming; every other date is placed relative to it, by the fiscal year end
when it is known (the 10-K's period end, iXBRL ``dei:CurrentFiscalYearEndDate``), else by whole
calendar years. Nothing here knows a company.
"""

from __future__ import annotations

import re
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


def add_months(when: date, months: int) -> date:
    """``when`` moved by whole months, the day clamped to the target month's length."""
    index = when.year * 12 + when.month - 1 + months
    year, month = divmod(index, 12)
    for day in (when.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(when.day, day))
        except ValueError:
            continue
    return date(year, month + 1, 28)


# --- Column headings as printed ("Three Months Ended", "July 1, 2023", "3/25/2023", "Q2") -------

_MONTH_NUMBERS = {
    name: i + 1
    for i, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        )
    )
    for name in names.split()
}
MONTH_NAME = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b\.?"
)
# "July 1, 2023", "July 1,2023", "Dec. 31 2022", "3/25/2023", "12/31/22".
PRINTED_DATE = re.compile(
    rf"\b(?P<month>{MONTH_NAME})\s+(?P<day>\d{{1,2}}),?\s*(?P<year>(?:19|20)\d\d)\b|"
    r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)?\d\d)\b",
    re.I,
)
# "July 1," with its year printed on the line below (stacked headings).
MONTH_DAY = re.compile(rf"\b(?P<month>{MONTH_NAME})\s+(?P<day>\d{{1,2}})\b(?!\s*,?\s*(?:19|20)\d\d)", re.I)
BARE_YEAR = re.compile(r"(?<![\d/,])\b(?:19|20)\d\d\b(?![/\d])")
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "nine": 9, "twelve": 12}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
# How long a column's period is, as headings say it.
SPAN_PHRASE = re.compile(
    r"\b(?P<n>one|two|three|four|six|nine|twelve|\d{1,2})[\s-]+(?P<unit>months?|weeks?)(?:\s+ended)?\b|"
    r"\b(?:fiscal\s+)?(?P<year>years?)\s+ended\b|"
    r"\b(?:(?P<ord>first|second|third|fourth)\s+)?(?:fiscal\s+)?(?P<quarter>quarters?)(?:\s+ended)?\b|"
    r"\bQ(?P<q>[1-4])\b",
    re.I,
)


def printed_date(text: str) -> date | None:
    """A date as filings print it ("July 1, 2023", "Sept. 24,2022", "3/25/2023"), else None."""
    m = PRINTED_DATE.search(text)
    if not m:
        return None
    try:
        if m.group("month"):
            month = _MONTH_NUMBERS.get(m.group("month").lower().rstrip("."))
            if month is None:
                return None
            return date(int(m.group("year")), month, int(m.group("day")))
        year = int(m.group("y"))
        return date(year + 2000 if year < 100 else year, int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None


def span_of(match: re.Match[str]) -> tuple[int | None, int | None, int | None]:
    """(months, weeks, named quarter) of a :data:`SPAN_PHRASE` match: "Three Months Ended" ->
    (3, None, None), "12 Weeks Ended" -> (3, 12, None), "Second Quarter" / "Q2" -> (3, None, 2).
    Week spans are 52/53-week calendars' quarters: 12-16 weeks is a quarter, 24 a half, 36-40
    three quarters."""
    if match.group("n"):
        raw = match.group("n").lower()
        n = _WORD_NUMBERS[raw] if raw in _WORD_NUMBERS else int(raw)
        if match.group("unit").lower().startswith("week"):
            return (3 * round(n / 13) or None), n, None
        return (n or None), None, None
    if match.group("year"):
        return 12, None, None
    if match.group("q"):
        return 3, None, int(match.group("q"))
    ordinal = match.group("ord")
    return 3, None, _ORDINALS[ordinal.lower()] if ordinal else None


def _shared_month_day(line: str) -> list[tuple[str, date | None, int | None]]:
    """ "September 30, 2022 2021": one printed date, the years after it sharing its month and day
    (a common two-column heading). [] for any other line."""
    dates = list(PRINTED_DATE.finditer(line))
    if len(dates) != 1 or BARE_YEAR.search(line[: dates[0].start()]):
        return []
    first = printed_date(dates[0].group(0))
    years = BARE_YEAR.findall(line[dates[0].end() :])
    if first is None or not years:
        return []
    found: list[tuple[str, date | None, int | None]] = [(dates[0].group(0), first, None)]
    for year in map(int, years):
        try:
            when = first.replace(year=year)
        except ValueError:  # February 29 in a year without one
            when = first.replace(year=year, day=28)
        found.append((f"{when:%B} {when.day}, {year}", when, None))
    return found


def dated_headings(lines: list[str]) -> list[tuple[str, date | None, int | None]]:
    """(heading, end, bare year) of each dated column, in order; stacked headings ("December 1,"
    over "2017") are joined, and a lone "December 31," is shared by every year below it."""
    full: list[tuple[str, date | None, int | None]] = []
    month_days: list[str] = []
    years: list[str] = []
    for line in lines:
        shared = _shared_month_day(line)
        if shared:
            full += shared
            continue
        full += [(m.group(0), printed_date(m.group(0)), None) for m in PRINTED_DATE.finditer(line)]
        rest = PRINTED_DATE.sub(" ", line)
        month_days += [m.group(0) for m in MONTH_DAY.finditer(rest)]
        years += BARE_YEAR.findall(rest)
    if full:
        printed = [d.year for _, d, _ in full if d]
        return full if not years or [int(y) for y in years] == printed else []
    if month_days and years and len(years) % len(month_days) == 0:
        # One month-day per span heading, its years below it: "June 30, June 30," over
        # "2022 2023 2022 2023" (three and six months ended) pairs each year with its span's day.
        per = len(years) // len(month_days)
        pairs = zip([md for md in month_days for _ in range(per)], years, strict=True)
        return [(f"{md}, {y}", printed_date(f"{md}, {y}"), None) for md, y in pairs]
    return [(y, None, int(y)) for y in years]
