"""Typed facts from the tables a loader found: one :class:`Fact` per figure whose column is a period.

PDF text and non-XBRL HTML keep no cell structure, so a figure's column is known only by counting:
a row is read when its figure count equals the header's column count, and never otherwise (a
figure under a guessed column is worse than no fact). The header names the columns ("Three Months
Ended ... July 1, 2023"), the unit line the scale ("In millions, except ... per share amounts"),
and the filing's own period (:class:`DocPeriod`) places every column in a fiscal year the way the
filer names its years. Nothing here knows a company or a layout; it reads the words statements use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from agent.finance.headers import Column, Header, column_lines, read_columns, read_header
from agent.finance.labels import ASIDE, with_label_number, without_footnote_mark
from agent.finance.periods import (
    BARE_YEAR,
    MONTH_DAY,
    MONTH_NAME,
    PRINTED_DATE,
    add_months,
    fiscal_quarter_of,
    fiscal_year_of,
    parse_date,
)
from agent.finance.statements import statement_kind
from agent.schemas import Fact, FactPeriod, FilingFields, StatementKind


@dataclass(frozen=True)
class DocPeriod:
    """The filing's own period (its cover): every column's fiscal year is placed relative to it."""

    fiscal_year: int | None = None
    fiscal_quarter: int | None = None
    period_end: str | None = None
    form_type: str | None = None
    fy_end: tuple[int, int] | None = None  # month, day its fiscal years end, when known (iXBRL)

    @classmethod
    def of(cls, filing: FilingFields, fy_end: tuple[int, int] | None = None) -> DocPeriod:
        return cls(filing.fiscal_year, filing.fiscal_quarter, filing.period_end, filing.form_type, fy_end)

    @property
    def end(self) -> date | None:
        return parse_date(self.period_end)

    @property
    def annual(self) -> bool:
        return (self.form_type or "").upper().startswith("10-K")

    def year_end(self) -> tuple[int, int] | None:
        """Month and day the fiscal years end: given, a 10-K's own period end, or a quarterly
        report's end moved by the quarters left in its year (an estimate within days, which
        :func:`fiscal_year_of` tolerates)."""
        end = self.end
        if self.fy_end or end is None:
            return self.fy_end
        if self.annual:
            return end.month, end.day
        if self.fiscal_quarter in (1, 2, 3, 4):
            moved = add_months(end, 3 * (4 - self.fiscal_quarter))
            return moved.month, moved.day
        return None


# A figure as printed: "$ 60,584", "$(2,722)", "(265)", "25,530$", "6.3%", "(1)%", "—", "n/m".
_FIGURE = r"\$?\s?\(?\s?-?\$?\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s?\)?\s?%?\$?|[—–-]|\*|n/?m|n/a"
_TAIL = re.compile(rf"(?:^|\s)({_FIGURE})\s*$", re.I)
_CELL = re.compile(rf"^(?:{_FIGURE})$", re.I)
_PER_SHARE = re.compile(r"\bper\s+(?:\w+\s+){0,2}share\b|\bper-share\b|\bEPS\b|\bearnings\s+per\b", re.I)
_SHARES = re.compile(
    r"^(?:weighted[- ]average\s+)?(?:number\s+of\s+)?(?:common\s+)?shares\b|"
    r"\bshares\s+(?:used|outstanding|issued)\b|\baverage\s+(?:\w+\s+)?shares\b",
    re.I,
)
_PAR_VALUE = re.compile(r"\bpar\s+value\b", re.I)
_PERCENT_LABEL = re.compile(r"%|\bpercent(?:age)?\b|\brate\b", re.I)
_WORDS = re.compile(r"[A-Za-z]{2,}")
# "Three Months Ended July 1, 2023 ..." or "As of December 31," heads columns; it is no row label.
_HEADING_ROW = re.compile(
    rf"\b(?:months?|weeks?|years?|quarters?)\s+ended\b|\b(?:ended|as\s+of)(?:\s+{MONTH_NAME}(?:\s+\d{{1,2}})?,?)?$",
    re.I,
)
_ENDS_MONTH_DAY = re.compile(rf"\b{MONTH_NAME}\s+\d{{1,2}},?$", re.I)
_WRAPS = re.compile(r"(?:,|-|\b(?:and|or|of|for|in|to|the|on|from|by|with|net))$", re.I)


def split_row(line: str) -> tuple[str, list[str]] | None:
    """(label, figures as printed) of a data row: "Mac $ 6,840 $ 7,382" (PDF text) or
    "AWS | 32,151 | (1,234)" (HTML); None for a line that holds no figure or no label."""
    if "|" in line:
        label, *cells = (c.strip() for c in line.split("|"))
        figures = [c for c in cells if c]
        if not figures or not all(_CELL.match(c) for c in figures):
            return None
    else:
        label, figures = line.strip(), []
        while (m := _TAIL.search(label)) is not None:
            figures.insert(0, m.group(1).strip())
            label = label[: m.start()].rstrip()
        if figures and BARE_YEAR.fullmatch(figures[0]) and _ENDS_MONTH_DAY.search(label):
            label = f"{label} {figures.pop(0)}"  # "Balances at December 1, 2017 600,834 ..."
    if not figures or not _WORDS.search(label) or _HEADING_ROW.search(label):
        return None
    if all(BARE_YEAR.fullmatch(f) for f in figures):
        return None  # "2023 2022" under a label is a heading, not figures
    return label.rstrip(" :"), figures


def cell_value(text: str) -> float | None:
    """The figure's value with its sign ("(265)" -> -265.0, "—" -> 0.0); None for "n/m"."""
    raw = text.replace("$", "").replace(" ", "").rstrip("%")
    if raw in ("—", "–", "-", ""):
        return 0.0
    negative = raw.startswith("(") or raw.startswith("-")
    digits = raw.strip("()-").replace(",", "")
    try:
        value = float(digits)
    except ValueError:
        return None
    return -value if negative else value


