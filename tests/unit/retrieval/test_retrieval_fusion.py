"""Reciprocal-rank fusion, checked against sums worked out by hand."""

from __future__ import annotations

import pytest
from retrieval_fakes import make_chunk

from agent.retrieval.fusion import reciprocal_rank_fusion
from agent.schemas import ScoredChunk


def sc(cid: str, score: float) -> ScoredChunk:
    return ScoredChunk(chunk=make_chunk(cid, "d", cid), score=score)


def test_rrf_by_hand() -> None:
    dense = [sc("a", 0.9), sc("b", 0.8), sc("c", 0.7)]
    bm25 = [sc("c", 12.0), sc("a", 9.0), sc("d", 3.0)]
    fused = reciprocal_rank_fusion({"dense": dense, "bm25": bm25}, k=60)
    got = {f.id: f.score for f in fused}
    assert got["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert got["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert got["b"] == pytest.approx(1 / 62)
    assert got["d"] == pytest.approx(1 / 63)
    assert [f.id for f in fused] == ["a", "c", "b", "d"]
    a = fused[0]
    assert a.stage_scores == {"dense": 0.9, "dense_rank": 1.0, "bm25": 9.0, "bm25_rank": 2.0, "rrf": a.score}


def test_rrf_weights_and_k() -> None:
    dense = [sc("a", 1), sc("b", 1)]
    bm25 = [sc("b", 1), sc("a", 1)]
    fused = reciprocal_rank_fusion({"dense": dense, "bm25": bm25}, k=0, weights={"bm25": 3.0})
    # a: 1/1 + 3/2 = 2.5 ; b: 1/2 + 3/1 = 3.5
    assert [(f.id, f.score) for f in fused] == [("b", 3.5), ("a", 2.5)]


def test_rrf_ties_keep_first_appearance_and_duplicates_count_once() -> None:
    fused = reciprocal_rank_fusion(
        {"dense": [sc("x", 1), sc("x", 1), sc("y", 1)], "bm25": [sc("y", 1), sc("x", 1)]}
    )
    assert [f.id for f in fused] == ["x", "y"]
    assert fused[0].score == pytest.approx(1 / 61 + 1 / 62)


def test_rrf_empty_and_bad_input() -> None:
    assert reciprocal_rank_fusion({"dense": [], "bm25": []}) == []
    with pytest.raises(ValueError, match="unknown ranking"):
        reciprocal_rank_fusion({"dense": []}, weights={"bm25": 1.0})
    with pytest.raises(ValueError, match=">= 0"):
        reciprocal_rank_fusion({"dense": []}, k=-1)


def test_rrf_does_not_mutate_inputs() -> None:
    item = sc("a", 0.5)
    reciprocal_rank_fusion({"dense": [item]})
    assert item.stage_scores == {} and item.score == 0.5


def test_query_expansion_adds_filing_titles_only_when_named() -> None:
    from agent.retrieval.query import expand_query

    assert "statements of cash flows" in expand_query("Using the cash flow statement, what was FCF?")
    assert "balance sheets" in expand_query("based on the statement of financial position")
    assert expand_query("What drove revenue growth?") == "What drove revenue growth?"
