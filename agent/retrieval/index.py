"""The index facade: Chroma (dense) + BM25 (lexical) + SQLite manifest, always consistent.

Searches see committed documents only. Writers (``loaders.pipeline``) take an exclusive file
lock, purge the leftovers of crashed ingests, then write each document as
pending -> chunks into Chroma + manifest -> committed (one SQLite transaction).

The manifest also records which embedding model made the vectors (on the first write) and which
Chroma collection holds them (``filings reindex`` re-embeds into a new one and switches).
``filings reindex --add`` keeps them and adds a second set made by another model (a tuned one) in a
collection of its own: each dense search then ranks with every set, each ranking a vote in the
fusion, and every write and removal reaches every set.
A reader that names no model uses the recorded one; one that names another gets
:class:`EmbeddingsMismatchError` instead of silently meaningless similarities.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.config import Settings
from agent.retrieval.bm25 import BM25Index
from agent.retrieval.manifest import DocumentRecord, Manifest, now_iso
from agent.retrieval.store import ChromaStore, VectorStore, chroma_where
from agent.schemas import Chunk, Fact, ScoredChunk, StatementKind

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

__all__ = [
    "DocumentRecord",
    "EmbeddingsMismatchError",
    "FilingIndex",
    "IndexBusyError",
    "MetadataFilter",
    "effective_embeddings_model",
]

log = logging.getLogger(__name__)

MetadataFilter = dict[str, list[str | int]]
"""AND across fields, OR within a field's values; an empty value list matches nothing."""


class IndexBusyError(RuntimeError):
    """Another process is writing to this index."""


class EmbeddingsMismatchError(ValueError):
    """The embedding model asked for is not the one that made the index's vectors."""

    def __init__(self, recorded: str, requested: str, message: str = "") -> None:
        super().__init__(
            message
            or f"this index's vectors were made with {recorded}; you asked for {requested}: drop "
            f"--embeddings, or re-embed with filings reindex --embeddings {requested}"
        )
        self.recorded, self.requested = recorded, requested


def _explicit(settings: Settings) -> bool:
    """Whether the user chose the embedding model (flag, env var or config file), not the default."""
    return "embeddings_model" in settings.model_fields_set


def _effective(settings: Settings, recorded: str | None) -> str:
    return recorded if recorded and not _explicit(settings) else settings.embeddings_model


def effective_embeddings_model(settings: Settings) -> str:
    """The model string queries of the index under ``settings`` should embed with: the recorded
    one unless the user named one (a mismatch is then raised where the index is used)."""
    path = settings.index_dir / "manifest.sqlite"
    if not path.is_file():
        return settings.embeddings_model
    # Read-only and brief: cheap enough to ask before each batch a long-lived process embeds.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
    try:
        row = conn.execute("SELECT value FROM kv WHERE key='embeddings_model'").fetchone()
    finally:
        conn.close()
    return _effective(settings, str(row[0]) if row else None)


