"""Typed facts from inline-XBRL tags: the figures a filing states exactly.

An EDGAR iXBRL document tags each figure it prints (``ix:nonFraction``) with its concept, a
context (the period, and the segment/product/region members it is about), a unit, a scale and a
sign. Reading those beats guessing at table cells: the period is a pair of dates, not a column
heading, and a printed "(2,722)" in a table "in millions" is -2,722 x 10^6 by the tag's own word.

Input is an ``lxml.html`` tree, which lowercases tag and attribute names (``ix:nonfraction``,
``contextref``); attribute values (context and unit ids, concept names) keep their case.

Choices worth knowing:

* ``value`` is the number as printed with ``sign="-"`` applied; ``scale`` is the tag's own.
* Units: ``iso4217:USD`` -> "USD", USD over ``xbrli:shares`` -> "USD/share", ``xbrli:shares`` ->
  "shares", other measures by their local name ("EUR", "segment"). ``xbrli:pure`` is "%" when
  printed as a percent (``scale="-2"``, or "%" printed right after the tag) and then the scale
  becomes 0, so ``Fact.amount`` is in percent (a printed "21" is 21%, not 0.21); otherwise "".
* A tag this module cannot read (unknown context or unit, a number it cannot parse, ``xsi:nil``)
  is skipped, never raised: one odd tag must not cost a filing its text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from agent.finance.periods import (
    fiscal_quarter_of,
    fiscal_year_of,
    months_between,
    parse_date,
    parse_month_day,
)
from agent.finance.statements import statement_kind
from agent.schemas import Fact, FactPeriod, StatementKind

TAG = "ix:nonfraction"
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_MONTH_DAY = re.compile(r"([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{1,2})\b")
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z]+|\d+")
_DOT_DECIMAL = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)$")
_SPACES = re.compile(r"\s+")
# Axes that cut a figure by business line, product or place (what "segment" tables show), as
# opposed to axes of equity components, share classes or debt instruments.
_SEGMENT_AXIS = re.compile(r"segment|product|service|geograph|region", re.I)
_SMALL_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = {word: n for n, word in enumerate(_SMALL_NUMBERS.split())}
_NUMBER_WORDS.update({"no": 0, "none": 0, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60})
_NUMBER_WORDS.update({"seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100})
# Filers scale by thousands to billions, and -2 for percents; a scale far past that is a broken
# tag, and would overflow any amount computed from it.
_MAX_SCALE = 24
_MONTH_WORDS = {3: "three months", 6: "six months", 9: "nine months", 12: "year"}


@dataclass(frozen=True)
class Placement:
    """Where a tag is printed, as the loader sees it: page, row label, group heading, table title;
    ``kind_title`` (title plus the table's header lines) and ``labels`` (all its row labels) let
    :func:`statement_kind` classify the table. ``labels`` empty means the tag is in prose."""

    page: int = 0
    label: str = ""
    group: str = ""
    table: str = ""
    kind_title: str = ""
    labels: tuple[str, ...] = ()
    text: str = ""
    # Whether the table cuts figures by segment, product or region; None: judge by the tag alone.
    dimensional: bool | None = None


@dataclass(frozen=True)
class _Context:
    period: FactPeriod
    dimensions: dict[str, str]


def concept_words(concept: str) -> str:
    """'us-gaap:NetIncomeLoss' -> 'Net income loss': a readable label for a fact printed in prose."""
    words = _WORDS.findall(concept.rsplit(":", 1)[-1])
    out = [w if len(w) > 1 and w.isupper() else w.lower() for w in words]
    text = " ".join(out)
    return text[:1].upper() + text[1:]


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text.replace("\xa0", " ")).strip()


def _text(el: Any) -> str:
    """An element's text; a leaf's own ``.text`` is much cheaper than lxml's ``text_content()``."""
    return _norm(el.text_content() if len(el) else el.text or "")


def _local(qname: str) -> str:
    return qname.rsplit(":", 1)[-1]


def parse_number(text: str, fmt: str | None) -> float | None:
    """The unsigned number an ``ixt`` format reads from the printed ``text``; None when it cannot.

    iXBRL prints magnitudes only (the sign is an attribute), so a minus or parenthesis inside a
    tag is malformed and not guessed at."""
    fmt_name = _local(fmt or "").lower().replace("-", "")
    raw = _norm(text)
    if fmt_name in ("fixedzero", "zerodash", "fixedempty"):
        return 0.0
    if fmt_name.startswith("numwords"):  # ixt-sec:numwordsen, ixt:num-words-en
        return _number_words(raw)
    if fmt_name in ("numcommadecimal", "numdotcomma", "numspacecomma"):
        raw = raw.replace(".", "").replace(" ", "").replace(",", ".")
    else:
        raw = raw.replace(",", "").replace(" ", "")
    if not _DOT_DECIMAL.match(raw):
        return None
    return float(raw)


def _number_words(text: str) -> float | None:
    """'three', 'twenty-one', 'no': the small counts filers write out (``ixt-sec:numwordsen``)."""
    total = 0
    words = [w for w in re.split(r"[\s-]+", text.lower()) if w and w != "and"]
    if not words:
        return None
    for word in words:
        if word not in _NUMBER_WORDS:
            return None
        total = total * 100 if word == "hundred" else total + _NUMBER_WORDS[word]
    return float(total)


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _read_units(root: Any) -> dict[str, str]:
    units: dict[str, str] = {}
    for unit in root.iter("xbrli:unit"):
        uid = unit.get("id")
        if not uid:
            continue
        num = [_norm(m.text_content()) for m in unit.iter("xbrli:unitnumerator")]
        den = [_norm(m.text_content()) for m in unit.iter("xbrli:unitdenominator")]
        if num and den:
            bottom = _unit_name(den[0])
            units[uid] = f"{_unit_name(num[0])}/{'share' if bottom == 'shares' else bottom}"
        else:
            measure = next((_norm(m.text_content()) for m in unit.iter("xbrli:measure")), "")
            units[uid] = _unit_name(measure)
    return units


def _unit_name(measure: str) -> str:
    if measure.lower() == "xbrli:pure":
        return ""
    return _local(measure)


def _read_contexts(root: Any) -> dict[str, tuple[str | None, str | None, str | None, dict[str, str]]]:
    """Context id -> (start, end, instant, dimensions) as ISO strings and QNames."""
    contexts: dict[str, tuple[str | None, str | None, str | None, dict[str, str]]] = {}
    for ctx in root.iter("xbrli:context"):
        cid = ctx.get("id")
        if not cid:
            continue
        dates = {el.tag: _text(el) for el in ctx.iter("xbrli:startdate", "xbrli:enddate", "xbrli:instant")}
        dims: dict[str, str] = {}
        for member in ctx.iter("xbrldi:explicitmember", "xbrldi:typedmember"):
            axis = member.get("dimension")
            if axis:
                dims[axis] = _text(member)
        contexts[cid] = (
            dates.get("xbrli:startdate"),
            dates.get("xbrli:enddate"),
            dates.get("xbrli:instant"),
            dims,
        )
    return contexts


def _month_day(text: str | None) -> tuple[int, int] | None:
    """A fiscal year end as ``dei:CurrentFiscalYearEndDate`` prints it: '--12-31' or 'December 31'."""
    found = parse_month_day(text)
    if found or not text:
        return found
    m = _MONTH_DAY.search(text.replace("\xa0", " "))
    month = _MONTHS.get(m.group(1).lower()) if m else None
    if not m or not month:
        return None
    try:
        date(2000, month, int(m.group(2)))
    except ValueError:
        return None
    return month, int(m.group(2))


@dataclass(frozen=True)
class DocumentPeriod:
    """The filing's own naming of its periods (its cover's dei facts), which every fact's fiscal
    year is placed against: a retailer's fiscal 2022 may end in January 2023."""

    end: date | None = None
    fiscal_year: int | None = None
    fy_end: tuple[int, int] | None = None


def _document_period(root: Any, contexts: Mapping[str, tuple[Any, ...]]) -> DocumentPeriod:
    wanted = ("DocumentFiscalYearFocus", "DocumentPeriodEndDate", "CurrentFiscalYearEndDate")
    dei: dict[str, str] = {}
    end: date | None = None
    for el in root.iter("ix:nonnumeric"):
        name = (el.get("name") or "").removeprefix("dei:")
        if name not in (*wanted, "DocumentFiscalPeriodFocus") or name in dei:
            continue
        dei[name] = _norm(el.text_content())
        if name == "DocumentPeriodEndDate":
            # The cover prints "December 31, 2022"; its context states the same date as ISO.
            start_end_instant = contexts.get(el.get("contextref") or "", (None, None, None))
            end = parse_date(dei[name]) or parse_date(start_end_instant[1] or start_end_instant[2])
    fiscal_year = _int_or_none(dei.get("DocumentFiscalYearFocus"))
    fy_end = _month_day(dei.get("CurrentFiscalYearEndDate"))
    if fy_end is None and end is not None and dei.get("DocumentFiscalPeriodFocus", "").upper() == "FY":
        fy_end = (end.month, end.day)
    return DocumentPeriod(end=end, fiscal_year=fiscal_year, fy_end=fy_end)


def _segmental(dimensions: Mapping[str, str]) -> bool:
    return any(_SEGMENT_AXIS.search(_local(axis)) for axis in dimensions)


def _duration_label(months: int, start: date, end: date) -> str:
    if months in _MONTH_WORDS:
        return f"{_MONTH_WORDS[months]} ended {end.isoformat()}"
    return f"{start.isoformat()} to {end.isoformat()}"


class IxbrlFacts:
    """A document's contexts and units, read once, turning each ``ix:nonFraction`` tag the loader
    meets into a :class:`Fact` placed where the loader saw it printed."""

    def __init__(self, root: Any) -> None:
        self.units = _read_units(root)
        raw = _read_contexts(root)
        self.document = _document_period(root, raw)
        self.contexts = {cid: _Context(self._period(*r[:3]), r[3]) for cid, r in raw.items()}
        self._kinds: dict[tuple[str, tuple[str, ...], bool], StatementKind] = {}

    def __bool__(self) -> bool:
        return bool(self.contexts)

    def _period(self, start: str | None, end: str | None, instant: str | None) -> FactPeriod:
        try:
            return self._dated_period(start, end, instant)
        except (ValueError, OverflowError):  # a date the fiscal calendar cannot place (year 9999)
            return FactPeriod()

    def _dated_period(self, start: str | None, end: str | None, instant: str | None) -> FactPeriod:
        doc = self.document
        at = parse_date(instant)
        if at is not None:
            fiscal_year = fiscal_year_of(at, doc.end, doc.fiscal_year, doc.fy_end)
            return FactPeriod(
                kind="instant", end=at.isoformat(), fiscal_year=fiscal_year, label=f"as of {at}"
            )
        first, last = parse_date(start), parse_date(end)
        if first is None or last is None:
            return FactPeriod()
        months = months_between(first, last)
        return FactPeriod(
            kind="duration",
            start=first.isoformat(),
            end=last.isoformat(),
            months=months,
            fiscal_year=fiscal_year_of(last, doc.end, doc.fiscal_year, doc.fy_end),
            fiscal_quarter=fiscal_quarter_of(first, last, doc.fy_end),
            label=_duration_label(months, first, last),
        )

    def _statement(self, where: Placement, dimensions: Mapping[str, str]) -> StatementKind:
        """The table's statement, computed once per table (and per segment-ness)."""
        if not where.labels and not where.table:
            return "other"
        dimensional = where.dimensional
        if dimensional is None:
            dimensional = _segmental(dimensions)
        key = (where.kind_title, where.labels, dimensional)
        if key not in self._kinds:
            self._kinds[key] = statement_kind(where.kind_title, where.labels, dimensional)
        return self._kinds[key]

    def segmental(self, el: Any) -> bool:
        """Whether the tag's context cuts by segment, product or region (a segment table's mark)."""
        context = self.contexts.get(el.get("contextref") or "")
        return context is not None and _segmental(context.dimensions)

    def fact(self, el: Any, where: Placement, printed: str | None = None) -> Fact | None:
        """The tag's fact, or None for a tag that cannot be read (skipped, never raised).
        ``printed`` is the tag's normalised text when the caller has it already."""
        try:
            return self._fact(el, where, _norm(el.text_content()) if printed is None else printed)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            return None

    def _fact(self, el: Any, where: Placement, printed: str) -> Fact | None:
        name = el.get("name")
        context = self.contexts.get(el.get("contextref") or "")
        unit = self.units.get(el.get("unitref") or "")
        if not name or context is None or unit is None or el.get("xsi:nil") == "true":
            return None
        number = parse_number(printed, el.get("format"))
        if number is None:
            return None
        scale = int(el.get("scale") or 0)
        if abs(scale) > _MAX_SCALE:
            return None
        if unit == "" and (
            scale == -2 or (el.tail or "").lstrip().startswith("%") or where.text.endswith("%")
        ):
            unit, scale = "%", 0 if scale == -2 else scale
        return Fact(
            id="",
            doc_id="",
            page=where.page,
            statement=self._statement(where, context.dimensions),
            table=where.table,
            label=where.label or concept_words(name),
            group=where.group,
            # Each fact its own period: a caller relabelling one must not relabel its siblings.
            period=FactPeriod(**context.period.__dict__),
            value=-number if el.get("sign") == "-" else number,
            scale=scale,
            unit=unit,
            text=where.text or printed,
            source="ixbrl",
            concept=name,
            dimensions=dict(context.dimensions),
            decimals=_int_or_none(el.get("decimals")),
        )


def _in_header(el: Any) -> bool:
    return any(a.tag == "ix:header" for a in el.iterancestors())


def read_facts(root: Any) -> list[Fact]:
    """Every readable tag's fact outside the hidden ``ix:header``, placed nowhere in particular
    (page 0, concept words as label): for callers without a page layout. The EDGAR loader places
    its facts itself, page by page and row by row."""
    reader = IxbrlFacts(root)
    if not reader:
        return []
    found = (reader.fact(el, Placement()) for el in root.iter(TAG) if not _in_header(el))
    return [f for f in found if f is not None]
