"""Idempotent, crash-safe ingestion: files/folders -> parse (worker process) -> chunk -> embed
(batched) -> Chroma + BM25 + manifest.

Per document: pending row -> chunks written -> one transaction commits it and retires the old
version at the same path. A kill -9 anywhere leaves at most a pending document, invisible to
searches and purged on the next write; re-running the command then completes the job.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.config import Settings
from agent.injection import instruction_cue
from agent.retrieval.index import DocumentRecord, FilingIndex
from agent.retrieval.manifest import now_iso
from agent.schemas import Chunk, ChunkMetadata
from agent.terminal import control_characters
from loaders.chunking import (
    DEFAULT_CHUNK_TOKENS,
    DEFAULT_OVERLAP,
    RawChunk,
    TokenCounter,
    chunk_segments,
    counter_for,
)
from loaders.discover import discover, regular_file_problem, safe_resolve
from loaders.facts import link_facts, refresh_facts
from loaders.parse import FACTS_VERSION, PARSER_VERSION, Parsed, sha256_file
from loaders.report import FileResult, IngestReport, Progress, Status, summary_rows
from loaders.workers import make_pool, parse_result, submit_parse

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

EMBED_BATCH = 64
PREFETCH = 2  # files parsed ahead of the one being embedded


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
    def __init__(
        self, index: FilingIndex, progress: Progress, chunk_tokens: int, overlap: int, force: bool = False
    ) -> None:
        self.index = index
        self.force = force
        self.max_pages = index.settings.max_pages
        self.max_bytes = int(index.settings.max_file_mb * 1e6)
        self.progress = progress
        self.chunk_tokens = chunk_tokens
        self.overlap = overlap
        self.embed_seconds = 0.0

    # The embedding model (and its tokenizer) load on the first file that is chunked: an unchanged
    # re-ingest never pays for it.
    @functools.cached_property
    def embeddings(self) -> Embeddings:
        return self.index.embeddings

    @functools.cached_property
    def counter(self) -> TokenCounter:
        return _counter(self.embeddings)

    @functools.cached_property
    def budget(self) -> int:
        return _effective_budget(self.embeddings, self.chunk_tokens)

    def precheck(self, path: Path, sha: str) -> FileResult | None:
        """Skip unchanged files before spending time on parsing."""
        for rec, status in self.index.manifest.by_path(str(path)):
            if status == "committed" and rec.sha256 == sha and _unchanged(rec):
                return FileResult(
                    str(path), "skipped", rec.doc_id, rec.pages, rec.chunks, message="unchanged"
                )
        doc = self.index.manifest.find(f"sha256:{sha}")
        if doc and doc[1] == "committed" and _unchanged(doc[0]):
            return self._same_as(str(path), doc[0])
        return None

    def _same_as(self, path: str, other: DocumentRecord) -> FileResult:
        """``path`` now holds bytes indexed under another path: one copy is indexed, and what the
        index held for ``path`` before (an older version) must not stay searchable."""
        stale = [
            r for r, st in self.index.manifest.by_path(path) if st == "committed" and r.doc_id != other.doc_id
        ]
        for rec in stale:
            self.index.retire(rec.doc_id)
        note = "; removed the older version indexed from this path" if stale else ""
        status: Status = "replaced" if stale else "skipped"
        return FileResult(path, status, other.doc_id, message=f"same content as {other.source_path}{note}")

    def _refresh_facts(self, record: DocumentRecord, parsed: Parsed) -> FileResult:
        """Unchanged text read by an older fact reader: only its facts are read again."""
        n = refresh_facts(self.index.manifest, record, parsed.facts)
        message = f"unchanged; its {n} facts re-read (fact reader version {record.facts_version})"
        return FileResult(
            record.source_path, "skipped", record.doc_id, record.pages, record.chunks, message=message
        )

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
            return self._already_indexed(existing[0], parsed, doc_id)
        if parsed.not_a_filing and not self.force:
            return FileResult(path, "failed", message=parsed.not_a_filing)
        replaces = self._replaced_ids(path, doc_id, existing)
        filing = meta.filing_fields()
        hostile = _hostile_field(filing, meta.sources)
        if hostile:
            return FileResult(path, "failed", message=hostile)
        raw = chunk_segments(parsed.segments, self.counter, self.budget, self.overlap)
        if not raw:
            return FileResult(path, "failed", message="no text to index after parsing")
        record = self._new_record(parsed, doc_id, filing, meta.sources, len(raw))
        chunks = _make_chunks(raw, doc_id, path, {**filing, "amends": record.amends})
        facts = link_facts(parsed.facts, doc_id, chunks)
        record.facts = len(facts)
        self.progress.advance(pages=parsed.n_pages)
        self.index.begin(record)
        try:
            self.index.add_facts(facts)
            self._embed_and_add(chunks)
        except BaseException:
            # KeyboardInterrupt included: leave nothing half-written behind.
            self.index.abort(doc_id)
            raise
        record.ingested_at = now_iso()
        self.index.commit(record, replaces)
        status: Status = "replaced" if [r for r in replaces if r != doc_id] or existing else "ingested"
        msg = _write_message(parsed, existing, same_bytes)
        return FileResult(path, status, doc_id, parsed.n_pages, len(chunks), time.perf_counter() - t0, msg)

    def _already_indexed(self, rec: DocumentRecord, parsed: Parsed, doc_id: str) -> FileResult:
        """The same bytes are committed and read by the current parser: nothing to embed again."""
        path = parsed.path
        if rec.source_path != path:
            return self._same_as(path, rec)
        if rec.facts_version < FACTS_VERSION:
            return self._refresh_facts(rec, parsed)
        return FileResult(path, "skipped", doc_id, rec.pages, rec.chunks, message="unchanged")

    def _replaced_ids(self, path: str, doc_id: str, existing: tuple[DocumentRecord, str] | None) -> list[str]:
        """The committed documents this write retires when it commits."""
        replaces = [r.doc_id for r, st in self.index.manifest.by_path(path) if st == "committed"]
        if existing and existing[1] == "committed" and doc_id not in replaces:
            replaces.append(doc_id)  # same accession re-filed from another path: the new bytes win
        return replaces

    def _new_record(
        self, parsed: Parsed, doc_id: str, filing: dict[str, Any], sources: dict[str, str], n_chunks: int
    ) -> DocumentRecord:
        """The manifest row for the document, linked to the filing it amends when the index has it."""
        record = DocumentRecord(
            doc_id=doc_id,
            source_path=parsed.path,
            sha256=parsed.sha256,
            **filing,
            pages=parsed.n_pages,
            chunks=n_chunks,
            field_sources=dict(sources),
            parser_version=PARSER_VERSION,
            facts_version=FACTS_VERSION,
        )
        if record.amends is None and (target := _amends(self.index, record)):
            record.amends = target
            record.field_sources["amends"] = "index"
        return record

    def _embed_and_add(self, chunks: list[Chunk]) -> None:
        """Embed the pending document's chunks in batches and write each batch to the index."""
        for i in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[i : i + EMBED_BATCH]
            e0 = time.perf_counter()
            vectors = self.embeddings.embed_documents([c.text for c in batch])
            self.embed_seconds += time.perf_counter() - e0
            self.index.add(batch, vectors)
            self.progress.advance(chunks=len(batch))


