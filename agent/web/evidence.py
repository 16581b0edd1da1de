"""Evidence for the browser: a cited page (PDF: size, rendered PNG and highlight boxes of the quote
from the PDF text layer; HTML/text: the page's text and the quote's character spans) and chunks.

Documents are addressed by doc id only; the file comes from the manifest record. pdfium is not
thread-safe, so every pypdfium2 call holds :data:`_PDFIUM`. Blocking: run in a worker thread.
"""

from __future__ import annotations

import functools
import io
import json
import re
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote as quote_url

from agent.config import Settings
from agent.retrieval.manifest import DocumentRecord
from agent.web.library import WebError, find_record, kind_of, open_manifest

RENDER_WIDTH = 1000  # px of a rendered page
MAX_SPANS = 40
_PDFIUM = threading.Lock()

# --- quote matching ----------------------------------------------------------------------------
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "−": "-", "\xa0": " "})
_FIGURE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{5,}|\d+(?:\.\d+)?\s?%")
_FRAGMENT_SPLIT = re.compile(r"\n|\s{2,}|\|")


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` lower-cased without whitespace, soft hyphens or line-end hyphens, with quotes and
    dashes folded; and for each kept character its offset in ``text``."""
    out: list[str] = []
    where: list[int] = []
    folded = text.translate(_FOLD)
    n = len(folded)
    for i, ch in enumerate(folded):
        if ch.isspace() or ch == "\xad":
            continue
        if ch == "-" and i > 0 and folded[i - 1].isalpha():
            j = i + 1
            while j < n and folded[j] in " \t":
                j += 1
            if j < n and folded[j] in "\r\n":  # "finan-\ncial" -> "financial"
                continue
        out.append(ch.lower())
        where.append(i)
    return "".join(out), where


def _occurrences(norm: str, where: list[int], needle: str) -> list[tuple[int, int]]:
    key, _ = normalise(needle)
    if len(key) < 3:
        return []
    spans: list[tuple[int, int]] = []
    start = norm.find(key)
    while start >= 0 and len(spans) < MAX_SPANS:
        spans.append((where[start], where[start + len(key) - 1] + 1))
        start = norm.find(key, start + len(key))
    return spans


def _fallbacks(quote: str) -> list[str]:
    """Figure-bearing fragments of the quote (table cells, lines), longest first, then its figures."""
    parts = {p.strip() for p in _FRAGMENT_SPLIT.split(quote) if re.search(r"\d", p)}
    figures = {m.group(0) for m in _FIGURE.finditer(quote)}
    return sorted(parts, key=len, reverse=True) + sorted(figures - parts, key=len, reverse=True)


def find_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Where ``quote`` is in ``text`` as [start, end) offsets: the whole quote (whitespace, case,
    hyphenation ignored); else its figure-bearing fragments; else its first ~60 characters."""
    quote = (quote or "").strip()
    if not quote or not text:
        return []
    norm, where = normalise(text)
    if spans := _occurrences(norm, where, quote):
        return spans
    found: list[tuple[int, int]] = []
    for part in _fallbacks(quote):
        found += [s for s in _occurrences(norm, where, part) if not _covered(s, found)]
    if found:
        return sorted(found)[:MAX_SPANS]
    return _occurrences(norm, where, quote[:60])


def _covered(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in spans)


# --- documents ---------------------------------------------------------------------------------
def _record(settings: Settings, doc_id: str) -> DocumentRecord:
    rec = find_record(settings, doc_id)
    if rec is None:
        raise WebError(404, f"no document with id {doc_id!r}")
    return rec


def _file(rec: DocumentRecord) -> Path:
    path = Path(rec.source_path)
    if not path.is_file():
        raise WebError(410, f"the file of {rec.doc_id} is gone ({path.name}); re-ingest it")
    return path


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path), st.st_mtime_ns, st.st_size


def page_chunks_meta(settings: Settings, doc_id: str, page: int) -> list[dict[str, Any]]:
    """Metadata of the committed chunks on a 1-based page, in document order."""
    manifest = open_manifest(settings)
    if manifest is None:
        return []
    try:
        rows = manifest.conn.execute(
            "SELECT meta FROM chunks WHERE doc_id=? AND json_extract(meta, '$.page')=? ORDER BY chunk_index",
            (doc_id, page - 1),
        ).fetchall()
    finally:
        manifest.close()
    return [json.loads(r[0]) for r in rows]


def page_json(settings: Settings, doc_id: str, page: int, quote: str | None) -> dict[str, Any]:
    rec = _record(settings, doc_id)
    if not 1 <= page <= rec.pages:
        raise WebError(404, f"page {page} is out of range (1-{rec.pages})")
    path = _file(rec)
    kind = kind_of(rec.source_path)
    metas = page_chunks_meta(settings, doc_id, page)
    # The first chunk with a section: a page's first chunk often carries over the previous page's end.
    first = next((m for m in metas if m.get("section")), metas[0] if metas else {})
    out: dict[str, Any] = {
        "doc_id": rec.doc_id,
        "company": rec.company,
        "form_type": rec.form_type,
        "period": rec.period_label,
        "section": first.get("section"),
        "item": first.get("item"),
        "page": page,
        "pages": rec.pages,
        "kind": kind,
        "file_name": path.name,
        "image": None,
        "width": None,
        "height": None,
        "text": None,
        "highlights": [],
        "spans": [],
    }
    if kind == "pdf":
        width, height, boxes = pdf_page(_stamp(path), page, quote or "")
        image = f"/web/api/documents/{quote_url(doc_id, safe=':')}/pages/{page}/image"
        out.update(image=image, width=width, height=height, highlights=boxes)
    else:
        texts = page_texts(_stamp(path))
        text = texts[page - 1] if page <= len(texts) else ""
        out.update(text=text, spans=[list(s) for s in find_spans(text, quote or "")])
    return out


@functools.lru_cache(maxsize=4)
def page_texts(stamp: tuple[str, int, int]) -> list[str]:
    """Each page's text of an HTML/text filing as the loaders read it (cached per file version)."""
    from loaders.base import LoadError
    from loaders.parse import load_any

    try:
        return [p.text for p in load_any(Path(stamp[0])).pages]
    except (LoadError, OSError) as exc:
        raise WebError(410, f"cannot read {Path(stamp[0]).name}: {exc}") from None


@functools.lru_cache(maxsize=64)
def pdf_page(stamp: tuple[str, int, int], page: int, quote: str) -> tuple[float, float, list[dict]]:
    """(width, height) in points and the quote's boxes as fractions of the page, origin top-left."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with _PDFIUM:
        doc = pdfium.PdfDocument(stamp[0])
        try:
            pg = doc[page - 1]
            width, height = pg.get_size()
            left, bottom, right, top = pg.get_bbox()
            textpage = pg.get_textpage()
            n = textpage.count_chars()
            text = "".join(chr(raw.FPDFText_GetUnicode(textpage.raw, i)) for i in range(n))
            boxes = []
            for start, end in find_spans(text, quote):
                for i in range(textpage.count_rects(start, end - start)):
                    x0, y0, x1, y1 = textpage.get_rect(i)
                    boxes.append(_fraction(x0, y0, x1, y1, (left, bottom, right, top)))
        finally:
            doc.close()
    return float(width), float(height), boxes


def _fraction(x0: float, y0: float, x1: float, y1: float, bbox: tuple[float, ...]) -> dict[str, float]:
    left, bottom, right, top = bbox
    w, h = (right - left) or 1.0, (top - bottom) or 1.0

    def clamp(v: float) -> float:
        return round(min(1.0, max(0.0, v)), 5)

    x, y = clamp((x0 - left) / w), clamp((top - y1) / h)
    return {"x": x, "y": y, "w": clamp((x1 - left) / w - x), "h": clamp((top - y0) / h - y)}


def page_png(settings: Settings, doc_id: str, page: int) -> bytes:
    rec = _record(settings, doc_id)
    if kind_of(rec.source_path) != "pdf":
        raise WebError(404, f"{doc_id} is not a PDF: it has no page images")
    if not 1 <= page <= rec.pages:
        raise WebError(404, f"page {page} is out of range (1-{rec.pages})")
    return _render(_stamp(_file(rec)), page)


@functools.lru_cache(maxsize=24)
def _render(stamp: tuple[str, int, int], page: int) -> bytes:
    import pypdfium2 as pdfium

    with _PDFIUM:
        doc = pdfium.PdfDocument(stamp[0])
        try:
            pg = doc[page - 1]
            image = pg.render(scale=RENDER_WIDTH / (pg.get_width() or RENDER_WIDTH)).to_pil()
        finally:
            doc.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def chunk_json(settings: Settings, chunk_id: str) -> dict[str, Any]:
    manifest = open_manifest(settings)
    found = {} if manifest is None else manifest.get_chunks([chunk_id])
    if manifest is not None:
        manifest.close()
    chunk = found.get(chunk_id)
    if chunk is None:
        raise WebError(404, f"no chunk with id {chunk_id!r}")
    m = chunk.metadata
    return {
        "chunk_id": chunk.id,
        "doc_id": m.doc_id,
        "company": m.company,
        "form_type": m.form_type,
        "period": m.period_label,
        "page": m.page_number,
        "section": m.section,
        "text": chunk.text,
    }
