"""Deterministic retrieval and answer metrics on hand-checked cases."""

from __future__ import annotations

import math

import pytest

from agent.schemas import Answer, Chunk, ChunkMetadata, Citation, ScoredChunk, Usage
from evals.datasets import Evidence
from evals.metrics import (
    RetrievedRef,
    abstention_rate,
    as_ref,
    citation_validity,
    cost_summary,
    decomposition_stats,
    doc_recall_at_k,
    evidence_page_recall_at_k,
    is_abstention,
    mrr,
    numeric_grounding_rate,
    ragas_context_scores,
    rerank_gain,
    summarise,
    ungrounded_answer_numbers,
)


def ref(i: str, doc: str, page: int, text: str = "") -> RetrievedRef:
    return RetrievedRef(chunk_id=i, source=f"/data/{doc}.pdf", page=page, text=text)


# Evidence: two pages of doc A. Ranking: B p3, A p7 (hit), A p8, A p9 (hit).
EVIDENCE = [Evidence(doc="A", page=7), Evidence(doc="A", page=9), Evidence(doc="A", page=7)]
RANKED = [ref("b3", "B", 3), ref("a7", "A", 7), ref("a8", "A", 8), ref("a9", "A", 9)]


def test_page_recall_and_mrr() -> None:
    assert evidence_page_recall_at_k(RANKED, EVIDENCE, 1) == 0.0
    assert evidence_page_recall_at_k(RANKED, EVIDENCE, 2) == 0.5  # duplicate evidence page counted once
    assert evidence_page_recall_at_k(RANKED, EVIDENCE, 4) == 1.0
    assert mrr(RANKED, EVIDENCE) == 0.5
    assert mrr(RANKED[:1], EVIDENCE) == 0.0
    # A neighbouring page counts only with a page window.
    assert evidence_page_recall_at_k([ref("a6", "A", 6)], [Evidence(doc="A", page=7)], 1) == 0.0
    assert (
        evidence_page_recall_at_k([ref("a6", "A", 6)], [Evidence(doc="A", page=7)], 1, page_window=1) == 1.0
    )
    # Same page number in another document is not a hit.
    assert mrr([ref("b7", "B", 7)], EVIDENCE) == 0.0
    assert evidence_page_recall_at_k(RANKED, [Evidence(doc="*A*")], 3) is None
    with pytest.raises(ValueError):
        evidence_page_recall_at_k(RANKED, EVIDENCE, 0)


def test_doc_recall_with_globs() -> None:
    ev = [Evidence(doc="*2023 Q3 AAPL*"), Evidence(doc="*2023 Q3 MSFT*")]
    ranked = [ref("1", "2022 Q3 AAPL", 1), ref("2", "2023 Q3 AAPL", 2), ref("3", "2023 Q3 MSFT", 0)]
    assert doc_recall_at_k(ranked, ev, 1) == 0.0
    assert doc_recall_at_k(ranked, ev, 2) == 0.5
    assert doc_recall_at_k(ranked, ev, 3) == 1.0


def test_rerank_gain() -> None:
    before = RANKED
    after = [RANKED[1], RANKED[3], RANKED[0], RANKED[2]]
    assert rerank_gain(before, after, EVIDENCE, 2) == pytest.approx(0.5)  # 0.5 -> 1.0
    assert rerank_gain(after, before, EVIDENCE, 2) == pytest.approx(-0.5)


def test_as_ref_accepts_schema_objects_and_dicts() -> None:
    meta = ChunkMetadata(doc_id="d", source_path="/x/A.pdf", page=7)
    chunk = Chunk(id="d::1", text="t", metadata=meta)
    assert as_ref(ScoredChunk(chunk=chunk, score=1.0)) == RetrievedRef("d::1", "/x/A.pdf", 7, "t")
    assert as_ref({"id": "d::1", "metadata": {"source_path": "/x/A.pdf", "page": 7}}).page == 7
    with pytest.raises(ValueError, match="needs an id"):
        as_ref({"text": "x"})
    with pytest.raises(TypeError):
        as_ref(42)


def test_ragas_context_scores_hand_checked() -> None:
    ranked = [ref("a7", "A", 7, "Total net sales 81,797"), ref("b1", "B", 1, "unrelated risk factors"),
              ref("a7b", "A", 7, "more of page seven")]  # fmt: skip
    scores = ragas_context_scores(ranked, EVIDENCE, ["Total net sales 81,797"])
    # Retrieved page ids {A::7, B::1}: precision 1/2; evidence pages {A::7, A::9}: recall 1/2.
    assert scores["id_context_precision"] == pytest.approx(0.5)
    assert scores["id_context_recall"] == pytest.approx(0.5)
    # One of three retrieved texts equals the reference: rank-weighted precision 1.0, recall 1.0.
    assert scores["nonllm_context_recall"] == pytest.approx(1.0)
    assert scores["nonllm_context_precision"] == pytest.approx(1.0, abs=1e-6)
    none = ragas_context_scores(ranked, [], [])
    assert set(none.values()) == {None}