@contextmanager
def _flock(path: Path, *, blocking: bool) -> Iterator[None]:
    """An exclusive lock on ``path`` for the block; not ``blocking``: IndexBusyError when held."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            raise IndexBusyError(f"another process is writing to the index at {path.parent}") from None
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _write_lock(index_dir: Path) -> AbstractContextManager[None]:
    return _flock(index_dir / "write.lock", blocking=False)


def _fails_closed(filter: MetadataFilter | None) -> bool:
    return filter is not None and any(len(v) == 0 for v in filter.values())


class FilingIndex:
    """Read/write access to one index directory (``settings.index_dir``)."""

    def __init__(
        self, settings: Settings, store: VectorStore, manifest: Manifest, embeddings: Embeddings | None
    ):
        self.settings = settings
        self.store = store
        self.manifest = manifest
        self._embeddings = embeddings
        self._own_embeddings = embeddings is None  # made here from a model string, remade on a switch
        self._bm25: BM25Index | None = None
        self._added_stores: dict[str, ChromaStore] = {}  # collection -> store, for added vector sets
        self._added_models: dict[str, Embeddings] = {}  # model string -> loaded model
        self._bm25_generation = -1
        self._locked = False

    @classmethod
    def open(cls, settings: Settings, embeddings: Embeddings | None = None) -> FilingIndex:
        """Open (creating if needed) the index; ``embeddings`` defaults to ``settings.embeddings_model``,
        loaded lazily on the first dense search or write."""
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        # Chroma creates its tables on first open and two processes doing so at once crash
        # ("table collections already exists"): opening is serialised (briefly, readers included).
        manifest = Manifest(settings.index_dir / "manifest.sqlite")
        with _flock(settings.index_dir / "open.lock", blocking=True):
            store = ChromaStore(settings, manifest.get_kv("collection"))
        return cls(settings, store, manifest, embeddings)

    @classmethod
    @contextmanager
    def open_for_write(
        cls, settings: Settings, embeddings: Embeddings | None = None
    ) -> Iterator[FilingIndex]:
        """The index opened under the exclusive write lock, taken before anything is opened or
        created; leftovers of crashed writers are purged first. Raises :class:`IndexBusyError`."""
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        with _write_lock(settings.index_dir):
            index = cls.open(settings, embeddings)
            index._locked = True
            try:
                index.purge_leftovers()
                yield index
            finally:
                index.close()

    def close(self) -> None:
        self.manifest.close()

    @property
    def embeddings_model(self) -> str | None:
        """The model string recorded as having made this index's vectors (None: not recorded)."""
        record = self.manifest.embeddings_record()
        return record[0] if record else None

    @property
    def effective_embeddings_model(self) -> str:
        """The recorded model unless the settings name one explicitly (flag, env var, config file)."""
        return _effective(self.settings, self.embeddings_model)

    def check_embeddings(self) -> None:
        """Raise :class:`EmbeddingsMismatchError` if the user named a model other than the recorded
        one for an index that holds vectors (an empty index adopts the new model on its next write)."""
        recorded = self.embeddings_model
        requested = self.settings.embeddings_model
        if recorded and recorded != requested and _explicit(self.settings) and self.manifest.has_chunks():
            raise EmbeddingsMismatchError(recorded, requested)

    @property
    def embeddings(self) -> Embeddings:
        """The embedding model for queries and writes (checked against the recorded one)."""
        self._follow_switch()
        self.check_embeddings()
        if self._embeddings is None:
            from agent.models import make_embeddings

            self._embeddings = make_embeddings(self.effective_embeddings_model, self.settings)
        return self._embeddings

    def _follow_switch(self) -> None:
        """After a ``filings reindex`` by another process, use its collection (and model)."""
        active = self.manifest.get_kv("collection") or self.settings.collection
        if isinstance(self.store, ChromaStore) and self.store.name != active:
            self.store.use(active)
            if self._own_embeddings:
                self._embeddings = None

    # --- reads ----------------------------------------------------------------------------
    def documents(self) -> list[DocumentRecord]:
        """Committed documents, ordered by source path."""
        return self.manifest.committed()

    def count(self) -> int:
        """Number of committed chunks."""
        return self.manifest.count_committed_chunks()

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        """A committed document's chunks, in print order."""
        return self.manifest.doc_chunks(doc_id)

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        """Committed chunks by id, in the order asked; unknown ids are left out."""
        found = self.manifest.get_chunks(list(dict.fromkeys(ids)))
        return [found[i] for i in ids if i in found]

    def _allowed_docs(self, filter: MetadataFilter | None) -> set[str]:
        committed = self.manifest.committed_ids()
        if filter and "doc_id" in filter:
            committed &= {str(v) for v in filter["doc_id"]}
        return committed

    def dense_search(self, query: str, k: int, filter: MetadataFilter | None = None) -> list[ScoredChunk]:
        """Cosine-similarity top-k among committed chunks passing ``filter``."""
        return self._dense_search(self.store, lambda: self.embeddings, query, k, filter, "dense")

    def added_dense_search(
        self, query: str, k: int, filter: MetadataFilter | None = None
    ) -> dict[str, list[ScoredChunk]]:
        """The same search in each vector set added beside the index's own (``filings reindex
        --add``), named ``dense2``, ``dense3``... in the order they were added; {} when none."""
        return {
            name: self._dense_search(store, partial(self._added_model, model), query, k, filter, name)
            for name, store, model, _ in self.added_vectors()
        }

    def added_vectors(self) -> list[tuple[str, ChromaStore, str, int]]:
        """(lane name, store, model string, dimension) of each vector set added beside the index's own."""
        if not isinstance(self.store, ChromaStore):
            return []
        out = []
        for n, (collection, model, dim) in enumerate(self.manifest.added_vectors(), start=2):
            store = self._added_stores.get(collection)
            if store is None:
                store = self._added_stores[collection] = self.store.sibling(collection)
            out.append((f"dense{n}", store, model, dim))
        return out

    def _added_model(self, model: str) -> Embeddings:
        loaded = self._added_models.get(model)
        if loaded is None:
            from agent.models import make_embeddings

            loaded = self._added_models[model] = make_embeddings(model, self.settings)
        return loaded

    def _dense_search(
        self,
        store: VectorStore,
        embeddings: Callable[[], Embeddings],
        query: str,
        k: int,
        filter: MetadataFilter | None,
        stage: str,
    ) -> list[ScoredChunk]:
        if _fails_closed(filter) or k <= 0:
            return []
        allowed = self._allowed_docs(filter)
        if not allowed:
            return []
        where_filter: dict[str, list[Any]] = {
            k_: list(v) for k_, v in (filter or {}).items() if k_ != "doc_id"
        }
        vector = embeddings().embed_query(query)
        if filter and "doc_id" in filter:
            where_filter["doc_id"] = sorted(allowed)
            return self._scored(
                store.query(vector, k, chroma_where(where_filter) if where_filter else None), stage
            )
        # No document filter: an `$in` over every committed doc id costs Chroma ~1 s at 100k chunks,
        # so search everything and drop uncommitted leftovers (only ever present after a crash).
        fetch = k + 16
        hits = store.query(vector, fetch, chroma_where(where_filter) if where_filter else None)
        scored = self._scored(hits, stage)
        if len(scored) < min(k, len(hits)):
            where_filter["doc_id"] = sorted(allowed)
            scored = self._scored(store.query(vector, k, chroma_where(where_filter)), stage)
        return scored[:k]

    def _bm25_index(self) -> BM25Index:
        generation = self.manifest.generation()
        if self._bm25 is None or self._bm25_generation != generation:
            path = self.settings.index_dir / "bm25"
            index = BM25Index.load(path, generation)
            if index is None:
                index = self._rebuild_bm25(generation)
            self._bm25, self._bm25_generation = index, generation
        return self._bm25

    def _rebuild_bm25(self, generation: int) -> BM25Index:
        import json

        rows = ((cid, text, json.loads(meta)) for cid, text, meta in self.manifest.committed_chunks())
        index = BM25Index.build(rows)
        try:
            index.save(self.settings.index_dir / "bm25", generation)
        except OSError as exc:  # a read-only index still works from memory
            log.warning("could not persist BM25 index: %s", exc)
        return index

    def bm25_search(self, query: str, k: int, filter: MetadataFilter | None = None) -> list[ScoredChunk]:
        """BM25 top-k among committed chunks passing ``filter`` (filtered before top-k)."""
        if _fails_closed(filter) or k <= 0:
            return []
        index = self._bm25_index()
        allowed = self._allowed_docs(filter)
        mask = index.mask({f: v for f, v in (filter or {}).items() if f != "doc_id"}, allowed)
        return self._scored(index.search(query, k, mask), "bm25")

    def _scored(self, hits: list[tuple[str, float]], stage: str) -> list[ScoredChunk]:
        chunks = {c.id: c for c in self.get_chunks([h[0] for h in hits])}
        return [
            ScoredChunk(chunk=chunks[cid], score=score, stage_scores={stage: score})
            for cid, score in hits
            if cid in chunks
        ]

    # --- writes ---------------------------------------------------------------------------
    @contextmanager
    def writer(self) -> Iterator[FilingIndex]:
        """Exclusive write access across processes; purges leftovers of crashed writers first."""
        if self._locked:  # opened with open_for_write: the lock is already ours
            yield self
            return
        with _write_lock(self.settings.index_dir):
            self.purge_leftovers()
            yield self

    def purge_leftovers(self) -> list[str]:
        """Remove vectors of pending (crashed) documents and queued removals. Call under ``writer()``."""
        purged = self.manifest.leftovers()
        for doc_id in purged:
            self._delete_vectors(doc_id)
            self.manifest.purged(doc_id)
        if purged:
            log.info("purged leftovers of %d document(s)", len(purged))
        self.drop_retired_collections()
        return purged

    def drop_retired_collections(self) -> None:
        """Delete collections a re-embedding replaced (left behind if it stopped after its switch)."""
        if not isinstance(self.store, ChromaStore):
            return
        live = {self.store.name, *(c for c, _, _ in self.manifest.added_vectors())}
        for name in self.manifest.retired_collections():
            if name not in live:
                self.store.drop_collection(name)
                self._added_stores.pop(name, None)
            self.manifest.collection_deleted(name)

    def _delete_vectors(self, doc_id: str) -> None:
        """Delete a document's vectors from the index's own set and every added one."""
        self.store.delete_doc(doc_id)
        for _, store, _, _ in self.added_vectors():
            store.delete_doc(doc_id)

    def begin(self, record: DocumentRecord) -> None:
        """Start writing a document (invisible until :meth:`commit`). Call under ``writer()``."""
        self.manifest.begin_document(record)
        self._delete_vectors(record.doc_id)

    def add(self, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        """Write one batch of a pending document's chunks to Chroma and the manifest."""
        if not chunks:
            return
        self._record_embeddings(len(vectors[0]))
        ids, texts, metas = (
            [c.id for c in chunks],
            [c.text for c in chunks],
            [c.metadata.to_store() for c in chunks],
        )
        self.store.add(ids, vectors, texts, metas)
        for _, store, model, dim in self.added_vectors():
            more = self._added_model(model).embed_documents(texts)
            if more and len(more[0]) != dim:
                raise EmbeddingsMismatchError(
                    model,
                    model,
                    f"the vectors added with {model} have {dim} dimensions; it now makes "
                    f"{len(more[0])}: remove them (filings reindex --embeddings {model} --remove) and add again",
                )
            store.add(ids, more, texts, metas)
        self.manifest.add_chunks(chunks)

    def _record_embeddings(self, dim: int) -> None:
        """Record the model on the first write into an empty index (or a legacy one that never
        recorded it); refuse vectors of another model or size into an index that holds vectors."""
        self.check_embeddings()
        record = self.manifest.embeddings_record()
        model = self.effective_embeddings_model
        if record == (model, dim):
            return
        if record is not None and self.manifest.has_chunks():
            raise EmbeddingsMismatchError(
                record[0],
                model,
                f"this index's vectors have {record[1]} dimensions ({record[0]}); these have {dim}: "
                "they come from another model than the one recorded",
            )
        if record is None and self.manifest.has_chunks():
            log.warning("note: this index did not record its embedding model; recording %s", model)
        self.manifest.record_embeddings(model, dim)

    def add_facts(self, facts: list[Fact]) -> None:
        """Store a pending document's typed facts; they become visible with its commit."""
        if facts:
            self.manifest.add_facts(facts)

    def facts(
        self,
        doc_ids: list[str] | None = None,
        statement: StatementKind | None = None,
        fiscal_year: int | None = None,
    ) -> list[Fact]:
        """Typed facts of committed documents (see :meth:`Manifest.facts`)."""
        return self.manifest.facts(doc_ids, statement, fiscal_year)

    def commit(self, record: DocumentRecord, replaces: list[str] | None = None) -> None:
        """Make ``record`` visible and retire ``replaces`` (e.g. the old version at the same path)."""
        record.ingested_at = record.ingested_at or now_iso()
        self.manifest.commit_document(record, replaces or [])
        for old in replaces or []:
            if old != record.doc_id:
                self._delete_vectors(old)
                self.manifest.purged(old)

    def abort(self, doc_id: str) -> None:
        """Drop a pending document after a failure mid-write."""
        self._delete_vectors(doc_id)
        self.manifest.purged(doc_id)

    def find(self, doc_id_or_path: str) -> DocumentRecord | None:
        """A committed document by doc id, or by source path (absolute or relative to the cwd)."""
        hit = self.manifest.find(doc_id_or_path)
        if hit and hit[1] == "committed":
            return hit[0]
        prefix = doc_id_or_path.rstrip("…").rstrip(".")
        if len(prefix) >= 12:  # a shortened id as `filings docs list` shows it, if unambiguous
            matches = [d for d in self.manifest.committed() if d.doc_id.startswith(prefix)]
            if len(matches) == 1:
                return matches[0]
        candidates = {doc_id_or_path, str(Path(doc_id_or_path).expanduser().resolve())}
        for path in candidates:
            for rec, status in self.manifest.by_path(path):
                if status == "committed":
                    return rec
        return None

    def remove(self, doc_id_or_path: str) -> DocumentRecord | None:
        """Remove a committed document and all its chunks; returns it, or None if unknown."""
        rec = self.find(doc_id_or_path)
        if rec is None:
            return None
        with self.writer():
            self.retire(rec.doc_id)
        return rec

    def retire(self, doc_id: str) -> None:
        """Remove a committed document and its chunks. Call under ``writer()``."""
        self.manifest.drop_document(doc_id)
        self._delete_vectors(doc_id)
        self.manifest.purged(doc_id)
