"""Parse one file into structured segments + metadata. Runs in a worker process (no torch here),
so that parsing the next file overlaps with embedding the current one."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from agent.schemas import Fact
from loaders.base import LoadedDocument, LoadError, Page, page_limit_message
from loaders.crossref import cross_reference, place_items
from loaders.metadata import FilingMeta, MetadataError, resolve
from loaders.sections import Segment, segment

log = logging.getLogger(__name__)

PDF_EXT = {".pdf"}
HTML_EXT = {".htm", ".html", ".xhtml"}
TEXT_EXT = {".txt"}
SUPPORTED = PDF_EXT | HTML_EXT | TEXT_EXT
# Bumped whenever the text the loaders extract changes (2: pypdf layout mode for PDF tables, year
# and date lines kept as table headers). A document read by an older version is re-read on the
# next ingest even though its bytes did not change. 3: typed facts (table cells, iXBRL tags).
# 4: Items placed from a cross-reference index (loaders/crossref.py), whose lines are no headings.
PARSER_VERSION = 4
# Bumped whenever the facts read from the same text change (2: table headers that are sentences;
# 3: column years printed at the end of the unit line; a month-day per span over its years; dated
# heading lines left at the top of a table's rows; 4: one printed date followed by bare years that
# share its month and day, "September 30, 2022 2021"; 5: a "Net cash ..." row is in no group; 6: a
# footnote mark after a row's label, "Online stores (1) $ 51,129", and a month glued to the word
# before it, "Three Months EndedMarch 31,"; 7: a small number after a capitalised word is part of
# the row's name, "Corporate bonds Level 2 416,420 213,875").
# A document whose facts are older is re-read for its facts only: its chunks and vectors stay.
FACTS_VERSION = 7


@dataclass
class Parsed:
    path: str
    sha256: str
    n_pages: int = 0
    meta: FilingMeta | None = None
    segments: list[Segment] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Why the content does not look like a filing (no cover, no Items, no figures), or None.
    not_a_filing: str | None = None


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading; a FIFO, socket or device is refused instead of blocking
    (the check is made on the opened descriptor, so a file swapped for a FIFO is caught too)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open_regular(path) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sniff(path: Path) -> str:
    """Which loader fits the bytes (extensions lie); raises LoadError for empty/unknown files."""
    with open_regular(path) as fh:
        head = fh.read(2048)
    if not head.strip():
        raise LoadError("empty file")
    ext = path.suffix.lower()
    lower = head.lstrip().lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if ext in PDF_EXT:
        raise LoadError(f"not a PDF (file starts with {head[:8]!r})")
    if ext in HTML_EXT:
        if lower.startswith((b"<", b"\xef\xbb\xbf<")):
            return "html"
        raise LoadError(f"not HTML (file starts with {head[:8]!r})")
    if ext in TEXT_EXT:
        if b"\x00" in head:
            raise LoadError("binary content in a .txt file (wrong file type?)")
        return "text"
    raise LoadError(f"unsupported file type {ext or '(no extension)'} (use .pdf, .htm/.html or .txt)")


def _segments(pages: list[Page], form: str | None) -> list[Segment]:
    """The blocks cut and labelled at Item headings; a filing that prints a cross-reference index
    instead of headings gets its Items from that index (:mod:`loaders.crossref`); the index's
    own lines are never headings."""
    xref = cross_reference(pages) if form and form.startswith(("10-K", "10-Q")) else None
    if xref is None or form is None:
        return segment(pages, form)
    segments = segment(pages, form, frozenset({xref.page}))
    return (
        place_items(segments, xref, is_10q=form.startswith("10-Q")) if xref.offset is not None else segments
    )


def load_any(path: Path, max_pages: int | None = None) -> LoadedDocument:
    """Load with the loader the bytes call for; more than ``max_pages`` pages is a LoadError
    (a PDF's page count is checked before any text is extracted)."""
    kind = _sniff(path)
    if kind == "pdf":
        from loaders.pdf import load_pdf

        doc = load_pdf(path, max_pages=max_pages)
    elif kind == "html":
        from loaders.edgar_html import load_edgar_html

        doc = load_edgar_html(path)
    else:
        from loaders.text import load_text

        doc = load_text(path)
    if max_pages is not None and doc.n_pages > max_pages:
        raise LoadError(page_limit_message(doc.n_pages, max_pages))
    return doc


_NUMBER = re.compile(r"\d[\d,]*\.?\d*")


def filing_evidence(meta: FilingMeta, segments: list[Segment]) -> list[str]:
    """What in the content marks it as a filing: cover or XBRL facts, a sidecar the user wrote,
    Item headings, tables of figures. A file name alone is not evidence."""
    found = {src for key, src in meta.sources.items() if key in ("company", "form_type", "cik", "accession")}
    evidence = sorted(found & {"sidecar", "xbrl", "cover"})
    if any(s.item for s in segments):
        evidence.append("item headings")
    if any(s.block.kind == "table" and len(_NUMBER.findall(s.block.text)) >= 4 for s in segments):
        evidence.append("tables of figures")
    return evidence


def _facts(doc: LoadedDocument, meta: FilingMeta, warnings: list[str]) -> list[Fact]:
    """The document's typed facts; a table the fact reader trips over costs its facts, never the
    filing (its text is still indexed), and the ingest report says so."""
    from loaders.facts import read_facts

    try:
        return read_facts(doc, meta)
    except Exception as exc:
        log.debug("fact extraction failure", exc_info=True)
        warnings.append(f"figures not read as facts ({type(exc).__name__}: {exc})")
        return []


def parse_file(path_str: str, sha256: str, max_pages: int | None = None) -> Parsed:
    """Load, resolve metadata and cut into Item segments; errors come back in ``Parsed.error``."""
    path = Path(path_str)
    out = Parsed(path=path_str, sha256=sha256)
    try:
        doc = load_any(path, max_pages)
        first = len(doc.pages[0].text) if doc.pages else 0
        meta = resolve(path, doc.xbrl, doc.head_text(5), first)
        out.meta = meta
        out.n_pages = doc.n_pages
        out.segments = _segments(doc.pages, meta.form_type)
        out.warnings = doc.warnings
        out.facts = _facts(doc, meta, out.warnings)
        if not filing_evidence(meta, out.segments):
            out.not_a_filing = (
                "does not look like a filing (no cover page, Item headings or tables of figures found); "
                f"add a sidecar {path.name}.meta.json naming the company, or ingest it with --force"
            )
    except (LoadError, MetadataError, OSError) as exc:
        out.error = str(exc)
    except RecursionError:
        out.error = "document structure too deeply nested to parse"
    except Exception as exc:  # one malformed file must not abort the batch;
        # the cause is reported against this file only and nothing of it is written.
        log.debug("parse failure", exc_info=True)
        out.error = f"unexpected parser error ({type(exc).__name__}: {exc})"
    return out
