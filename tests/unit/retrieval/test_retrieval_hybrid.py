"""The hybrid pipeline's control flow over an in-memory index that honours filters like FilingIndex."""

from __future__ import annotations

import pytest
from retrieval_fakes import FakeIndex, make_chunk, record

from agent.config import Context
from agent.retrieval.hybrid import HybridRetriever
from agent.retrieval.rerankers import BiEncoderReranker, IndexVectorReranker, NoReranker, make_reranker
from agent.retrieval.scope import resolve_scope
from agent.schemas import Scope


@pytest.fixture
def index() -> FakeIndex:
    docs = [
        record("a22", "Apple Inc.", "10-Q", 2022, 3, "AAPL"),
        record("a23", "Apple Inc.", "10-Q", 2023, 3, "AAPL"),
        record("m22", "3M Company", "10-K", 2022, None, "MMM"),
    ]
    chunks = [
        make_chunk("a22::0", "a22", "apple net sales iphone 2022", item="2"),
        make_chunk("a22::1", "a22", "apple risk factors supply", item="1A"),
        make_chunk("a23::0", "a23", "apple net sales iphone services 2023", item="2"),
        make_chunk("m22::0", "m22", "3m net sales safety industrial", item="7"),
        make_chunk("m22::1", "m22", "3m net sales by segment"),
    ]
    return FakeIndex(chunks, docs)


def test_scope_filter_applied_to_both_retrievers(index: FakeIndex) -> None:
    hybrid = HybridRetriever(index, Context())
    scope = resolve_scope("Apple net sales in Q3 2023", index.documents())
    hits = hybrid.search("apple net sales", scope)
    assert [h.id for h in hits] == ["a23::0"]
    assert [(name, f) for name, f in index.calls] == [
        ("dense", {"doc_id": ["a23"]}),
        ("bm25", {"doc_id": ["a23"]}),
    ]


def test_no_match_scope_returns_nothing_without_searching(index: FakeIndex) -> None:
    hybrid = HybridRetriever(index, Context())
    scope = resolve_scope("Apple net sales in 2015", index.documents())
    assert scope.status == "no_match"
    assert hybrid.search("apple net sales", scope) == []
    assert index.calls == []


def test_unscoped_search_sees_everything_and_fuses(index: FakeIndex) -> None:
    hybrid = HybridRetriever(index, Context())
    hits = hybrid.search("net sales", Scope())
    assert {h.id for h in hits} == {"a22::0", "a23::0", "m22::0", "m22::1"}
    assert all({"dense", "bm25", "rrf"} <= set(h.stage_scores) for h in hits)
    assert hits[0].score >= hits[-1].score


def test_explicit_filter_is_anded_with_scope(index: FakeIndex) -> None:
    hybrid = HybridRetriever(index, Context())
    scope = resolve_scope("3M net sales 2022", index.documents())
    hits = hybrid.search("net sales", scope, filter={"item": ["7"]})
    assert [h.id for h in hits] == ["m22::0"]
    outside = hybrid.search("net sales", scope, filter={"doc_id": ["a22"]})
    assert outside == []  # the scope's documents and the filter's do not intersect: nothing, not everything


def test_missing_section_tags_relax_to_the_scope_documents_only(index: FakeIndex) -> None:
    hybrid = HybridRetriever(index, Context())
    scope = resolve_scope("3M 2022 Item 1A supply risks", index.documents())
    assert scope.items == ["1A"]
    hits = hybrid.search("net sales segment", scope)
    assert hits and {h.chunk.metadata.doc_id for h in hits} == {"m22"}