def _make_chunks(raw: list[RawChunk], doc_id: str, path: str, filing: dict[str, Any]) -> list[Chunk]:
    """The stored chunks: each carries the filing fields, its place in the document and any cue flag."""
    return [
        Chunk(
            id=f"{doc_id}::{i}",
            text=rc.text,
            metadata=ChunkMetadata(
                doc_id=doc_id,
                source_path=path,
                **filing,
                page=rc.page,
                section=rc.section,
                item=rc.item,
                part=rc.part,
                chunk_index=i,
                is_table=rc.is_table,
                flagged=instruction_cue(rc.text) or None,
            ),
        )
        for i, rc in enumerate(raw)
    ]


def _write_message(parsed: Parsed, existing: tuple[DocumentRecord, str] | None, same_bytes: bool) -> str:
    """The notes shown beside an ingested file: why it was re-read, --force, parser warnings."""
    # Same bytes got this far only because an older parser read them.
    notes = (
        [f"re-read: extracted by parser version {existing[0].parser_version}, now {PARSER_VERSION}"]
        if existing is not None and same_bytes
        else []
    )
    if parsed.not_a_filing:
        notes.append("does not look like a filing; kept because of --force")
    return "; ".join([*notes, *parsed.warnings[:3]])


MAX_FIELD_CHARS = 200


def _hostile_field(filing: dict[str, Any], sources: dict[str, str]) -> str:
    """Why a filing field (company, form, ...) cannot be stored: it is shown beside every passage
    of the document, so a sidecar or cover 'name' that addresses a model would reach the prompt."""
    for key, value in filing.items():
        if not isinstance(value, str):
            continue
        where = sources.get(key, "?")
        if len(value) > MAX_FIELD_CHARS:
            return f"metadata field {key!r} (from the {where}) is {len(value)} characters long, over {MAX_FIELD_CHARS}"
        cue = instruction_cue(value)
        if cue or control_characters(value, allowed=""):
            why = cue or "contains control characters"
            return f"metadata field {key!r} (from the {where}) is not a plain value ({why})"
    return ""