_DURATION_STATEMENTS = ("income", "cash_flow", "equity")


def column_period(col: Column, statement: StatementKind, header_text: str, doc: DocPeriod) -> FactPeriod:
    """The period a column names, placed in the filer's fiscal years by the document's own period.
    A bare year is the fiscal year as printed; it ends on the document's period end when it is the
    document's own year. A dated column without a span is an instant on a balance sheet (or under
    "As of"), a fiscal year in a 10-K's statements of flows, else of unknown kind."""
    doc_end, fy_end = doc.end, doc.year_end()
    end = col.end or (doc_end if col.year is not None and col.year == doc.fiscal_year else None)
    months = col.months
    instant = months is None and (
        statement == "balance" or re.search(r"\b(?:as\s+of|at)\b", header_text, re.I)
    )
    if months is None and not instant and doc.annual and statement in _DURATION_STATEMENTS:
        months = 12
    kind: Literal["duration", "instant", "unknown"] = (
        "duration" if months else "instant" if instant else "unknown"
    )
    start = None
    if kind == "duration" and end is not None and months:
        start = (
            end - timedelta(days=7 * col.weeks - 1) if col.weeks else add_months(end, -months) + timedelta(1)
        )
    fiscal_year = col.year
    if fiscal_year is None and end is not None:
        fiscal_year = fiscal_year_of(end, doc_end, doc.fiscal_year, fy_end)
    quarter = None
    if kind == "duration" and months == 3:
        quarter = col.quarter
        if quarter is None and start is not None and end is not None:
            quarter = fiscal_quarter_of(start, end, fy_end)
        if quarter is None and col.year is not None and doc.fiscal_quarter and not doc.annual:
            quarter = doc.fiscal_quarter  # "Three Months Ended / 2023 2022" in a quarterly report
    return FactPeriod(
        kind=kind,
        start=start.isoformat() if start else None,
        end=end.isoformat() if end else None,
        months=months if kind == "duration" else None,
        fiscal_year=fiscal_year,
        fiscal_quarter=quarter,
        label=col.label,
    )


