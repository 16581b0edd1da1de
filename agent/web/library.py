"""The library routes' work: list, upload (type/size checks, then the `filings ingest` pipeline) and
remove committed filings. Blocking functions: the app runs them in a worker thread."""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from agent.config import Settings
from agent.retrieval.manifest import DocumentRecord, Manifest
from agent.terminal import safe

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

KINDS = {".pdf": "pdf", ".htm": "html", ".html": "html", ".xhtml": "html", ".txt": "text"}
UPLOAD_EXT = (".pdf", ".htm", ".html", ".txt")
PDF_MAGIC = b"%PDF-"


class WebError(Exception):
    """A request that cannot be served: an HTTP status and one line for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = one_line(message)


def one_line(text: object, limit: int = 400) -> str:
    line = safe(text, multiline=False)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def kind_of(path: str) -> str:
    """'pdf', 'html' or 'text', from the file name the index recorded."""
    return KINDS.get(Path(path).suffix.lower(), "text")


def uploads_dir(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def filing_json(rec: DocumentRecord) -> dict[str, Any]:
    """A committed document as the browser sees it: no full path, only the file's name."""
    return {
        "doc_id": rec.doc_id,
        "company": rec.company,
        "ticker": rec.ticker,
        "form_type": rec.form_type,
        "period": rec.period_label,
        "period_end": rec.period_end,
        "pages": rec.pages,
        "chunks": rec.chunks,
        "parser_version": rec.parser_version,
        "file_name": Path(rec.source_path).name,
        "kind": kind_of(rec.source_path),
    }


def open_manifest(settings: Settings) -> Manifest | None:
    """The index's manifest, or None when there is no index yet (nothing is created)."""
    path = settings.index_dir / "manifest.sqlite"
    return Manifest(path) if path.is_file() else None


def committed(settings: Settings) -> list[DocumentRecord]:
    manifest = open_manifest(settings)
    if manifest is None:
        return []
    try:
        return manifest.committed()
    finally:
        manifest.close()


def find_record(settings: Settings, doc_id: str) -> DocumentRecord | None:
    """A committed document by its exact id (never a path or a prefix)."""
    manifest = open_manifest(settings)
    if manifest is None:
        return None
    try:
        hit = manifest.find(doc_id)
    finally:
        manifest.close()
    return hit[0] if hit and hit[1] == "committed" else None


def library(settings: Settings) -> list[dict[str, Any]]:
    """Committed filings sorted by company, then period (year, quarter), then id."""
    records = sorted(
        committed(settings),
        key=lambda r: ((r.company or "").lower(), r.fiscal_year or 0, r.fiscal_quarter or 0, r.doc_id),
    )
    return [filing_json(r) for r in records]


# --- upload ------------------------------------------------------------------------------------
@dataclass
class Uploaded:
    filing: dict[str, Any]
    message: str


