"""Re-embed an index with another embedding model (``filings reindex``), resumably and crash-safe.

Under the index's write lock every committed chunk is read from the manifest (its text is there),
embedded in batches and written into a NEW Chroma collection named after the model. Searches
meanwhile keep using the active collection. Only when every chunk is in does one SQLite
transaction make the new collection and model the index's own; the old collection is deleted
after that, or by the next writer if this process stops first.

A run that stops (crash, Ctrl-C) leaves the new collection half filled; the same command resumes
it, skipping the chunks already there with the same text.

With ``add`` the index keeps its own vectors and the new set is searched beside them (a second
dense ranking in the fusion; see ``FilingIndex.added_dense_search``): a model tuned on the index
(``filings tune``) then adds the passages it ranks high to the candidates without losing those the
base model finds. :func:`remove_added` stops searching such a set and deletes it.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Literal

from agent.config import Settings
from agent.retrieval.index import FilingIndex
from agent.retrieval.store import ChromaStore
from agent.schemas import ChunkMetadata

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

__all__ = ["ReindexInterrupted", "ReindexResult", "collection_name", "reindex", "remove_added"]

DEFAULT_BATCH = 64

ProgressFn = Callable[[int, int, int, float], None]
"""Called after each batch with (chunks done, chunks in all, embedded by this run, seconds)."""


@dataclass
class ReindexResult:
    status: Literal["done", "unchanged"]
    old_model: str | None  # None: the index had not recorded its model
    new_model: str
    collection: str
    total: int = 0
    embedded: int = 0  # by this run
    kept: int = 0  # already in the new collection from an interrupted run
    seconds: float = 0.0
    added: bool = False  # searched beside the index's own vectors (``add``), not in their place


class ReindexInterrupted(Exception):
    """Ctrl-C during a re-embedding: what is done stays done; the same command resumes."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"interrupted: {done} of {total} chunks re-embedded; run the same command to resume")
        self.done, self.total = done, total


def collection_name(base: str, model: str, avoid: str | Collection[str] = "") -> str:
    """``<base>-<8 hex of sha256(model)>``, a valid Chroma name (3-512 of [a-zA-Z0-9._-], alphanumeric
    at both ends); a name in ``avoid`` (collections in use: a --force run re-embeds beside them) gets
    ``-b``."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "-", base)[:490].strip("._-") or "filings"
    name = f"{stem}-{hashlib.sha256(model.encode()).hexdigest()[:8]}"
    return f"{name}-b" if name in ({avoid} if isinstance(avoid, str) else set(avoid)) else name


@dataclass
class _Run:
    total: int
    done: int = 0
    embedded: int = 0
    kept: int = 0


def reindex(
    settings: Settings,
    model: str,
    *,
    batch: int = DEFAULT_BATCH,
    force: bool = False,
    embeddings: Embeddings | None = None,
    progress: ProgressFn | None = None,
    add: bool = False,
) -> ReindexResult:
    """Re-embed the index under ``settings`` with ``model`` (``embeddings``: that model, already
    loaded); with ``add``, keep the index's own vectors and search the new set beside them.
    Returns status ``unchanged`` when the index already has ``model``'s vectors (in the role asked)
    and not ``force``. Raises :class:`ReindexInterrupted` on Ctrl-C, ``IndexBusyError`` when another
    writer runs and ``ValueError`` when ``model`` already holds the other role."""
    t0 = time.perf_counter()
    with FilingIndex.open_for_write(settings) as index:
        store = index.store
        if not isinstance(store, ChromaStore):
            raise TypeError("re-embedding needs the Chroma store")
        old_model = index.embeddings_model
        added = {m: c for c, m, _ in index.manifest.added_vectors()}
        if add and model == (old_model or settings.embeddings_model):
            raise ValueError(f"{model} made this index's own vectors already; --add is for another model")
        if not add and model in added:
            raise ValueError(
                f"{model}'s vectors are searched beside the index's own already; remove them first "
                f"(filings reindex --embeddings {model} --remove)"
            )
        current = added.get(model) if add else (store.name if model == old_model else None)
        if current and not force:
            return ReindexResult("unchanged", old_model, model, current, added=add)
        target = collection_name(settings.collection, model, avoid={store.name, *added.values()})
        _claim_target(index, store, target)
        if embeddings is None:
            from agent.models import make_embeddings

            embeddings = make_embeddings(model, settings)
        dim = len(embeddings.embed_query("dimension"))
        sink = store.sibling(target)
        run = _Run(total=index.count())
        try:
            committed = _fill(index, sink, embeddings, batch, run, progress)
        except KeyboardInterrupt:
            raise ReindexInterrupted(run.done, run.total) from None
        if sink.count() != len(committed):  # documents removed or shortened between two runs
            sink.delete_ids(sorted(sink.ids() - committed))
        if add:
            index.manifest.add_vectors(target, model, dim)
        else:
            index.manifest.switch_collection(target, model, dim, old=store.name)
            store.use(target)
        index.drop_retired_collections()
    return ReindexResult(
        "done", old_model, model, target, run.total, run.embedded, run.kept, time.perf_counter() - t0, add
    )


def remove_added(settings: Settings, model: str) -> str | None:
    """Stop searching the vectors ``model`` added (``reindex(..., add=True)``) and delete their
    collection; returns its name, None when the index has no such set."""
    with FilingIndex.open_for_write(settings) as index:
        gone = index.manifest.remove_vectors(model)
        index.drop_retired_collections()
    return gone


def _claim_target(index: FilingIndex, store: ChromaStore, target: str) -> None:
    """Note ``target`` as the collection being filled; the half-filled one of an abandoned
    re-embedding to another model is deleted (one with the same target is resumed)."""
    previous = index.manifest.get_kv("reindex_target")
    if previous and previous not in (target, store.name):
        store.drop_collection(previous)
    index.manifest.set_kv("reindex_target", target)


def _batches(index: FilingIndex, size: int) -> Iterator[list[tuple[str, str, str]]]:
    rows = index.manifest.committed_chunks()
    while part := list(islice(rows, size)):
        yield part


def _fill(
    index: FilingIndex,
    sink: ChromaStore,
    embeddings: Embeddings,
    batch: int,
    run: _Run,
    progress: ProgressFn | None,
) -> set[str]:
    """Embed every committed chunk not already in ``sink`` with the same text; the ids seen."""
    t0 = time.perf_counter()
    seen: set[str] = set()
    for rows in _batches(index, batch):
        ids = [r[0] for r in rows]
        seen.update(ids)
        present = sink.texts(ids)
        todo = [r for r in rows if present.get(r[0]) != r[1]]
        if todo:
            vectors = embeddings.embed_documents([r[1] for r in todo])
            metas = [ChunkMetadata.model_validate_json(r[2]).to_store() for r in todo]
            sink.add([r[0] for r in todo], vectors, [r[1] for r in todo], metas)
        run.embedded += len(todo)
        run.kept += len(rows) - len(todo)
        run.done += len(rows)
        if progress is not None:
            progress(run.done, run.total, run.embedded, time.perf_counter() - t0)
    return seen
