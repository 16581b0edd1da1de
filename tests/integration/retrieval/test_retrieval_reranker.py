"""The offline reranker (all-mpnet-base-v2 re-scoring) on a real small case."""

from __future__ import annotations

import pytest

from agent.config import Settings
from agent.retrieval.index import FilingIndex
from agent.retrieval.rerankers import BiEncoderReranker, make_reranker
from agent.schemas import ScoredChunk

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_mpnet_rescore_prefers_the_passage_that_answers(apple_settings: Settings) -> None:
    index = FilingIndex.open(apple_settings)
    try:
        hits = index.bm25_search("iPhone Mac iPad Wearables Services net sales by category", 40)
        answer = next(
            h for h in hits if "iphone" in h.chunk.text.lower() and "net sales" in h.chunk.text.lower()
        )
        others = [
            h
            for h in index.bm25_search("legal proceedings litigation unregistered sales equity", 6)
            if h.id != answer.id
        ][:5]
        # the answering chunk comes LAST in the candidate order handed to the reranker
        candidates = [
            ScoredChunk(chunk=c.chunk, score=1.0 / (i + 1)) for i, c in enumerate([*others, answer])
        ]
        reranker = make_reranker("local:mpnet-rescore", apple_settings)
        assert isinstance(reranker, BiEncoderReranker)
        scores = reranker.scores("How much did iPhone net sales amount to?", candidates)
        assert max(range(len(scores)), key=scores.__getitem__) == len(candidates) - 1
        ranked = reranker.rerank("How much did iPhone net sales amount to?", candidates, top_n=3)
        assert len(ranked) == 3 and answer.id in [r.id for r in ranked]
        assert ranked[0].stage_scores["local:mpnet-rescore"] <= max(scores) + 1e-6  # float32 batch noise
    finally:
        index.close()
