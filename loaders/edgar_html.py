"""EDGAR HTML / inline-XBRL primary documents.

Visible text in document order, the hidden ``ix:header`` dropped, tables rendered one row per
line with their header rows kept apart (so the chunker can repeat them), pages cut at the
``page-break-before/after`` styles EDGAR filers use, and cover facts read from ``dei:`` tags.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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


def _row_cells(tr: Any) -> list[str]:
    cells: list[str] = []
    for td in tr:
        if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
            continue
        text = _norm(td.text_content())
        if not text:
            continue
        # EDGAR splits "$", the number and ")" / "%" into separate cells; glue them back.
        if cells and cells[-1] in ("$", "(", "$("):
            cells[-1] = cells[-1] + text
        elif cells and text in (")", "%", ")%", "%)"):
            cells[-1] += text
        else:
            cells.append(text)
    return cells


def _render_table(table: Any) -> tuple[list[str], list[str], bool]:
    """(header rows, data rows, looks-numeric) of an HTML table."""
    rows = [_row_cells(tr) for tr in table.iter("tr")]
    rows = [r for r in rows if r]
    first_data = next(
        (
            i
            for i, r in enumerate(rows)
            # a row of bare years is a column header, not data
            if any(_NUMERIC_CELL.match(c) for c in r[1:]) and not all(_YEAR_CELL.match(c) for c in r)
        ),
        None,
    )
    if first_data is None:
        return [], [" ".join(r) for r in rows], False
    header = [" | ".join(r) for r in rows[:first_data]]
    data = [" | ".join(r) for r in rows[first_data:]]
    return header, data, True


class _Walker:
    def __init__(self) -> None:
        self.pages: list[list[Block | str]] = [[]]
        self.buf: list[str] = []

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
            header, data, numeric = _render_table(el)
            if numeric:
                self.pages[-1].append(Block("\n".join(data), kind="table", header=header))
            else:
                self.pages[-1].extend(data)
        else:
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


def _to_blocks(items: list[Block | str]) -> list[Block]:
    blocks: list[Block] = []
    prose: list[str] = []
    for item in items:
        if isinstance(item, str):
            prose.append(item)
            continue
        # Attach the title and unit line ("(in millions)") just above the table to its header.
        lead: list[str] = []
        for k in range(1, min(3, len(prose)) + 1):
            if UNIT_LINE.search(prose[-k]) and len(prose[-k]) < 200:
                title_ok = k < len(prose) and len(prose[-k - 1]) < 120 and not ITEM_LINE.match(prose[-k - 1])
                lead = prose[-k - 1 :] if title_ok else prose[-k:]
                lead = [ln for ln in lead if not ITEM_LINE.match(ln)]
                break
        if lead:
            del prose[len(prose) - len(lead) :]
        if prose:
            blocks.append(Block("\n".join(prose)))
            prose = []
        blocks.append(Block(item.text, kind="table", header=lead + item.header))
    if prose:
        blocks.append(Block("\n".join(prose)))
    return blocks


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
    facts = read_dei(root)
    body = root.find("body")
    walker = _Walker()
    walker.walk(body if body is not None else root)
    walker.flush()
    pages = [Page(index=i, blocks=_to_blocks(items)) for i, items in enumerate(p for p in walker.pages if p)]
    if sum(len(p.text) for p in pages) < 200:
        raise LoadError("no visible text in HTML")
    return LoadedDocument(path=path, kind="html", pages=pages, xbrl=facts, warnings=warnings)