def test_decomposition_stats() -> None:
    stats = decomposition_stats(
        ["What were Apple's net sales?", "what were apple's net sales", "What was Apple's gross margin?"]
    )
    assert stats == {"count": 3.0, "duplicates": 1.0, "duplicate_rate": pytest.approx(1 / 3)}
    assert decomposition_stats([])["count"] == 0.0


def test_citation_validity() -> None:
    chunks = {"c1": "Total net sales were $81,797 million.", "c2": "iPhone net sales were $39,669 million."}
    cites = [
        Citation(n=1, chunk_id="c1", doc_id="d", page=1, quote="total net sales  were $81,797"),
        Citation(n=2, chunk_id="c2", doc_id="d", page=2, quote="Mac net sales"),  # quote not in chunk
        Citation(n=3, chunk_id="zz", doc_id="d", page=3),  # not retrieved
    ]
    rate, problems = citation_validity("Sales were $81.8B [1][2][3][4].", cites, chunks)
    assert rate == pytest.approx(1 / 4)  # [4] is a dangling marker
    assert len(problems) == 3 and any("[4] has no citation" in p for p in problems)
    assert citation_validity("no citations", [], chunks) == (None, [])


def test_numeric_grounding_rate() -> None:
    ctx = ["Total net sales 81,797 and iPhone 39,669 (in millions)"]
    assert numeric_grounding_rate("Sales were $81,797 million and iPhone $39.7 billion.", ctx) == 1.0
    assert numeric_grounding_rate("Sales were $90,000 million and iPhone $39.7 billion.", ctx) == 0.5
    assert numeric_grounding_rate("Sales rose.", ctx) is None


def test_abstention() -> None:
    a = Answer(question="q", text="The filings do not contain this.", stop_reason="accepted")
    b = Answer(question="q", text="Sales were $5.", stop_reason="abstained: budget")
    c = Answer(question="q", text="Sales were $5.")
    assert is_abstention(a) and is_abstention(b) and not is_abstention(c)
    assert abstention_rate([a, b, c]) == pytest.approx(2 / 3)
    assert abstention_rate([]) is None


def test_cost_summary() -> None:
    a = Answer(question="q", text="t", usage=Usage(llm_calls=3, prompt_tokens=100, completion_tokens=10),
               node_seconds={"draft": 2.0, "retrieve": 1.0})  # fmt: skip
    b = Answer(question="q", text="t", usage=Usage(llm_calls=5, prompt_tokens=300, completion_tokens=30),
               node_seconds={"draft": 4.0})  # fmt: skip
    s = cost_summary([a, b], wall_seconds=[3.0, 5.0])
    assert s["llm_calls"] == 4.0 and s["prompt_tokens"] == 200.0 and s["completion_tokens"] == 20.0
    assert s["node_seconds"] == {"draft": 3.0, "retrieve": 0.5}
    assert s["wall_seconds"] == 4.0 and s["wall_seconds_total"] == 8.0


def test_summarise_counts_nan_and_missing() -> None:
    s = summarise([1.0, float("nan"), None, 0.0, 0.5])
    assert s["mean"] == pytest.approx(0.5) and s["n"] == 3 and s["n_nan"] == 1 and s["n_missing"] == 1
    assert s["stdev"] == pytest.approx(0.5)
    empty = summarise([float("nan")])
    assert empty["mean"] is None and empty["n_nan"] == 1
    assert not math.isnan(summarise([2.0])["stdev"])


def test_ungrounded_answer_numbers_spare_printed_figures_and_calculations() -> None:
    from agent.schemas import Calculation, Claim, Operand

    cited = ["Total net sales 81,797 82,959 (in millions)", "Operating income 23,000 22,000"]
    answer = Answer(
        question="q",
        text="Net sales were $81,797 million [1]. The margin was 28.12% [1]. Sales rose 4.4% [1].",
        claims=[Claim(text="The margin was 28.12%.", verdict="calculation")],
    )
    # 4.4 % is printed nowhere and no calculation gave it; "the 3 rows" is a count.
    answer.text += " It lists the 3 rows below [1]."
    assert ungrounded_answer_numbers(answer, cited) == ["4.4%"]
    operand = Operand(
        fact_id="f1", doc_id="d", page=3, item="revenue", label="Total net sales", period="FY2023",
        value=81_797, printed="81,797",
    )  # fmt: skip
    answer.calculations = [
        Calculation(name="x", expression="", operands=[operand], result=4.4, unit="%"),
        Calculation(name="y", expression="", operands=[operand], result=1_234, unit="USD", scale=6),
    ]
    answer.text += " The sum was $1,234 million ($1.234 billion), not $2,468 million [1]."
    assert ungrounded_answer_numbers(answer, cited) == ["$2,468 million"]
