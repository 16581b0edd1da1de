"""Idempotent, crash-safe ingestion: files/folders -> parse (worker process) -> chunk -> embed
(batched) -> Chroma + BM25 + manifest.

Per document: pending row -> chunks written -> one transaction commits it and retires the old
version at the same path. A kill -9 anywhere leaves at most a pending document, invisible to
searches and purged on the next write; re-running the command then completes the job.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agent.config import Settings
from agent.retrieval.index import DocumentRecord, FilingIndex
from agent.retrieval.manifest import now_iso
from agent.schemas import Chunk, ChunkMetadata
from loaders.chunking import DEFAULT_CHUNK_TOKENS, DEFAULT_OVERLAP, TokenCounter, chunk_segments, counter_for
from loaders.parse import PARSER_VERSION, SUPPORTED, Parsed, parse_file, sha256_file

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

Status = Literal["ingested", "replaced", "skipped", "failed"]
EMBED_BATCH = 64
PREFETCH = 2  # files parsed ahead of the one being embedded


@dataclass
class FileResult:
    path: str
    status: Status
    doc_id: str | None = None
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    message: str = ""


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def _n(self, *status: str) -> int:
        return sum(r.status in status for r in self.results)

    @property
    def ingested(self) -> int:
        return self._n("ingested", "replaced")

    @property
    def skipped(self) -> int:
        return self._n("skipped")

    @property
    def failed(self) -> int:
        return self._n("failed")

    @property
    def pages(self) -> int:
        return sum(r.pages for r in self.results if r.status in ("ingested", "replaced"))

    @property
    def chunks(self) -> int:
        return sum(r.chunks for r in self.results if r.status in ("ingested", "replaced"))

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        return self.failed == 0


class Progress:
    """Hooks the CLI overrides to draw progress; the defaults do nothing."""

    def start(self, files: list[Path]) -> None: ...

    def file_started(self, path: Path) -> None: ...

    def advance(self, pages: int = 0, chunks: int = 0) -> None: ...

    def file_done(self, result: FileResult) -> None: ...

    def warning(self, message: str) -> None: ...


# --- discovery ------------------------------------------------------------------------------
def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def discover(paths: list[Path]) -> tuple[list[Path], list[str], list[FileResult]]:
    """Files to ingest (sorted, de-duplicated), warnings, and failures for bad named paths.

    Folders are walked recursively for supported files; symlinks that leave the named folder
    are skipped with a warning rather than followed.
    """
    files: list[Path] = []
    warnings: list[str] = []
    failures: list[FileResult] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if not p.exists():
            failures.append(FileResult(str(p), "failed", message="no such file or folder"))
            continue
        if p.is_file():
            files.append(p.resolve())
            continue
        root = p.resolve()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            here = Path(dirpath)
            for d in list(dirnames):
                if (here / d).is_symlink():
                    target = (here / d).resolve()
                    where = "outside" if not _inside(target, root) else "inside"
                    warnings.append(f"{here / d}: symlinked folder ({where} {root}) not followed")
                    dirnames.remove(d)
                elif d.startswith("."):
                    dirnames.remove(d)
            for name in sorted(filenames):
                f = here / name
                if name.startswith(".") or f.suffix.lower() not in SUPPORTED:
                    continue
                if f.is_symlink():
                    target = f.resolve()
                    if not _inside(target, root):
                        warnings.append(f"{f}: symlink to {target} outside {root}, skipped")
                        continue
                    f = target
                files.append(f if f.is_absolute() else f.resolve())
    return list(dict.fromkeys(files)), warnings, failures


# --- the pipeline ---------------------------------------------------------------------------
def _counter(embeddings: Embeddings) -> TokenCounter:
    model = getattr(embeddings, "model", None)
    return counter_for(getattr(model, "tokenizer", None))


def _effective_budget(embeddings: Embeddings, chunk_tokens: int) -> int:
    """Never exceed the embedder's window (minus [CLS]/[SEP]): the tail would be dropped silently."""
    model = getattr(embeddings, "model", None)
    limit = getattr(model, "max_seq_length", None)
    return min(chunk_tokens, int(limit) - 2) if isinstance(limit, int) and limit > 2 else chunk_tokens