def test_a_named_section_is_searched_on_its_own_and_lifts_its_passages() -> None:
    """A 10-Q's "Legal Proceedings" is Part II, Item 1; the item filter also admits Part I's Item 1
    (the statements and notes). The section's own search brings its lawsuit paragraph, which
    shares no word with the question, into the candidates ahead of the notes."""
    docs = [record("a23", "Apple Inc.", "10-Q", 2023, 2, "AAPL")]
    notes = "Part I, Item 1. Financial Statements"
    legal = "Part II, Item 1. Legal Proceedings"
    chunks = [
        make_chunk(f"a23::{i}", "a23", f"legal claims note {i} contingencies", item="1", section=notes)
        for i in range(3)
    ]
    chunks.append(
        make_chunk(
            "a23::9",
            "a23",
            "Epic Games filed a lawsuit alleging antitrust claims",
            item="1",
            section=legal,
        )
    )
    fake = FakeIndex(chunks, docs)
    scope = resolve_scope("What legal proceedings did Apple disclose in its Q2 2023 10-Q?", fake.documents())
    assert scope.items == ["1"] and legal in scope.sections and "Item 3. Legal Proceedings" in scope.sections
    unlifted = HybridRetriever(fake, Context()).search(
        "legal claims", scope.model_copy(update={"sections": []}), k=3
    )
    assert "a23::9" not in [h.id for h in unlifted]
    hits = HybridRetriever(fake, Context()).search("legal claims", scope, k=3)
    assert hits[0].id == "a23::9"
    assert ("bm25", {"doc_id": ["a23"], "item": ["1"], "section": scope.sections}) in fake.calls
    # Without a named section, no extra search.
    fake.calls.clear()
    HybridRetriever(fake, Context()).search("claims", resolve_scope("Apple Q2 2023 claims", fake.documents()))
    assert [name for name, _ in fake.calls] == ["dense", "bm25"]


def test_k_caps_candidates_and_rerank_keeps_top_n(index: FakeIndex) -> None:
    hybrid = HybridRetriever(index, Context(), reranker=NoReranker())
    hits = hybrid.search("net sales", None, k=2)
    assert len(hits) == 2
    assert hybrid.rerank("net sales", hits, top_n=1) == hits[:1]


def test_empty_query_rejected(index: FakeIndex) -> None:
    with pytest.raises(ValueError, match="empty search query"):
        HybridRetriever(index).search(" ")


class _Encoder:
    """Embeds by counting a few keywords, enough to order passages deterministically."""

    vocab = ("iphone", "services", "segment", "safety")

    def encode(self, texts, **_):
        import numpy as np

        rows = np.array([[t.lower().count(w) + 0.01 for w in self.vocab] for t in texts], dtype=float)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_bi_encoder_blend_moves_the_rescored_best_up(index: FakeIndex) -> None:
    hybrid = HybridRetriever(index, Context())
    fused = hybrid.search("net sales", None)
    assert fused[0].id != "a23::0"
    reranker = BiEncoderReranker(_Encoder(), name="test", rescore_weight=2.0, blend_k=1)
    out = reranker.rerank("services", fused, top_n=3)
    assert out[0].id == "a23::0"
    assert len(out) == 3 and "test" in out[0].stage_scores and "rrf" in out[0].stage_scores


class _CountingEncoder(_Encoder):
    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts, **kw):
        self.encoded += texts
        return super().encode(texts, **kw)


def test_bi_encoder_encodes_each_passage_once_across_queries(index: FakeIndex) -> None:
    fused = HybridRetriever(index, Context()).search("net sales", None)
    encoder = _CountingEncoder()
    reranker = BiEncoderReranker(encoder, name="test", rescore_weight=2.0, blend_k=1)
    first = reranker.rerank("services", fused, top_n=3)
    assert len(encoder.encoded) == 1 + len(fused)
    again = reranker.rerank("services", fused, top_n=3)
    other = reranker.rerank("iphone segment", fused[:2], top_n=2)
    # Later queries only encode themselves; the scores (and so the order) are unchanged.
    assert len(encoder.encoded) == 1 + len(fused) + 2
    assert [c.id for c in again] == [c.id for c in first]
    assert [c.stage_scores["test"] for c in again] == [c.stage_scores["test"] for c in first]
    assert len(other) == 2


class _VectorIndex:
    """The two things ``index-rescore`` reads: the store's vectors and the index's query encoder."""

    def __init__(self, chunks: list, missing: str = "") -> None:
        self.store = self
        self.embeddings = self
        self.read: list[list[str]] = []
        self._vectors = {c.id: list(_Encoder().encode([c.chunk.text])[0]) for c in chunks if c.id != missing}

    def vectors(self, ids: list[str]) -> dict[str, list[float]]:
        self.read.append(ids)
        return {i: self._vectors[i] for i in ids if i in self._vectors}

    def embed_query(self, text: str) -> list[float]:
        return list(_Encoder().encode([text])[0])


