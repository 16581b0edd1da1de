"""The offline rerankers on a real small case: all-mpnet-base-v2 re-scoring, and the index's own
stored vectors re-scoring (``index-rescore``)."""

from __future__ import annotations

import pytest

from agent.config import Settings
from agent.retrieval.index import FilingIndex
from agent.retrieval.rerankers import BiEncoderReranker, IndexVectorReranker, make_reranker
from agent.schemas import ScoredChunk

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QUESTION = "How much did iPhone net sales amount to?"


def _candidates(index: FilingIndex) -> tuple[ScoredChunk, list[ScoredChunk]]:
    """The passage that answers QUESTION, and six candidates with it LAST in fusion order."""
    hits = index.bm25_search("iPhone Mac iPad Wearables Services net sales by category", 40)
    answer = next(h for h in hits if "iphone" in h.chunk.text.lower() and "net sales" in h.chunk.text.lower())
    others = [
        h
        for h in index.bm25_search("legal proceedings litigation unregistered sales equity", 6)
        if h.id != answer.id
    ][:5]
    return answer, [ScoredChunk(chunk=c.chunk, score=1.0 / (i + 1)) for i, c in enumerate([*others, answer])]


def test_mpnet_rescore_prefers_the_passage_that_answers(apple_settings: Settings) -> None:
    index = FilingIndex.open(apple_settings)
    try:
        answer, candidates = _candidates(index)
        reranker = make_reranker("local:mpnet-rescore", apple_settings)
        assert isinstance(reranker, BiEncoderReranker)
        scores = reranker.scores(QUESTION, candidates)
        assert max(range(len(scores)), key=scores.__getitem__) == len(candidates) - 1
        ranked = reranker.rerank(QUESTION, candidates, top_n=3)
        assert len(ranked) == 3 and answer.id in [r.id for r in ranked]
        assert ranked[0].stage_scores["local:mpnet-rescore"] <= max(scores) + 1e-6  # float32 batch noise
    finally:
        index.close()


def test_index_rescore_reads_the_stored_vectors_and_prefers_the_passage_that_answers(
    apple_settings: Settings,
) -> None:
    """The fast mode: the real Chroma index's stored MiniLM vectors re-score the candidates, the
    same scores the index's own model gives when it encodes the passages afresh."""
    index = FilingIndex.open(apple_settings)
    try:
        answer, candidates = _candidates(index)
        reranker = make_reranker("index-rescore", apple_settings, index=index)
        assert isinstance(reranker, IndexVectorReranker)
        scores = reranker.scores(QUESTION, candidates)
        assert max(range(len(scores)), key=scores.__getitem__) == len(candidates) - 1
        # The stored vectors are the index model's own encoding of each passage.
        fresh = index.embeddings.embed_documents([c.chunk.text for c in candidates])
        q = index.embeddings.embed_query(QUESTION)
        for score, vector in zip(scores, fresh, strict=True):
            cosine = sum(a * b for a, b in zip(q, vector, strict=True)) / (
                sum(a * a for a in q) ** 0.5 * sum(b * b for b in vector) ** 0.5
            )
            assert abs(score - cosine) < 1e-3
        ranked = reranker.rerank(QUESTION, candidates, top_n=3, topic="iPhone net sales")
        assert answer.id in [r.id for r in ranked]  # from last of six into the top three
        assert all({"index-rescore", "index-rescore (topic)"} <= set(r.stage_scores) for r in ranked)
    finally:
        index.close()
