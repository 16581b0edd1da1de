"""Label every figure of a table row with its column's period, for the drafting context.

Filings print several periods side by side ("Three Months Ended" / "Nine Months Ended", or three
fiscal years), and PDF text scatters the column headers over many lines. A small model then copies
the figure of the wrong column. Rewriting each data row as ``label: period = value; ...`` puts the
period next to every figure, so choosing the right one is reading, not counting columns.

Only rows whose figure count matches the header's column count are rewritten; every other line is
kept as it is. The figures themselves are copied character for character, so the critic's numeric
grounding (done on the original chunk text) sees the same numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from agent.finance.labels import label_words, row_label, without_footnote_mark
from agent.text import MONTHS_RE

# "Three Months Ended", "Six months ended", "Year Ended", "Fiscal Years Ended", "Quarter Ended".
SPAN = re.compile(
    r"\b(?:(three|six|nine|twelve|3|6|9|12)[\s-]+months?|(?:fiscal\s+)?(years?)|(quarters?))\s+ended\b", re.I
)
SPAN_NUMBERS = {"3": "three", "6": "six", "9": "nine", "12": "twelve"}
_DATE = re.compile(rf"(?:\b(?:{MONTHS_RE})\.?\s+\d{{1,2}},?\s*)?\b(?:19|20)\d\d\b", re.I)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
MONTH_DAY = re.compile(rf"\b(?:{MONTHS_RE})\.?\s+\d{{1,2}}\b", re.I)
# One figure: "$ 81,797", "(1,234)", "9 %", "12.5", or a dash for nil.
_VALUE = re.compile(r"\$?\s?\(?-?\d[\d,]*(?:\.\d+)?\)?\s?%?|(?<!\w)[—–-](?!\w)")
_WORDS = re.compile(r"[A-Za-z]{3,}")
_ENDS_WITH_MONTH = re.compile(rf"\b(?:{MONTHS_RE})\.?$", re.I)


def span_name(match: re.Match[str]) -> str:
    months, _years, quarters = match.groups()
    if months:
        return f"{SPAN_NUMBERS.get(months, months.lower())} months ended"
    if quarters:
        return "quarter ended"
    return "year ended"


# "December 31, June 30, | 2022 2022": each column's month and day printed on one line, its year on
# the next.
_STACKED = re.compile(
    rf"(?P<days>(?:\b(?:{MONTHS_RE})\.?\s+\d{{1,2}}\s*,?\s*){{2,}})(?P<years>(?:\b(?:19|20)\d\d\b\s*){{2,}})",
    re.I,
)


def _unstack(m: re.Match[str]) -> str:
    """Each month and day with its own year, when the counts agree ("December 31, 2022 June 30, 2022")."""
    days, years = MONTH_DAY.findall(m.group("days")), YEAR.findall(m.group("years"))
    if len(days) != len(years):
        return m.group(0)
    return " ".join(f"{d}, {y}" for d, y in zip(days, years, strict=True)) + " "


def columns_from_header(header: str) -> list[str]:
    """Column names from a table's header text ("Three Months Ended Nine Months Ended July 1, 2023
    June 25, 2022 ..." -> ["three months ended July 1, 2023", "three months ended June 25, 2022", ...])."""
    header = _STACKED.sub(_unstack, re.sub(r"\s+", " ", header.replace("|", " ")))
    dates = [m.group(0).strip(" ,") for m in _DATE.finditer(header)]
    spans = [span_name(m) for m in SPAN.finditer(header)]
    if not dates:
        return []
    full = [d for d in dates if MONTH_DAY.search(d)]
    bare = [d for d in dates if not MONTH_DAY.search(d)]
    if full and [YEAR.search(d).group(0) for d in full] == bare:  # type: ignore[union-attr]
        # "Fiscal years ended December 31, 2022, December 25, 2021 and ..." over a "2022 2021" line:
        # the years line repeats the dated columns.
        dates = full
    month_days = MONTH_DAY.findall(header)
    if len(month_days) == 1 and len(dates) > 1:
        # "Year Ended December 31, | 2022 | 2021": one month and day shared by every year column.
        dates = [f"{month_days[0]}, {YEAR.search(d).group(0)}" for d in dates]  # type: ignore[union-attr]
    years = YEAR.findall(header)
    if (
        len(spans) > 1
        and len(month_days) == len(spans)
        and len(years) == len(dates)
        and len(years) % len(spans) == 0
    ):
        # "Three Months Ended September 30, Nine Months Ended September 30, | 2023 2022 2023 2022":
        # each span's month and day shared by the years below it.
        per = len(years) // len(spans)
        dates = [f"{month_days[i // per]}, {y}" for i, y in enumerate(years)]
    if spans and len(dates) % len(spans) == 0:
        per = len(dates) // len(spans)
        return [f"{spans[i // per]} {d}" for i, d in enumerate(dates)]
    return dates