def _amends(index: FilingIndex, rec: DocumentRecord) -> str | None:
    """The original filing a /A amendment points at (same registrant, same fiscal period)."""
    if not rec.form_type or not rec.form_type.endswith("/A"):
        return None
    base = rec.form_type[:-2]
    for doc in index.documents():
        same_filer = (rec.cik and doc.cik == rec.cik) or (rec.company and doc.company == rec.company)
        if (
            same_filer
            and doc.form_type == base
            and doc.fiscal_year == rec.fiscal_year
            and (doc.fiscal_quarter == rec.fiscal_quarter)
        ):
            return doc.doc_id
    return None


class _Ingestor:
    def __init__(self, index: FilingIndex, progress: Progress, chunk_tokens: int, overlap: int) -> None:
        self.index = index
        self.progress = progress
        self.embeddings = index.embeddings
        self.counter = _counter(self.embeddings)
        self.budget = _effective_budget(self.embeddings, chunk_tokens)
        self.overlap = overlap
        self.embed_seconds = 0.0

    def precheck(self, path: Path, sha: str) -> FileResult | None:
        """Skip unchanged files before spending time on parsing."""
        for rec, status in self.index.manifest.by_path(str(path)):
            if status == "committed" and rec.sha256 == sha and _current(rec):
                return FileResult(
                    str(path), "skipped", rec.doc_id, rec.pages, rec.chunks, message="unchanged"
                )
        doc = self.index.manifest.find(f"sha256:{sha}")
        if doc and doc[1] == "committed" and _current(doc[0]):
            return FileResult(
                str(path), "skipped", doc[0].doc_id, message=f"same content as {doc[0].source_path}"
            )
        return None

    def write(self, parsed: Parsed) -> FileResult:
        t0 = time.perf_counter()
        path = parsed.path
        if parsed.error or parsed.meta is None:
            return FileResult(path, "failed", message=parsed.error or "could not parse")
        meta = parsed.meta
        doc_id = meta.accession or f"sha256:{parsed.sha256}"
        existing = self.index.manifest.find(doc_id)
        same_bytes = (
            existing is not None and existing[1] == "committed" and existing[0].sha256 == parsed.sha256
        )
        if existing is not None and same_bytes and _current(existing[0]):
            rec = existing[0]
            why = "unchanged" if rec.source_path == path else f"same content as {rec.source_path}"
            return FileResult(path, "skipped", doc_id, rec.pages, rec.chunks, message=why)
        replaces = [r.doc_id for r, st in self.index.manifest.by_path(path) if st == "committed"]
        if existing and existing[1] == "committed" and doc_id not in replaces:
            replaces.append(doc_id)  # same accession re-filed from another path: the new bytes win
        raw = chunk_segments(parsed.segments, self.counter, self.budget, self.overlap)
        if not raw:
            return FileResult(path, "failed", message="no text to index after parsing")
        filing = meta.filing_fields()
        record = DocumentRecord(
            doc_id=doc_id,
            source_path=path,
            sha256=parsed.sha256,
            **filing,
            pages=parsed.n_pages,
            chunks=len(raw),
            field_sources=dict(meta.sources),
            parser_version=PARSER_VERSION,
        )
        if record.amends is None and (target := _amends(self.index, record)):
            record.amends = target
            record.field_sources["amends"] = "index"
        chunks = [
            Chunk(
                id=f"{doc_id}::{i}",
                text=rc.text,
                metadata=ChunkMetadata(
                    doc_id=doc_id,
                    source_path=path,
                    **{**filing, "amends": record.amends},
                    page=rc.page,
                    section=rc.section,
                    item=rc.item,
                    part=rc.part,
                    chunk_index=i,
                    is_table=rc.is_table,
                ),
            )
            for i, rc in enumerate(raw)
        ]
        self.progress.advance(pages=parsed.n_pages)
        self.index.begin(record)
        try:
            for i in range(0, len(chunks), EMBED_BATCH):
                batch = chunks[i : i + EMBED_BATCH]
                e0 = time.perf_counter()
                vectors = self.embeddings.embed_documents([c.text for c in batch])
                self.embed_seconds += time.perf_counter() - e0
                self.index.add(batch, vectors)
                self.progress.advance(chunks=len(batch))
        except BaseException:
            # KeyboardInterrupt included: leave nothing half-written behind.
            self.index.abort(doc_id)
            raise
        record.ingested_at = now_iso()
        self.index.commit(record, replaces)
        status: Status = "replaced" if [r for r in replaces if r != doc_id] or existing else "ingested"
        # Same bytes got this far only because an older parser read them.
        notes = (
            [f"re-read: extracted by parser version {existing[0].parser_version}, now {PARSER_VERSION}"]
            if existing is not None and same_bytes
            else []
        )
        msg = "; ".join([*notes, *parsed.warnings[:3]])
        return FileResult(path, status, doc_id, parsed.n_pages, len(chunks), time.perf_counter() - t0, msg)