def test_index_rescore_scores_with_the_stored_vectors_and_encodes_no_passage(index: FakeIndex) -> None:
    fused = HybridRetriever(index, Context()).search("net sales", None)
    assert fused[0].id != "a23::0"
    stored = _VectorIndex(fused, missing=fused[0].id)
    reranker = make_reranker("index-rescore", index=stored)
    assert isinstance(reranker, IndexVectorReranker)
    out = reranker.rerank("services", fused, top_n=3, topic="iphone services")
    assert out[0].id == "a23::0"
    assert {"index-rescore", "index-rescore (topic)"} <= set(out[0].stage_scores)
    assert stored.read == [[c.id for c in fused]] * 2  # one vector read per query, nothing encoded
    # A candidate the store no longer holds keeps only its fusion vote.
    assert reranker.scores("services", fused)[0] == -1.0


def test_index_rescore_needs_a_store_that_returns_vectors(index: FakeIndex) -> None:
    fused = HybridRetriever(index, Context()).search("net sales", None)
    stored = _VectorIndex(fused)
    stored.store = object()
    with pytest.raises(ValueError, match="index-rescore"):
        make_reranker("index-rescore", index=stored).rerank("services", fused, top_n=3)


def test_make_reranker_rejects_unknown_specs() -> None:
    assert make_reranker("none").name == "none"
    with pytest.raises(ValueError, match="unknown reranker"):
        make_reranker("bogus")
    with pytest.raises(ValueError, match="CrossEncoder model id"):
        make_reranker("hf:")


class _YesNo:
    """Scripted judge: YES for passages mentioning 'services', gibberish for 'safety'."""

    def invoke(self, prompt: str) -> str:
        passage = prompt.split("Passage:", 1)[1]
        if "services" in passage:
            return "YES"
        return "maybe?" if "safety" in passage else "NO"


def test_llm_judge_promotes_yes_and_tolerates_unreadable_replies(index: FakeIndex) -> None:
    from agent.retrieval.rerankers import LLMJudgeReranker

    fused = HybridRetriever(index, Context()).search("net sales", None)
    out = LLMJudgeReranker(_YesNo(), max_judged=4).rerank("net sales", fused, top_n=4)
    assert out[0].id == "a23::0" and out[0].stage_scores["llm"] == 2.0
    unreadable = next(c for c in out if c.id == "m22::0")
    assert unreadable.stage_scores["llm"] == 1.0  # neither promoted nor dropped
    assert out[-1].stage_scores["llm"] == 0.0


def test_bi_encoder_splits_its_vote_between_the_question_and_its_topic(index: FakeIndex) -> None:
    fused = HybridRetriever(index, Context()).search("net sales", None)
    reranker = BiEncoderReranker(_Encoder(), name="test", fusion_weight=0.2, blend_k=1)
    as_asked = reranker.rerank("iphone", fused, top_n=len(fused))
    same = reranker.rerank("iphone", fused, top_n=len(fused), topic="iphone")
    both = reranker.rerank("iphone", fused, top_n=len(fused), topic="safety")
    # A topic equal to the question changes nothing; another one is scored and moves its best up.
    assert [c.id for c in same] == [c.id for c in as_asked]
    assert "test (topic)" not in same[0].stage_scores
    assert both[0].stage_scores["test (topic)"] >= 0
    rank = {c.id: n for n, c in enumerate(both)}
    assert rank["m22::0"] < {c.id: n for n, c in enumerate(as_asked)}["m22::0"]


class _TopicSpy(NoReranker):
    def __init__(self) -> None:
        self.topics: list[str | None] = []

    def rerank(self, query, chunks, top_n, topic=None):
        self.topics.append(topic)
        return super().rerank(query, chunks, top_n, topic)


def test_hybrid_rerank_hands_the_reranker_the_question_without_the_scoped_filers_name(
    index: FakeIndex,
) -> None:
    spy = _TopicSpy()
    hybrid = HybridRetriever(index, Context(), reranker=spy)
    question = "What were Apple's iPhone net sales in the Q3 2023 10-Q?"
    scope = resolve_scope(question, index.documents())
    hybrid.retrieve(question, scope)
    hybrid.retrieve(question, None)
    assert spy.topics[0] is not None and "Apple" not in spy.topics[0] and "10-Q" not in spy.topics[0]
    assert "iPhone net sales" in spy.topics[0]
    assert spy.topics[1] == question
