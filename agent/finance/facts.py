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
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from agent.finance.labels import ASIDE
from agent.finance.periods import (
    BARE_YEAR,
    MONTH_DAY,
    MONTH_NAME,
    PRINTED_DATE,
    SPAN_PHRASE,
    add_months,
    dated_headings,
    fiscal_quarter_of,
    fiscal_year_of,
    parse_date,
    span_of,
)
from agent.finance.statements import statement_kind
from agent.finance.units import SCALE_EXPONENTS
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


@dataclass
class Column:
    """One column of a header: its heading as printed and the period it names."""

    label: str
    months: int | None = None
    weeks: int | None = None
    quarter: int | None = None  # a quarter the heading names ("Q2", "Second Quarter")
    end: date | None = None
    year: int | None = None  # a bare year heading ("2022")
    is_period: bool = True


# A figure as printed: "$ 60,584", "$(2,722)", "(265)", "25,530$", "6.3%", "(1)%", "—", "n/m".
_FIGURE = r"\$?\s?\(?\s?-?\$?\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s?\)?\s?%?\$?|[—–-]|\*|n/?m|n/a"
_TAIL = re.compile(rf"(?:^|\s)({_FIGURE})\s*$", re.I)
_CELL = re.compile(rf"^(?:{_FIGURE})$", re.I)
_CHANGE = re.compile(r"%\s*change|\bchange\b|\bvariance\b|%\s+of\b|\bpercent(?:age)?\b", re.I)
_SCALE_WORD = re.compile(r"\b(thousands|millions|billions)\b", re.I)
_UNIT_LINE = re.compile(r"\b(?:in\s+)?(?:thousands|millions|billions)\b", re.I)
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


# "Second Quarter 2023 Actual vs. 2022 Actual" is a title comparing years, not column headings.
_RANGE = re.compile(rf"(?:{PRINTED_DATE.pattern})\s*(?:to|through|-|–|—)\s*(?:{MONTH_NAME}|\d)", re.I)
_COMPARES = re.compile(r"\bvs\b\.?|\bversus\b|\bcompared\b", re.I)


# Words column headings are made of; a header line with many other words is a sentence ("The
# following table shows net sales ... for the periods ended July 1, 2023 and June 25, 2022"), whose
# dates name no column.
_HEADING_WORDS = re.compile(
    rf"^(?:{MONTH_NAME}|sept?|three|six|nine|twelve|thirteen|fourteen|fifty|two|months?|weeks?|ended|ending|"
    r"years?|fiscal|quarters?|first|second|third|fourth|q[1-4]|as|of|at|and|change|actual|"
    r"reported|restated|unaudited|audited|in|percent|total|period|to|date|ytd)$",
    re.I,
)
MAX_OTHER_WORDS = 4


# A unit line that carries the column years after it: "In millions, except per share amounts 2018 2017".
_UNIT_LEAD = re.compile(
    r"^\s*(?:\(?\s*(?:dollars|amounts|\$)\s+)?in\s+(?:thousands|millions|billions)\b[^\d()]*(?=(?:19|20)\d\d\b)",
    re.I,
)


def _is_sentence(line: str) -> bool:
    # "(Dollars in Millions Except Per Share Data) 2023 2022" is a unit aside before the headings.
    words = re.findall(r"[A-Za-z][A-Za-z.]*", ASIDE.sub(" ", _UNIT_LEAD.sub(" ", line)))
    return sum(not _HEADING_WORDS.match(w.rstrip(".")) for w in words) > MAX_OTHER_WORDS


def _column_lines(header: list[str]) -> list[str]:
    return [
        h
        for h in header
        if (PRINTED_DATE.search(h) or BARE_YEAR.search(h) or MONTH_DAY.search(h))
        and not _COMPARES.search(h)
        and not _is_sentence(h)
    ]