def _current(record: DocumentRecord) -> bool:
    """Whether the document's text was extracted by the current parser (else it is re-read)."""
    return record.parser_version >= PARSER_VERSION


def ingest_paths(
    paths: list[Path] | list[str],
    settings: Settings,
    progress: Progress | None = None,
    embeddings: Embeddings | None = None,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
    overlap: int = DEFAULT_OVERLAP,
    workers: int = 1,
) -> IngestReport:
    """Ingest files and folders (recursively) into the index under ``settings``.

    Unchanged files are skipped, changed files replace their previous version, bad files are
    reported one line each (``IngestReport.results``) while the others are ingested.
    ``workers=0`` parses in this process (no overlap with embedding).
    """
    progress = progress or Progress()
    t_start = time.perf_counter()
    files, warnings, failures = discover([Path(p) for p in paths])
    report = IngestReport(results=list(failures), warnings=warnings)
    for w in warnings:
        progress.warning(w)
    progress.start(files)
    for failure in failures:
        progress.file_done(failure)
    # Fork the parser worker before torch/chromadb start their threads in this process.
    pool = _make_pool(workers) if workers > 0 and len(files) > 1 else None
    index = FilingIndex.open(settings, embeddings=embeddings)
    try:
        with index.writer():
            ingestor = _Ingestor(index, progress, chunk_tokens, overlap)
            _run(files, ingestor, report, progress, pool)
            report.embed_seconds = ingestor.embed_seconds
    finally:
        index.close()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    report.seconds = time.perf_counter() - t_start
    return report


def _yield_cpu() -> None:
    """The embedder is the bottleneck: the parser should only use the cycles it leaves idle."""
    with contextlib.suppress(OSError):
        os.nice(10)


def _make_pool(workers: int) -> ProcessPoolExecutor | None:
    """A parser pool started now (fork: no re-import of ``__main__``, works from any entry point)."""
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork"), initializer=_yield_cpu
        )
        pool.submit(os.getpid).result(timeout=60)
        return pool
    except (OSError, ValueError, BrokenProcessPool, TimeoutError) as exc:
        log.warning("parsing in-process (no worker: %s)", exc)
        return None


def _run(
    files: list[Path],
    ing: _Ingestor,
    report: IngestReport,
    progress: Progress,
    pool: ProcessPoolExecutor | None,
) -> None:
    todo: list[tuple[Path, str]] = []
    for path in files:
        try:
            sha = sha256_file(path)
        except OSError as exc:
            result = FileResult(str(path), "failed", message=f"cannot read ({exc.strerror or exc})")
            report.results.append(result)
            progress.file_done(result)
            continue
        skipped = ing.precheck(path, sha)
        if skipped:
            report.results.append(skipped)
            progress.file_done(skipped)
        else:
            todo.append((path, sha))
    pending: deque[tuple[Path, str, Future[Parsed] | None]] = deque()
    queue = deque(todo)
    while queue or pending:
        while queue and len(pending) < PREFETCH:
            path, sha = queue.popleft()
            pending.append((path, sha, _submit(pool, path, sha)))
        path, sha, fut = pending.popleft()
        progress.file_started(path)
        parsed = _result(fut, path, sha)
        result = ing.write(parsed)
        report.results.append(result)
        progress.file_done(result)


def _submit(pool: ProcessPoolExecutor | None, path: Path, sha: str) -> Future[Parsed] | None:
    if pool is None:
        return None
    try:
        return pool.submit(parse_file, str(path), sha)
    except (BrokenProcessPool, RuntimeError):
        return None


def _result(fut: Future[Parsed] | None, path: Path, sha: str) -> Parsed:
    """The worker's result; parse here if there is no worker or it died."""
    if fut is not None:
        try:
            return fut.result()
        except BrokenProcessPool:
            log.warning("parser worker died on %s; parsing in-process", path)
    return parse_file(str(path), sha)


def summary_rows(report: IngestReport) -> dict[str, Any]:
    """Figures for the CLI summary table and benchmarks."""
    return {
        "ingested": report.ingested,
        "skipped": report.skipped,
        "failed": report.failed,
        "pages": report.pages,
        "chunks": report.chunks,
        "seconds": round(report.seconds, 1),
        "chunks/s": round(report.chunks_per_s, 1),
    }