def _only_figures(cells: str) -> list[str]:
    """The figures of a row's value part, or [] when it holds words (a sentence, not a row)."""
    cells = cells.replace("|", " ").strip(" :")
    leftover = _VALUE.sub(" ", cells)
    return [] if _WORDS.search(leftover) else [v.strip() for v in _VALUE.findall(cells) if v.strip()]


def data_row(line: str) -> tuple[str, list[str]] | None:
    """(label, figures) of a table row with two or more figures: "Mac 6,840 7,382" (PDF text) or
    "AWS | 32,151 | 43,245" (HTML tables)."""
    if "|" in line:
        first, _, rest = line.partition("|")
        label = first.strip()
        if not _WORDS.search(label) or _DATE.fullmatch(label):
            return None
    else:
        label = row_label(line) or ""
        if not label:
            return None
        rest = line.split(label, 1)[1]
    figures = _only_figures(rest)
    if SPAN.search(label) or _ENDS_WITH_MONTH.search(label):
        return None  # "Year Ended December 31, 2022 2021" is the header, not a row
    return (label.rstrip(" :"), figures) if len(figures) >= 2 else None


def _is_header(line: str) -> bool:
    """A line of column headings: period spans, dates, month-day fragments or bare years."""
    if not (SPAN.search(line) or _DATE.search(line) or MONTH_DAY.search(line)):
        return False
    return len(line) <= 120


def _group_heading(line: str) -> str | None:
    """A short label-only line that heads the rows below it ("North America", "Net sales:")."""
    text = line.strip().rstrip(":").strip()
    if not text or len(text.split()) > 5 or text.endswith(".") or not _WORDS.search(text):
        return None
    if text.startswith("(") and text.endswith(")"):
        return None  # "(in millions)" states units, it heads no rows
    return None if _VALUE.search(text) or _is_header(text) else text


def _scan(text: str) -> Iterator[tuple[str, str, str, list[tuple[str, str]]]]:
    """Every line with, for data rows under a matching header, its group heading, its label and
    [(column, figure), ...]."""
    header: list[str] = []
    columns: list[str] = []
    group = ""
    in_header = False
    for line in text.splitlines():
        row = data_row(line)
        if row is not None:
            label, figures = row
            if in_header:
                columns, in_header = columns_from_header(" ".join(header)), False
            figures = without_footnote_mark(figures, len(columns))
            if len(figures) == len(columns):
                yield line, group, label, list(zip(columns, figures, strict=True))
                continue
        elif _is_header(line):
            if not in_header:
                header, in_header, group = [], True, ""
            header.append(line)
        elif in_header and len(line) > 80:
            in_header = False  # prose between tables
        elif columns or in_header:
            group = _group_heading(line) or ""
        yield line, "", "", []


def table_cells(text: str) -> list[tuple[str, str, str]]:
    """(row label, column name, figure) of every labelled figure in a text; the label is prefixed
    with the row's group heading when it has one ("Consolidated: Net sales")."""
    cells = []
    for _line, group, label, pairs in _scan(text):
        # "Net sales:" heading "Total net sales" adds nothing; it does name "Products" below it.
        named = f"{group}: {label}" if group and not label_words(group) <= label_words(label) else label
        cells += [(named, col, fig) for col, fig in pairs]
    return cells


def label_table_rows(text: str) -> str:
    """The table text with each data row rewritten as ``label: column = value; ...``."""
    out = []
    for line, _group, label, pairs in _scan(text):
        out.append(f"{label}: " + "; ".join(f"{col} = {fig}" for col, fig in pairs) if pairs else line)
    return "\n".join(out)