def read_columns(header: list[str]) -> list[Column]:
    """The columns a table's header names, in order; [] when they cannot be read. Non-period
    columns ("% Change") are kept, as ``is_period=False``, only when one heading line places them
    among the dates."""
    lines = [re.sub(r"\s+", " ", h.replace("|", " ")).strip() for h in _column_lines(header)]
    dated = dated_headings(lines)
    if not dated or any(_RANGE.search(h) for h in header):
        return []  # "April 2, 2023 to May 6, 2023": date ranges pair dates we cannot pair
    # Spans in heading order, from any header line but a unit line or a title comparing years.
    heading = [
        h for h in header if not _COMPARES.search(h) and (not _UNIT_LINE.search(h) or h in _column_lines([h]))
    ]
    spans = [m for h in heading for m in SPAN_PHRASE.finditer(h)]
    columns = []
    for i, (text, end, year) in enumerate(dated):
        col = Column(label=text, end=end, year=year)
        if spans and len(dated) % len(spans) == 0:
            span = spans[i // (len(dated) // len(spans))]
            col.months, col.weeks, col.quarter = span_of(span)
            col.label = f"{span.group(0).strip()} {text}"
        columns.append(col)
    return _with_other_columns(lines, columns)


def _with_other_columns(lines: list[str], columns: list[Column]) -> list[Column]:
    """Insert "% Change"-like columns where the one line holding every dated heading puts them."""
    for line in lines:
        marks = list(_CHANGE.finditer(line))
        tokens = list(PRINTED_DATE.finditer(line)) + list(BARE_YEAR.finditer(PRINTED_DATE.sub(" ", line)))
        if not marks or len(tokens) != len(columns):
            continue
        positions = sorted(m.start() for m in PRINTED_DATE.finditer(line)) or [
            m.start() for m in BARE_YEAR.finditer(line)
        ]
        ordered = sorted(
            [(p, c) for p, c in zip(positions, columns, strict=False)]
            + [(m.start(), Column(label=m.group(0), is_period=False)) for m in marks],
            key=lambda pc: pc[0],
        )
        return [c for _, c in ordered]
    return columns


@dataclass
class _Header:
    """What a table's header says about its rows."""

    title: str = ""
    text: str = ""
    columns: list[Column] = field(default_factory=list)
    scale: int = 0
    share_scale: int = 0
    dollars: bool = False
    group: str = ""


def _unit_scales(unit: str) -> tuple[int, int]:
    """(scale, share-count scale) of a unit line: "In millions, except number of shares which are
    reflected in thousands" -> (6, 3); "in thousands, except share and per share data" -> (3, 0)."""
    found = _SCALE_WORD.search(unit)
    scale = SCALE_EXPONENTS[found.group(1).lower()] if found else 0
    _, _, exempt = unit.lower().partition("except")
    exempt = re.sub(r"per[\s-]+share", " ", exempt)
    shares = re.search(r"\bshares?\b(.*)", exempt)
    if not shares:
        return scale, scale
    after = _SCALE_WORD.search(shares.group(1))
    return scale, SCALE_EXPONENTS[after.group(1).lower()] if after else 0


def read_header(header: list[str]) -> _Header:
    """Title, unit, columns and the group heading a table's header lines give its rows."""
    columns_at = [i for i, h in enumerate(header) if h in _column_lines(header) or SPAN_PHRASE.search(h)]
    unit_at = next((i for i, h in enumerate(header) if _UNIT_LINE.search(h) and len(h) < 160), None)
    out = _Header(text=" ".join(header), columns=read_columns(header))
    if unit_at is not None:
        out.scale, out.share_scale = _unit_scales(header[unit_at])
    out.dollars = "$" in out.text or bool(re.search(r"\bdollars?\b", out.text, re.I))
    anchor = unit_at if unit_at is not None else (columns_at[0] if columns_at else len(header))
    skip = set(columns_at) | ({unit_at} if unit_at is not None else set())
    above = [h for i, h in enumerate(header[:anchor]) if i not in skip and _WORDS.search(h)]
    out.title = above[-1].strip() if above else ""
    after = header[max([*columns_at, *(skip - {None})], default=-1) + 1 :] if columns_at else []
    labels = [h.strip().rstrip(":").strip() for h in after if _WORDS.search(h)]
    out.group = labels[-1] if labels else ""
    return out


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


def _unit_and_scale(label: str, group: str, figure: str, head: _Header) -> tuple[str, int]:
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


def _rows(text: str, group: str) -> list[tuple[str, str, list[str]]]:
    """(group, label, figures) of every data row; label-only lines become the group of the rows
    below them (a "Total ..." row closes its group), or the first half of a wrapped label."""
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
        out.append((group, label, figures))
        if label.lower().startswith("total"):
            group = ""
    return out


def _facts(head: _Header, rows: str, page: int, doc: DocPeriod) -> list[Fact]:
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
    for group, label, figures in parsed:
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


def table_facts(header: list[str], rows: str, page: int, doc: DocPeriod) -> list[Fact]:
    """Facts of one table block (``Block.header`` lines, ``Block.text`` rows, zero-based page)."""
    try:
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
        previous: _Header | None = None
        for header, rows in blocks:
            try:
                head = read_header(header)
                if not head.columns and not _column_lines(header) and previous is not None:
                    head = replace(previous, group="")
                facts += _facts(head, rows, page, doc)
            except (ValueError, OverflowError, IndexError):
                continue
            previous = head if head.columns else previous
    return facts