# "Cash and cash equivalents, beginning of period" in a year's column is the balance on the day
# before that year began; "..., end of year" the balance on its last day.
_BALANCE_AT = re.compile(r"\b(beginning|end)\s+of\s+(?:the\s+)?(?:period|year|quarter|fiscal\s+year)\b", re.I)


def _balance_at(label: str, period: FactPeriod, doc: DocPeriod) -> FactPeriod:
    """A cash-flow statement's opening or closing balance row as the instant it states."""
    match = _BALANCE_AT.search(label)
    if match is None or period.kind != "duration":
        return period
    if match.group(1).lower() == "end":
        return period.model_copy(
            update={"kind": "instant", "start": None, "months": None, "fiscal_quarter": None}
        )
    start = parse_date(period.start)
    if start is None:
        return period
    day_before = start - timedelta(days=1)
    year = fiscal_year_of(day_before, doc.end, doc.fiscal_year, doc.year_end())
    return FactPeriod(kind="instant", end=day_before.isoformat(), fiscal_year=year, label=period.label)


def _unit_and_scale(label: str, group: str, figure: str, head: Header) -> tuple[str, int]:
    """A row's unit and scale: per-share amounts are never scaled, share counts take the unit
    line's share scale, percentages are plain; everything else takes the table's scale."""
    # "Common stock ($0.01 par value; 5,000 shares authorized ...)": the parenthesis describes the
    # line, whose figure is still in dollars; it says nothing of a share count.
    bare = ASIDE.sub(" ", label)
    if figure.rstrip().endswith("%") or (_PERCENT_LABEL.search(bare) and not _SHARES.search(bare)):
        return "%", 0
    for text, plain in ((label, bare), (group, group)):
        if _SHARES.search(plain):
            return "shares", head.share_scale
        if _PER_SHARE.search(text) and not _PAR_VALUE.search(text):  # "$0.01 par value per share"
            return "USD/share", 0
    return ("USD" if head.dollars or "$" in figure else ""), head.scale


# A statement's own summary rows: never a member of the group heading printed above them.
_SUMMARY = re.compile(r"\s*net\s+(?:cash|(?:increase|decrease|change)\s+in\s+cash)\b", re.I)


def _rows(text: str, group: str) -> list[tuple[str, str, list[str]]]:
    """(group, label, figures) of every data row; label-only lines become the group of the rows
    below them (a "Total ..." row closes its group; a "Net cash ..." row belongs to none), or the first half of a wrapped label."""
    out = []
    pending, previous_group = "", group
    for line in text.splitlines():
        row = split_row(line)
        if row is None:
            words = line.strip()
            if not _WORDS.search(words) or len(words) > 160:
                continue
            if not words.endswith(":") and _WRAPS.search(words):
                pending = words
            else:
                previous_group, group, pending = group, words.rstrip(":").strip(), ""
            continue
        label, figures = row
        if not pending and label[:1].islower() and group and group != previous_group:
            pending, group = group, previous_group  # "... on derivative" / "instruments (31,973)"
        if pending:
            joiner = "" if pending.endswith("-") else " "
            label, pending = f"{pending}{joiner}{label}", ""
        if _SUMMARY.match(label):
            group = ""  # "Net cash from operations" under "Changes in operating assets ...:" sums them
        out.append((group, label, figures))
        if label.lower().startswith("total"):
            group = ""
    return out


