"""Plain-text filings (e.g. EDGAR .txt). Form feeds, when present, delimit pages."""

from __future__ import annotations

from pathlib import Path

from loaders.base import LoadedDocument, LoadError, Page
from loaders.encoding import decode
from loaders.tables import split_blocks

# Without form feeds, cut pages every N lines so citations still carry a usable page number.
LINES_PER_PAGE = 60


def load_text(path: Path) -> LoadedDocument:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise LoadError("binary content in a text file (wrong file type?)")
    text, warning = decode(raw)
    if not text.strip():
        raise LoadError("empty file")
    if "\f" in text:
        parts = text.split("\f")
    else:
        lines = text.splitlines()
        parts = ["\n".join(lines[i : i + LINES_PER_PAGE]) for i in range(0, len(lines), LINES_PER_PAGE)]
    pages = [Page(index=i, blocks=split_blocks(p)) for i, p in enumerate(parts)]
    return LoadedDocument(path=path, kind="text", pages=pages, warnings=[warning] if warning else [])
