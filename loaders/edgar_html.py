"""EDGAR HTML / inline-XBRL primary documents.

Visible text in document order, the hidden ``ix:header`` dropped, tables rendered one row per
line with their header rows kept apart (so the chunker can repeat them), pages cut at the
``page-break-before/after`` styles EDGAR filers use, and cover facts read from ``dei:`` tags.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from agent.finance.ixbrl import TAG, IxbrlFacts, Placement, concept_words
from agent.schemas import Fact
from agent.text import MONTHS_RE
from loaders.base import ITEM_LINE, Block, LoadedDocument, LoadError, Page
from loaders.encoding import declared_encoding, detect
from loaders.tables import UNIT_LINE

_SKIP = {"script", "style", "head", "title", "ix:header", "noscript"}
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "hr",
    "section",
    "article",
    "center",
    "blockquote",
    "pre",
    "dt",
    "dd",
    "font_block",
}
_WS = re.compile(r"\s+")
_NUMERIC_CELL = re.compile(r"^\(?-?\$?\s?\d[\d,]*(?:\.\d+)?\)?%?$")
_YEAR_CELL = re.compile(r"^(?:19|20)\d\d$")
_FIGURE_DECOR = re.compile(r"[$()%\s]")
_TOTAL_ROW = re.compile(r"^total\b", re.IGNORECASE)
_RUNNING_HEADER = re.compile(r"^table of contents$", re.IGNORECASE)
_DASH_CELL = re.compile(r"^\$?\s?[—–-]+$")
# "Year Ended December 31," / "December 31," above the years: a column heading, not a row group.
_PERIOD_HEADING = re.compile(rf"\b(?:ended|ending|as of)\b|^(?:{MONTHS_RE})\b", re.IGNORECASE)
DEI_FIELDS = (
    "EntityRegistrantName",
    "TradingSymbol",
    "EntityCentralIndexKey",
    "DocumentType",
    "DocumentFiscalYearFocus",
    "DocumentFiscalPeriodFocus",
    "DocumentPeriodEndDate",
    "AmendmentFlag",
)


def _norm(text: str) -> str:
    return _WS.sub(" ", text.replace("\xa0", " ")).strip()


def _style(el: Any) -> str:
    return (el.get("style") or "").lower().replace(" ", "")


_INVISIBLE = re.compile(
    r"display:none|visibility:hidden|font-size:0(?:\.0+)?(?:px|pt|em|rem|%)?(?:;|$)|opacity:0(?:\.0+)?(?:;|$)"
)


def _hidden(el: Any, style: str) -> bool:
    """Text a person reading the filing never sees is not indexed either: it could only address a
    machine reader (hidden prompt injection). iXBRL's hidden header is read by ``read_dei``."""
    return bool(_INVISIBLE.search(style)) or el.get("hidden") is not None or el.get("aria-hidden") == "true"


def read_dei(root: Any) -> dict[str, str]:
    """First value of each ``dei:`` cover fact we use (hidden header included)."""
    facts: dict[str, str] = {}
    for el in root.iter("ix:nonnumeric"):
        name = el.get("name") or ""
        if not name.startswith("dei:"):
            continue
        key = name[4:]
        if key in DEI_FIELDS and key not in facts:
            value = _norm(el.text_content())
            if value:
                facts[key] = value
    return facts


def _cell_spans(tr: Any) -> list[tuple[str, list[Any]]]:
    """A row's rendered cells, each with the ``td``/``th`` elements glued into it."""
    cells: list[tuple[str, list[Any]]] = []
    for td in tr:
        if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
            continue
        text = _norm(td.text_content())
        if not text:
            continue
        # EDGAR splits "$", the number and ")" / "%" into separate cells; glue them back.
        if cells and (cells[-1][0] in ("$", "(", "$(") or text in (")", "%", ")%", "%)")):
            cells[-1] = (cells[-1][0] + text, [*cells[-1][1], td])
        else:
            cells.append((text, [td]))
    return cells


def _first_data(rows: list[list[str]]) -> int | None:
    """Index of the first row with figures; the rows above it are the table's column headings."""
    return next(
        (
            i
            for i, r in enumerate(rows)
            # a row of bare years is a column header, not data
            if any(_NUMERIC_CELL.match(c) for c in r[1:]) and not all(_YEAR_CELL.match(c) for c in r)
        ),
        None,
    )


def _render_table(rows: list[list[str]]) -> tuple[list[str], list[str], bool]:
    """(header rows, data rows, looks-numeric) of an HTML table's non-empty rendered rows."""
    first_data = _first_data(rows)
    if first_data is None:
        return [], [" ".join(r) for r in rows], False
    header = [" | ".join(r) for r in rows[:first_data]]
    data = [" | ".join(r) for r in rows[first_data:]]
    return header, data, True