def _facts(head: Header, rows: str, page: int, doc: DocPeriod) -> list[Fact]:
    parsed = _rows(rows, head.group)
    head = replace(head, dollars=head.dollars or "$" in rows)  # a table with "$" cells is in dollars
    if not head.columns or not any(c.is_period for c in head.columns):
        return []
    statement = statement_kind(head.text, [label for _, label, _ in parsed])
    periods = [column_period(c, statement, head.text, doc) if c.is_period else None for c in head.columns]
    named = [(p.kind, p.months, p.end, p.fiscal_year) for p in periods if p is not None]
    if len(set(named)) < len(named):
        return []  # one period under several headings: the columns split by segments we cannot name
    facts = []
    for group, label, printed in parsed:
        label, printed = with_label_number(label, printed, len(head.columns))
        figures = without_footnote_mark(printed, len(head.columns))
        if len(figures) != len(head.columns):
            continue  # never guess which column a figure is under
        for period, figure in zip(periods, figures, strict=True):
            value = cell_value(figure)
            if period is None or value is None:
                continue
            unit, scale = _unit_and_scale(label, group, figure, head)
            period = _balance_at(label, period, doc)
            facts.append(
                Fact(
                    id="",
                    doc_id="",
                    page=page,
                    statement=statement,
                    table=head.title,
                    label=label,
                    group=group,
                    period=period,
                    value=value,
                    scale=scale,
                    unit=unit,
                    text=figure,
                    source="table",
                )
            )
    return facts


MAX_HEADING_LINES_IN_ROWS = 2


def _heading_line(line: str) -> bool:
    """Dates and heading words only: no figure is left once its dates are taken out ("Balance at
    December 31, 2022 $ 1,234" is a row)."""
    if not column_lines([line]):
        return False
    rest = BARE_YEAR.sub(" ", MONTH_DAY.sub(" ", PRINTED_DATE.sub(" ", line)))
    return not re.search(r"\d", rest)


def _headings_from_rows(header: list[str], rows: str) -> tuple[list[str], str]:
    """A header without dated columns takes the dated heading lines that open the rows: a PDF
    loader may leave "(In Millions; Unaudited) Jul 1, 2023 Jul 2, 2022" as the first body line."""
    if read_columns(header):
        return header, rows
    lines = rows.split("\n")
    taken = 0
    while taken < min(MAX_HEADING_LINES_IN_ROWS, len(lines)) and _heading_line(lines[taken]):
        taken += 1
    if not taken or not read_columns([*header, *lines[:taken]]):
        return header, rows
    return [*header, *lines[:taken]], "\n".join(lines[taken:])


def table_facts(header: list[str], rows: str, page: int, doc: DocPeriod) -> list[Fact]:
    """Facts of one table block (``Block.header`` lines, ``Block.text`` rows, zero-based page)."""
    try:
        header, rows = _headings_from_rows(header, rows)
        return _facts(read_header(header), rows, page, doc)
    except (ValueError, OverflowError, IndexError):
        return []  # odd input yields no facts, never a failed ingest


def document_facts(pages: Iterable[tuple[int, list[tuple[list[str], str]]]], doc: DocPeriod) -> list[Fact]:
    """Facts of every table of a document: ``pages`` is (page index, [(header, rows), ...]) with
    the table blocks of each page in order. A block with no column headings continues the table
    above it on the same page (a balance sheet cut by a long row of prose), so it takes that
    table's header; its rows are still read only when their figure count matches."""
    facts: list[Fact] = []
    for page, blocks in pages:
        previous: Header | None = None
        for header, rows in blocks:
            try:
                header, rows = _headings_from_rows(header, rows)
                head = read_header(header)
                if not head.columns and not column_lines(header) and previous is not None:
                    head = replace(previous, group="")
                facts += _facts(head, rows, page, doc)
            except (ValueError, OverflowError, IndexError):
                continue
            previous = head if head.columns else previous
    return facts


__all__ = [
    "Column",
    "DocPeriod",
    "cell_value",
    "document_facts",
    "read_columns",
    "read_header",
    "split_row",
    "table_facts",
]