def check_upload(name: str, fh: BinaryIO, size: int, max_bytes: int) -> str:
    """The upload's kind, or WebError (415 wrong type, 413 too large, 400 empty); nothing is written."""
    ext = Path(name).suffix.lower()
    if ext not in UPLOAD_EXT:
        raise WebError(
            415, f"unsupported file type {ext or '(no extension)'}: upload a .pdf, .htm/.html or .txt"
        )
    if size > max_bytes:
        raise WebError(413, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit")
    fh.seek(0)
    head = fh.read(2048)
    fh.seek(0)
    if size == 0 or not head.strip():
        raise WebError(400, "empty file")
    is_pdf = head.startswith(PDF_MAGIC)
    if ext == ".pdf" and not is_pdf:
        raise WebError(415, "not a PDF: the file does not start with %PDF-")
    if ext != ".pdf" and is_pdf:
        raise WebError(415, f"a PDF named {ext}: rename it to .pdf")
    if ext in (".htm", ".html") and not head.lstrip().lower().startswith((b"<", b"\xef\xbb\xbf<")):
        raise WebError(415, "not HTML: the file does not start with '<'")
    if ext == ".txt" and b"\x00" in head:
        raise WebError(415, "binary content in a .txt file (wrong file type?)")
    return KINDS[ext]


_UNSAFE = re.compile(r"[^\w .,()&+-]+")


def sanitise_name(name: str) -> str:
    """The client's file name reduced to a safe base name (the extension is kept: it picks the
    loader, and the stem may carry metadata such as ``2023 Q3 AAPL``)."""
    base = re.split(r"[\\/]", name)[-1]
    base = " ".join(_UNSAFE.sub("_", safe(base, multiline=False)).split())
    stem, ext = Path(base).stem.lstrip(". ") or "upload", Path(base).suffix.lower()
    return stem[:120] + ext


def unique_path(folder: Path, name: str) -> Path:
    candidate = folder / name
    n = 2
    while candidate.exists():
        candidate = folder / f"{Path(name).stem} ({n}){Path(name).suffix}"
        n += 1
    return candidate


def _sha256(fh: BinaryIO) -> str:
    h = hashlib.sha256()
    fh.seek(0)
    for block in iter(lambda: fh.read(1 << 20), b""):
        h.update(block)
    fh.seek(0)
    return h.hexdigest()


def _same_bytes(settings: Settings, sha: str) -> DocumentRecord | None:
    return next((r for r in committed(settings) if r.sha256 == sha), None)


def ingest_upload(
    settings: Settings, name: str, fh: BinaryIO, size: int, embeddings: Embeddings | None = None
) -> Uploaded:
    """Check, store under ``<data_dir>/uploads`` and ingest one uploaded file, all or nothing.

    The same pipeline and settings as ``filings ingest``; a failed ingest removes the stored file
    and leaves the index unchanged."""
    check_upload(name, fh, size, int(settings.max_file_mb * 1e6))
    if (same := _same_bytes(settings, _sha256(fh))) is not None:
        shown = Path(same.source_path).name
        return Uploaded(filing_json(same), f"already in the library: {shown} has the same content")
    folder = uploads_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    target = unique_path(folder, sanitise_name(name))
    with open(target, "xb") as out:
        shutil.copyfileobj(fh, out)
    try:
        return _ingest_stored(settings, target, embeddings)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _ingest_stored(settings: Settings, target: Path, embeddings: Embeddings | None) -> Uploaded:
    from agent.retrieval.index import IndexBusyError
    from loaders.pipeline import ingest_paths

    try:
        report = ingest_paths([target], settings, embeddings=embeddings)
    except IndexBusyError as exc:
        raise WebError(409, f"{exc}; try again when it is done") from None
    result = next((r for r in report.results if r.status != "removed"), None)
    if result is None or result.status == "failed":
        raise WebError(422, result.message if result else "nothing was ingested")
    record = find_record(settings, result.doc_id or "")
    if record is None:
        raise WebError(422, result.message or "nothing was ingested")
    if Path(record.source_path) != target:  # same content as an indexed file: keep no copy
        target.unlink(missing_ok=True)
        return Uploaded(filing_json(record), f"already in the library: {Path(record.source_path).name}")
    return Uploaded(
        filing_json(record), f"ingested {target.name}: {record.pages} pages, {record.chunks} chunks"
    )


def remove_document(settings: Settings, doc_id: str) -> DocumentRecord:
    """`filings docs remove` for one exact doc id; the stored upload (if it was one) goes too."""
    from agent.retrieval.index import FilingIndex, IndexBusyError

    if find_record(settings, doc_id) is None:
        raise WebError(404, f"no document with id {doc_id!r}")
    index = FilingIndex.open(settings)
    try:
        removed = index.remove(doc_id)
    except IndexBusyError as exc:
        raise WebError(409, f"{exc}; try again when it is done") from None
    finally:
        index.close()
    if removed is None:
        raise WebError(404, f"no document with id {doc_id!r}")
    source = Path(removed.source_path)
    if source.parent.resolve() == uploads_dir(settings).resolve():
        source.unlink(missing_ok=True)
    return removed
