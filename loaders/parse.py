"""Parse one file into structured segments + metadata. Runs in a worker process (no torch here),
so that parsing the next file overlaps with embedding the current one."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from loaders.base import LoadedDocument, LoadError
from loaders.metadata import FilingMeta, MetadataError, resolve
from loaders.sections import Segment, segment

log = logging.getLogger(__name__)

PDF_EXT = {".pdf"}
HTML_EXT = {".htm", ".html", ".xhtml"}
TEXT_EXT = {".txt"}
SUPPORTED = PDF_EXT | HTML_EXT | TEXT_EXT
# Bumped whenever the text the loaders extract changes (2: pypdf layout mode for PDF tables, year
# and date lines kept as table headers). A document read by an older version is re-read on the
# next ingest even though its bytes did not change.
PARSER_VERSION = 2


@dataclass
class Parsed:
    path: str
    sha256: str
    n_pages: int = 0
    meta: FilingMeta | None = None
    segments: list[Segment] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sniff(path: Path) -> str:
    """Which loader fits the bytes (extensions lie); raises LoadError for empty/unknown files."""
    with path.open("rb") as fh:
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


def load_any(path: Path) -> LoadedDocument:
    kind = _sniff(path)
    if kind == "pdf":
        from loaders.pdf import load_pdf

        return load_pdf(path)
    if kind == "html":
        from loaders.edgar_html import load_edgar_html

        return load_edgar_html(path)
    from loaders.text import load_text

    return load_text(path)


def parse_file(path_str: str, sha256: str) -> Parsed:
    """Load, resolve metadata and cut into Item segments; errors come back in ``Parsed.error``."""
    path = Path(path_str)
    out = Parsed(path=path_str, sha256=sha256)
    try:
        doc = load_any(path)
        first = len(doc.pages[0].text) if doc.pages else 0
        meta = resolve(path, doc.xbrl, doc.head_text(5), first)
        out.meta = meta
        out.n_pages = doc.n_pages
        out.segments = segment(doc.pages, meta.form_type)
        out.warnings = doc.warnings
    except (LoadError, MetadataError, OSError) as exc:
        out.error = str(exc)
    except RecursionError:
        out.error = "document structure too deeply nested to parse"
    except Exception as exc:  # one malformed file must not abort the batch;
        # the cause is reported against this file only and nothing of it is written.
        log.debug("parse failure", exc_info=True)
        out.error = f"unexpected parser error ({type(exc).__name__}: {exc})"
    return out
