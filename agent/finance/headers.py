"""A table's header read once: its columns (the periods they name), its unit line (the scale),
its title and the group heading its first rows sit under.

PDF text keeps no cell structure, so a header is read from its lines: dated headings ("Three
Months Ended ... July 1, 2023", bare years, stacked "December 31," over "2022"), a span phrase
shared by the dates below it, and a unit line ("In millions, except per share amounts"), which may
carry the column years at its end. A line with many other words is a sentence, whose dates name
no column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from agent.finance.labels import ASIDE
from agent.finance.periods import (
    BARE_YEAR,
    MONTH_DAY,
    MONTH_NAME,
    PRINTED_DATE,
    SPAN_PHRASE,
    dated_headings,
    span_of,
)
from agent.finance.units import SCALE_EXPONENTS

_WORDS = re.compile(r"[A-Za-z]{2,}")


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


_UNIT_LINE = re.compile(r"\b(?:in\s+)?(?:thousands|millions|billions)\b", re.I)

_SCALE_WORD = re.compile(r"\b(thousands|millions|billions)\b", re.I)

_CHANGE = re.compile(r"%\s*change|\bchange\b|\bvariance\b|%\s+of\b|\bpercent(?:age)?\b", re.I)

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


# PDF text can glue a heading's words to the month after them: "Three Months EndedMarch 31,".
_GLUED_MONTH = re.compile(rf"(?<=[a-z])(?=[A-Z])(?=(?i:{MONTH_NAME})\s+\d)")


def _unglued(line: str) -> str:
    return _GLUED_MONTH.sub(" ", line)


def _is_sentence(line: str) -> bool:
    # "(Dollars in Millions Except Per Share Data) 2023 2022" is a unit aside before the headings.
    words = re.findall(r"[A-Za-z][A-Za-z.]*", ASIDE.sub(" ", _UNIT_LEAD.sub(" ", line)))
    return sum(not _HEADING_WORDS.match(w.rstrip(".")) for w in words) > MAX_OTHER_WORDS


def column_lines(header: list[str]) -> list[str]:
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
    header = [_unglued(h) for h in header]
    lines = [re.sub(r"\s+", " ", h.replace("|", " ")).strip() for h in column_lines(header)]
    dated = dated_headings(lines)
    if not dated or any(_RANGE.search(h) for h in header):
        return []  # "April 2, 2023 to May 6, 2023": date ranges pair dates we cannot pair
    # Spans in heading order, from any header line but a unit line or a title comparing years.
    heading = [
        h for h in header if not _COMPARES.search(h) and (not _UNIT_LINE.search(h) or h in column_lines([h]))
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
class Header:
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


def read_header(header: list[str]) -> Header:
    """Title, unit, columns and the group heading a table's header lines give its rows."""
    header = [_unglued(h) for h in header]
    columns_at = [i for i, h in enumerate(header) if h in column_lines(header) or SPAN_PHRASE.search(h)]
    unit_at = next((i for i, h in enumerate(header) if _UNIT_LINE.search(h) and len(h) < 160), None)
    out = Header(text=" ".join(header), columns=read_columns(header))
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