class _Walker:
    def __init__(self, ix: IxbrlFacts | None = None) -> None:
        self.pages: list[list[Block | str]] = [[]]
        self.buf: list[str] = []
        self.ix = ix
        self.facts: list[Fact] = []

    def flush(self) -> None:
        line = _norm("".join(self.buf))
        self.buf = []
        if line:
            self.pages[-1].append(line)

    def new_page(self) -> None:
        self.flush()
        if self.pages[-1]:
            self.pages.append([])

    def walk(self, el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None:  # comments, processing instructions
            if el.tail:
                self.buf.append(el.tail)
            return
        style = _style(el)
        if tag in _SKIP or _hidden(el, style):
            if el.tail:
                self.buf.append(el.tail)
            return
        if "page-break-before:always" in style:
            self.new_page()
        if tag == "table":
            self.flush()
            self.table(el)
        else:
            if tag == TAG and self.ix:
                self.prose_fact(el)
            block = tag in _BLOCK
            if block:
                self.flush()
            if el.text:
                self.buf.append(el.text)
            for child in el:
                self.walk(child)
            if block:
                self.flush()
        if "page-break-after:always" in style:
            self.new_page()
        if el.tail:
            self.buf.append(el.tail)

    def table(self, el: Any) -> None:
        spans = [(tr, cells) for tr in el.iter("tr") if (cells := _cell_spans(tr))]
        rows = [[text for text, _ in cells] for _, cells in spans]
        header, data, numeric = _render_table(rows)
        if self.ix:
            title = _table_title(self.pages[-1])
            table = _Table(spans, rows, _first_data(rows) or 0, title, " ".join([title, *header]))
            self.facts += table.facts(el, self.ix, len(self.pages) - 1)
        if numeric:
            self.pages[-1].append(Block("\n".join(data), kind="table", header=header))
        else:
            self.pages[-1].extend(data)

    def prose_fact(self, el: Any) -> None:
        """A tag in running text: its page, and the concept's words for a label."""
        assert self.ix is not None
        fact = self.ix.fact(
            el, Placement(page=len(self.pages) - 1, label=concept_words(el.get("name") or ""))
        )
        if fact is not None:
            self.facts.append(fact)


def _table_title(items: list[Block | str]) -> str:
    """The title a table gets in its block header (see :func:`_lead`), else the short line just
    above it, which in EDGAR HTML is usually a heading."""
    tail: list[str] = []
    for item in reversed(items):
        if not isinstance(item, str) or len(tail) == 4:
            break
        if not _RUNNING_HEADER.match(item):
            tail.insert(0, item)
    lead = _lead(tail)
    if lead:
        return " ".join(lead)
    if tail and len(tail[-1]) < 120 and not ITEM_LINE.match(tail[-1]):
        return tail[-1]
    return ""


class _Table:
    """One HTML table's rows, for placing the iXBRL tags printed in it: each tag's row label,
    the group heading above its row, and the table's title and row labels (its statement)."""

    def __init__(
        self,
        spans: list[tuple[Any, list[tuple[str, list[Any]]]]],
        rows: list[list[str]],
        first: int,
        title: str,
        kind_title: str,
    ) -> None:
        self.spans, self.rows, self.first, self.title, self.kind_title = spans, rows, first, title, kind_title
        self.index = {tr: i for i, (tr, _) in enumerate(spans)}
        self.labels = tuple(label for r in rows[first:] if (label := _row_label(r)))

    def facts(self, table: Any, ix: IxbrlFacts, page: int) -> list[Fact]:
        tags = list(table.iter(TAG))
        # A table is a segment table as a whole: its "Consolidated" row has no segment axis.
        dimensional = any(ix.segmental(el) for el in tags)
        found = (self.fact(el, table, ix, page, dimensional) for el in tags)
        return [f for f in found if f is not None]

    def fact(self, el: Any, table: Any, ix: IxbrlFacts, page: int, dimensional: bool) -> Fact | None:
        printed = _norm(el.text_content())
        label = group = ""
        text = printed
        tr, td = _row_of(el, table)
        i = self.index.get(tr) if tr is not None else None
        if i is not None:
            own = next((cell for cell, tds in self.spans[i][1] if td is not None and td in tds), "")
            # The cell as printed ("$(2,722)") when it holds only this figure; else the tag's own text.
            if own and _FIGURE_DECOR.sub("", own) == printed.replace(" ", ""):
                text = own
            label, group = _row_label(self.rows[i], exclude=own), self.group(i)
        where = Placement(
            page=page,
            label=label,
            group=group,
            table=self.title,
            kind_title=self.kind_title,
            labels=self.labels,
            text=text,
            dimensional=dimensional,
        )
        return ix.fact(el, where, printed)

    def group(self, i: int) -> str:
        """The nearest label-only row above row ``i`` ("Net sales:"), not crossing the column
        headings (a row of several cells above the first row of figures)."""
        for j in range(i - 1, -1, -1):
            row = self.rows[j]
            if len(row) == 1 and not _NUMERIC_CELL.match(row[0]):
                return "" if _PERIOD_HEADING.search(row[0]) else row[0]
            # A "Total ..." row above closes the group it summed: the row is not in it.
            if j < self.first or _TOTAL_ROW.match(row[0]):
                return ""
        return ""


def _row_of(el: Any, table: Any) -> tuple[Any, Any]:
    """The ``tr`` a tag sits in and the row's ``td``/``th`` holding it (None outside rows)."""
    cell = None
    for parent in el.iterancestors():
        if parent is table:
            break
        if parent.tag in ("td", "th"):
            cell = parent
        elif parent.tag == "tr":
            return parent, cell
    return None, None


def _row_label(row: list[str], exclude: str = "") -> str:
    """The row's first cell that is not a figure; a bare year ("2023") when that is all it has."""
    for cell in row:
        if cell != exclude and not _NUMERIC_CELL.match(cell) and not _DASH_CELL.match(cell):
            return cell
    first = row[0] if row else ""
    return first if first != exclude and _YEAR_CELL.match(first) else ""


def _lead(prose: list[str]) -> list[str]:
    """The title and unit line ("(in millions)") just above a table, which join its header."""
    for k in range(1, min(3, len(prose)) + 1):
        if UNIT_LINE.search(prose[-k]) and len(prose[-k]) < 200:
            title_ok = k < len(prose) and len(prose[-k - 1]) < 120 and not ITEM_LINE.match(prose[-k - 1])
            lead = prose[-k - 1 :] if title_ok else prose[-k:]
            return [ln for ln in lead if not ITEM_LINE.match(ln)]
    return []


def _to_blocks(items: list[Block | str]) -> list[Block]:
    blocks: list[Block] = []
    prose: list[str] = []
    for item in items:
        if isinstance(item, str):
            prose.append(item)
            continue
        lead = _lead(prose)
        if lead:
            del prose[len(prose) - len(lead) :]
        if prose:
            blocks.append(Block("\n".join(prose)))
            prose = []
        blocks.append(Block(item.text, kind="table", header=lead + item.header))
    if prose:
        blocks.append(Block("\n".join(prose)))
    return blocks


def _ixbrl(root: Any, warnings: list[str]) -> IxbrlFacts | None:
    """The document's iXBRL contexts and units, or None without any. Its text is worth indexing
    even when its tags are not readable, so a failure here costs the facts, not the filing."""
    try:
        ix = IxbrlFacts(root)
    except Exception as exc:  # a hostile header must not fail the load
        warnings.append(f"inline-XBRL facts not read ({type(exc).__name__}: {exc})")
        return None
    return ix if ix else None


def load_edgar_html(path: Path) -> LoadedDocument:
    """Pages of prose/table blocks plus ``dei:`` cover facts. Raises :class:`LoadError`."""
    import lxml.etree
    import lxml.html

    raw = path.read_bytes()
    if not raw.strip():
        raise LoadError("empty file")
    warnings: list[str] = []
    parser = None
    if declared_encoding(raw[:4096]) is None:
        # lxml would guess Latin-1 for undeclared non-UTF-8 bytes: cp1252's "€" became a control code.
        encoding, warning = detect(raw)
        parser = lxml.html.HTMLParser(encoding=encoding)
        warnings += [warning] if warning else []
    try:
        root = lxml.html.fromstring(raw, parser=parser)
    except (lxml.etree.ParserError, ValueError, LookupError) as exc:
        raise LoadError(f"unparseable HTML ({exc})") from exc
    dei = read_dei(root)
    body = root.find("body")
    walker = _Walker(_ixbrl(root, warnings))
    walker.walk(body if body is not None else root)
    walker.flush()
    pages = [Page(index=i, blocks=_to_blocks(items)) for i, items in enumerate(p for p in walker.pages if p)]
    if sum(len(p.text) for p in pages) < 200:
        raise LoadError("no visible text in HTML")
    # Only a trailing page can be empty (a page is opened only after a non-empty one).
    for fact in walker.facts:
        fact.page = min(fact.page, len(pages) - 1)
    return LoadedDocument(
        path=path, kind="html", pages=pages, xbrl=dei, warnings=warnings, facts=walker.facts
    )
