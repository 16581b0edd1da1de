"""Hard negatives, the document split and the before/after metrics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from agent.schemas import Chunk, ChunkMetadata, Fact, FactPeriod, ScoredChunk
from agent.tuning.evaluate import EvalSet, evaluate, metrics, rank_bi_encoder
from agent.tuning.negatives import is_false_negative, mine, printed_rows
from agent.tuning.queries import Pair
from agent.tuning.split import split_documents


def chunk(cid: str, text: str, doc: str = "d1") -> Chunk:
    return Chunk(id=cid, text=text, metadata=ChunkMetadata(doc_id=doc, source_path=f"/x/{doc}"))


ROW = Pair("Zenith capex fiscal 2021", "d1::1", "d1", "row", "keywords", "capital expenditures", "2021-12-31")
TERM = Pair("Zenith Credit Agreement", "d1::2", "d1", "term", "keywords", "credit agreement")


def test_false_negatives_are_passages_printing_the_same_row_and_period_or_the_same_term() -> None:
    rows = {
        "d1::9": {("capital expenditures", "2021-12-31")},
        "d1::8": {("capital expenditures", "2020-12-31")},
    }
    assert is_false_negative(ROW, "summary table", "d1::9", "positive", rows)
    assert not is_false_negative(ROW, "last year's table", "d1::8", "positive", rows)
    assert is_false_negative(
        ROW, "MD&A: Capital expenditures rose on new data centers", "d1::7", "positive", rows
    )
    assert is_false_negative(TERM, "under the Credit Agreement we may borrow", "d1::5", "positive", {})
    assert not is_false_negative(TERM, "risk factors", "d1::5", "positive", {})
    assert is_false_negative(TERM, " positive ", "d1::5", "positive", {})  # same text, another id


def test_printed_rows_reads_the_facts_of_each_passage() -> None:
    f = Fact(
        id="d1::f1",
        doc_id="d1",
        page=0,
        chunk_id="d1::4",
        label="Capital expenditures (1)",
        value=5.0,
        period=FactPeriod(kind="duration", end="2021-12-31"),
    )
    assert printed_rows([f]) == {"d1::4": {("capital expenditures", "2021-12-31")}}


@dataclass
class FakeIndex:
    """What mining needs: passages by id and a dense search inside one filing."""

    chunks: dict[str, Chunk]
    ranked: list[str]
    filters: list[object]

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        return [self.chunks[i] for i in ids if i in self.chunks]

    def dense_search(self, query: str, k: int, filter: object = None) -> list[ScoredChunk]:
        self.filters.append(filter)
        return [ScoredChunk(chunk=self.chunks[c], score=1.0) for c in self.ranked[:k]]


def test_mining_skips_the_positive_and_false_negatives_and_stays_in_the_filing() -> None:
    chunks = {
        c.id: c
        for c in (
            chunk("d1::1", "Capital expenditures 120"),
            chunk("d1::9", "Summary: capital expenditures 120"),
            chunk("d1::3", "Depreciation 40"),
        )
    }
    index = FakeIndex(chunks, ["d1::1", "d1::9", "d1::3"], [])
    rows = {"d1::9": {("capital expenditures", "2021-12-31")}}
    gone = Pair("q", "d1::404", "d1", "row", "keywords", "x", "")
    triplets = mine(index, [ROW, gone], rows)  # type: ignore[arg-type]
    assert len(triplets) == 1  # the pair whose passage left the index is dropped
    assert triplets[0].positive == "Capital expenditures 120"
    assert triplets[0].negative == "Depreciation 40"
    assert index.filters == [{"doc_id": ["d1"]}]


def test_split_is_by_document_reproducible_and_never_empty_on_either_side() -> None:
    docs = [f"doc{i}" for i in range(10)]
    a = split_documents(docs, 0.2, seed=3)
    b = split_documents(list(reversed(docs)), 0.2, seed=3)
    assert set(a.held_out) == set(b.held_out) and set(a.train) == set(b.train)
    assert len(a.held_out) == 2 and set(a.train) | set(a.held_out) == set(docs)
    assert not set(a.train) & set(a.held_out)
    assert len(split_documents(docs[:2], 0.01).held_out) == 1
    assert len(split_documents(docs[:2], 0.9).train) == 1
    assert split_documents(docs, 0.0).held_out == ()
    with pytest.raises(ValueError, match="held-out fraction"):
        split_documents(docs, 1.0)


def test_metrics_count_the_first_relevant_passage() -> None:
    out = metrics([["a", "b", "c"], ["x", "y", "z"], ["p", "q"]], [{"a"}, {"z"}, {"nope"}])
    assert out["recall@1"] == pytest.approx(1 / 3)
    assert out["recall@5"] == pytest.approx(2 / 3)
    assert out["mrr"] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert out["queries"] == 3


class LetterEncoder:
    """Vectors from letter counts: a query ranks passages sharing its letters first."""

    def encode(self, texts: list[str], **kw: object) -> np.ndarray:
        vecs = np.array([[t.lower().count(ch) + 0.01 for ch in "abcdefghijklmnopqrstuvwxyz"] for t in texts])
        return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def test_ranking_is_inside_the_query_filing_and_same_row_passages_count_as_hits() -> None:
    d1 = [chunk("d1::1", "zzzz"), chunk("d1::2", "abab"), chunk("d1::3", "xaxa")]
    d2 = [chunk("d2::1", "aaaa bbbb", doc="d2")]
    rows = {"d1::3": {("aaaa", "2021")}}  # prints the same row and period, in other words
    pair = Pair("aaaa", "d1::1", "d1", "row", "keywords", "aaaa", "2021")
    data = EvalSet([pair], {"d1": d1, "d2": d2}, rows)
    ranked = rank_bi_encoder(LetterEncoder(), data)
    assert set(ranked[0]) == {"d1::1", "d1::2", "d1::3"}
    assert ranked[0][0] == "d1::3"
    assert data.relevant(pair, "zzzz") == {"d1::1", "d1::3"}
    assert evaluate(data, lambda d: ranked)["recall@1"] == 1.0


def test_anchor_passages_come_from_training_documents_only() -> None:
    import random

    from agent.tuning.run import Corpus, _anchors

    corpus = Corpus(
        records={},
        chunks={
            "train": [chunk(f"t::{i}", f"train {i}", "train") for i in range(5)],
            "held": [chunk("h::0", "held", "held")],
        },
        facts={},
    )
    picked = _anchors(corpus, ("train",), 3, random.Random(0))
    assert len(picked) == 3 and all(p.startswith("train") for p in picked)
    assert len(_anchors(corpus, ("train",), 50, random.Random(0))) == 5
    assert _anchors(corpus, ("train",), 0, random.Random(0)) == []
