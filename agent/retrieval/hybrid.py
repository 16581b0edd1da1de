"""Hybrid retrieval: scope pre-filter -> dense + BM25 -> reciprocal-rank fusion -> (rerank)."""

from __future__ import annotations

from agent.config import Context
from agent.retrieval.fusion import reciprocal_rank_fusion
from agent.retrieval.protocols import MetadataFilter, Reranker, SearchIndex, filter_matches_nothing
from agent.retrieval.query import expand_query, topic_query
from agent.retrieval.scope import scope_filter
from agent.retrieval.statements import promote_statements
from agent.schemas import Scope, ScoredChunk


class HybridRetriever:
    """Both retrievers see the same hard filter; fusion merges them; a reranker is optional."""

    def __init__(
        self,
        index: SearchIndex,
        context: Context | None = None,
        reranker: Reranker | None = None,
        expand: bool = True,
    ) -> None:
        self.index = index
        self.context = context or Context()
        self.reranker = reranker
        # BM25 gets the filing vocabulary for statements the question names (see query.py).
        self.expand = expand

    def rankings(
        self, query: str, filter: MetadataFilter | None, dense_k: int | None = None, bm25_k: int | None = None
    ) -> dict[str, list[ScoredChunk]]:
        """The raw per-retriever rankings under ``filter`` (empty when the filter matches nothing):
        ``dense``, ``bm25``, and ``dense2``... for vector sets added beside the index's own
        (``filings reindex --add``), each weighted like ``dense`` in the fusion."""
        if filter_matches_nothing(filter):
            return {"dense": [], "bm25": []}
        dense_k = dense_k or self.context.dense_k
        out = {
            "dense": self.index.dense_search(query, dense_k, filter),
            "bm25": self.index.bm25_search(
                expand_query(query) if self.expand else query, bm25_k or self.context.bm25_k, filter
            ),
        }
        added = getattr(self.index, "added_dense_search", None)  # an index without added vectors: none
        if added is not None:
            out.update(added(query, dense_k, filter))
        return out

    def search(
        self,
        query: str,
        scope: Scope | None = None,
        k: int | None = None,
        filter: MetadataFilter | None = None,
    ) -> list[ScoredChunk]:
        """Fused candidates (before reranking), at most ``k`` (default ``rerank_candidates``).

        ``scope`` is turned into a hard filter (a no_match scope returns nothing); an explicit
        ``filter`` is ANDed with it field by field.
        """
        if not query or not query.strip():
            raise ValueError("empty search query")
        k = k or self.context.rerank_candidates
        effective = _merge_filters(scope_filter(scope) if scope is not None else None, filter)
        rankings = self.rankings(query, effective)
        if not any(rankings.values()) and effective and "item" in effective and scope is not None:
            # Section tags come from heading detection and can be missing; stay inside the scope's
            # documents (never widen past them) rather than return nothing for a valid filing.
            relaxed = {f: v for f, v in effective.items() if f != "item"}
            rankings = self.rankings(query, relaxed or None) if relaxed else rankings
        weights = {name: self._weight(name) for name in rankings}
        if scope is not None and scope.sections and effective:
            # The section the question names, searched on its own: its passages often share few
            # words with the question (a lawsuit's paragraph under "Legal Proceedings"), and the
            # item filter alone also admits a 10-Q's Part I Item 1 beside its Part II Item 1.
            lane = self.rankings(query, {**effective, "section": list(scope.sections)})
            for name, ranked in lane.items():
                rankings[f"section_{name}"] = ranked
                weights[f"section_{name}"] = self._weight(name)
        return reciprocal_rank_fusion(rankings, k=self.context.fusion_k, weights=weights)[:k]

    def _weight(self, ranking: str) -> float:
        """A ranking's vote in the fusion: BM25's, or the dense weight for every vector set."""
        return self.context.bm25_weight if ranking == "bm25" else self.context.dense_weight

    def rerank(
        self,
        query: str,
        chunks: list[ScoredChunk],
        top_n: int | None = None,
        scope: Scope | None = None,
    ) -> list[ScoredChunk]:
        """Apply the reranker (fusion order when there is none), keeping ``top_n`` chunks, with the
        statement passages a metric question needs first (see ``statements.py``). With the
        ``scope`` the candidates came from, the reranker also reads the query's topic."""
        top_n = top_n or self.context.context_chunks
        ranked = (
            list(chunks)
            if self.reranker is None
            else self.reranker.rerank(query, chunks, len(chunks), topic=topic_query(query, scope))
        )
        return promote_statements(query, ranked, top_n, neighbours=self.index.get_chunks)

    def retrieve(self, query: str, scope: Scope | None = None, top_n: int | None = None) -> list[ScoredChunk]:
        """search + rerank in one call."""
        return self.rerank(query, self.search(query, scope), top_n, scope)


def _merge_filters(a: MetadataFilter | None, b: MetadataFilter | None) -> MetadataFilter | None:
    """AND two filters: a field in both keeps only values allowed by both."""
    if a is None:
        return dict(b) if b else None
    if b is None:
        return dict(a)
    out: MetadataFilter = dict(a)
    for field, values in b.items():
        if field in out:
            allowed = {str(v) for v in values}
            out[field] = [v for v in out[field] if str(v) in allowed]
        else:
            out[field] = list(values)
    return out