def _current(record: DocumentRecord) -> bool:
    """Whether the document's text was extracted by the current parser (else it is re-read)."""
    return record.parser_version >= PARSER_VERSION


def _unchanged(record: DocumentRecord) -> bool:
    """Whether nothing of the document needs reading again: text and facts both current."""
    return _current(record) and record.facts_version >= FACTS_VERSION


def ingest_paths(
    paths: list[Path] | list[str],
    settings: Settings,
    progress: Progress | None = None,
    embeddings: Embeddings | None = None,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
    overlap: int = DEFAULT_OVERLAP,
    workers: int = 1,
    force: bool = False,
    prune: bool = False,
) -> IngestReport:
    """Ingest files and folders (recursively) into the index under ``settings``.

    Unchanged files are skipped, changed files replace their previous version, bad files are
    reported one line each (``IngestReport.results``) while the others are ingested. ``force``
    keeps files that do not look like filings; ``prune`` first removes the documents indexed from
    under the named folders whose files are gone (deleted or renamed).
    ``workers=0`` parses in this process (no overlap with embedding).
    """
    progress = progress or Progress()
    t_start = time.perf_counter()
    found = discover([Path(p) for p in paths])
    failures = [FileResult(p.path, "failed", message=p.message) for p in found.problems]
    report = IngestReport(results=failures, warnings=found.warnings)
    for w in found.warnings:
        progress.warning(w)
    progress.start(found.files)
    for failure in failures:
        progress.file_done(failure)
    # Fork the parser worker before torch/chromadb start their threads in this process.
    pool = make_pool(workers) if workers > 0 and len(found.files) > 1 else None
    try:
        # The lock comes before the store is opened: two ingests creating a fresh index at once
        # raced in Chroma's own table creation.
        with FilingIndex.open_for_write(settings, embeddings=embeddings) as index:
            if prune:
                for rec in prune_missing(index, [Path(p) for p in paths]):
                    gone = FileResult(
                        rec.source_path, "removed", rec.doc_id, message="file is gone (--prune)"
                    )
                    report.results.append(gone)
                    progress.file_done(gone)
            ingestor = _Ingestor(index, progress, chunk_tokens, overlap, force)
            _run(found.files, ingestor, report, progress, pool)
            report.embed_seconds = ingestor.embed_seconds
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    report.seconds = time.perf_counter() - t_start
    return report


def prune_missing(index: FilingIndex, roots: list[Path]) -> list[DocumentRecord]:
    """Remove the committed documents from under ``roots`` whose source file no longer exists."""
    where = [r.expanduser().absolute() for r in roots]
    resolved = [*where, *(safe_resolve(r) for r in where if r.exists())]
    gone = [
        rec
        for rec in index.documents()
        if any(Path(rec.source_path).is_relative_to(r) for r in resolved)
        and not os.path.lexists(rec.source_path)
    ]
    for rec in gone:
        index.retire(rec.doc_id)
    return gone


def _fail(report: IngestReport, progress: Progress, result: FileResult) -> None:
    report.results.append(result)
    progress.file_done(result)


def _run(
    files: list[Path],
    ing: _Ingestor,
    report: IngestReport,
    progress: Progress,
    pool: ProcessPoolExecutor | None,
) -> None:
    todo: list[tuple[Path, str]] = []
    for path in files:
        # Checked before any byte is read: a FIFO would block, a 200 MB dump would take hours.
        problem = regular_file_problem(path, ing.max_bytes)
        if problem:
            _fail(report, progress, FileResult(str(path), "failed", message=problem))
            continue
        try:
            sha = sha256_file(path)
        except OSError as exc:
            _fail(
                report,
                progress,
                FileResult(str(path), "failed", message=f"cannot read ({exc.strerror or exc})"),
            )
            continue
        skipped = ing.precheck(path, sha)
        if skipped:
            _fail(report, progress, skipped)
        else:
            todo.append((path, sha))
    pending: deque[tuple[Path, str, Future[Parsed] | None]] = deque()
    queue = deque(todo)
    while queue or pending:
        while queue and len(pending) < PREFETCH:
            path, sha = queue.popleft()
            pending.append((path, sha, submit_parse(pool, path, sha, ing.max_pages)))
        path, sha, fut = pending.popleft()
        progress.file_started(path)
        parsed = parse_result(fut, path, sha, ing.max_pages)
        outcome = ing.write(parsed)
        report.results.append(outcome)
        progress.file_done(outcome)


__all__ = [
    "FileResult",
    "IngestReport",
    "Progress",
    "Status",
    "ingest_paths",
    "prune_missing",
    "summary_rows",
]
