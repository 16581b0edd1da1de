"""Small structural types the retrieval pipeline codes against.

The concrete index (``agent.retrieval.index.FilingIndex``) and document records come from
ingestion; everything here only relies on these shapes, so tests can pass hand-made fakes and
other backends can slot in without subclassing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from agent.schemas import Chunk, ScoredChunk

# AND across fields, OR within a field's values; an EMPTY list matches NOTHING (fail closed).
MetadataFilter = dict[str, list[str | int]]


class DocumentLike(Protocol):
    """The parts of an ingested document record that scope resolution reads."""

    doc_id: str
    company: str | None
    ticker: str | None
    form_type: str | None
    fiscal_year: int | None
    fiscal_quarter: int | None
    period_end: str | None


class SearchIndex(Protocol):
    """What hybrid retrieval needs from an index: two filtered rankers over the same chunks."""

    def documents(self) -> Sequence[Any]: ...

    def dense_search(self, query: str, k: int, filter: MetadataFilter | None = None) -> list[ScoredChunk]: ...

    def bm25_search(self, query: str, k: int, filter: MetadataFilter | None = None) -> list[ScoredChunk]: ...

    def get_chunks(self, ids: list[str]) -> list[Chunk]: ...

    def count(self) -> int: ...


@runtime_checkable
class Reranker(Protocol):
    """Re-orders fused candidates; returns at most ``top_n`` chunks, best first."""

    name: str

    def rerank(
        self, query: str, chunks: list[ScoredChunk], top_n: int, topic: str | None = None
    ) -> list[ScoredChunk]:
        """``topic``: the query without the names its scope filter applies, for rerankers that
        can use it (``query.topic_query``); others ignore it."""
        ...


def filter_matches_nothing(filter: MetadataFilter | None) -> bool:
    """True when a filter can match no chunk (some field allows no value)."""
    return filter is not None and any(len(values) == 0 for values in filter.values())
