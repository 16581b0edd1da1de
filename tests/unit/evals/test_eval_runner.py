"""Suite runner over the real research graph with scripted model and in-memory resources:
products captured per node, deterministic metrics, report files, gate on a degraded run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "graph"))
from graph_fakes import FakeResources, ScriptedChatModel

from agent.config import Settings
from evals.gate import gate_results
from evals.orchestrate import evaluate_suite, parse_overrides, slim
from evals.report import write_report
from evals.results import SuiteResult
from graphs.research import build_research_graph

APPLE_23 = "0000320193-23-000077"
QUESTIONS = [
    {"id": "sales", "question": "What were Apple's total net sales for the three months ended July 1, 2023?",
     "reference_answer": "$81,797 million", "evidence": [{"doc": APPLE_23, "page": 3}],
     "reference_contexts": ["Total net sales 81,797 82,959 293,787 304,182"]},
    {"id": "tesla", "question": "What was Tesla's revenue in 2022?", "expect_abstain": True},
]  # fmt: skip


@pytest.fixture
def suite_file(tmp_path: Path) -> Path:
    path = tmp_path / "mini.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n")
    return path


def stack() -> tuple[object, FakeResources]:
    model = ScriptedChatModel(
        scripts={
            "decompose": ['{"subquestions": ["Apple total net sales three months ended July 1, 2023"]}'],
            "draft": ["Apple's total net sales were $81,797 million [c1]."],
            "judge": ["YES"],
        }
    )
    res = FakeResources(model)
    return build_research_graph(resources=res), res


async def test_runner_metrics_report_and_gate(suite_file: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    graph, res = stack()
    result = await evaluate_suite(str(suite_file), settings, graph=graph, resources=res)
    sales, tesla = result.examples
    assert (
        sales.answer == "Apple's total net sales were $81,797 million [1]."
        and sales.stop_reason == "accepted"
    )
    assert sales.context and sales.context[0].id == f"{APPLE_23}::3"
    m = sales.metrics
    assert m["context.page_recall"] == 1.0 and m["context.mrr"] == 1.0
    assert m["answer.numeric_match"] == 1.0 and m["answer.citation_validity"] == 1.0
    assert m["answer.numeric_grounding"] == 1.0 and m["answer.false_abstention"] == 0.0
    assert m["answer.ungrounded_numbers"] == 0.0 and "answer.ungrounded_numbers" not in tesla.metrics
    assert m["ragas.id_context_recall"] == 1.0
    assert tesla.stop_reason == "out of scope" and tesla.metrics["answer.correct_abstention"] == 1.0
    # Tesla has no evidence: retrieval metrics are n/a, counted as missing rather than zero.
    assert (
        result.metrics["context.page_recall"]["n"] == 1
        and result.metrics["context.page_recall"]["n_missing"] == 1
    )
    assert result.cost["llm_calls"] > 0 and "draft_answer" in result.cost["node_seconds"]
    # Every question was traced in the local sink under the data dir.
    from agent.tracing import TraceStore

    runs = TraceStore(settings.traces_path).list_runs()
    assert {r.run_id for r in runs} == {e.run_id for e in result.examples}
    assert all(r.metadata.get("eval_suite") == "mini" for r in runs)

    # Critic evaluation ran on the real context chunks (only one question has two chunks).
    assert result.critic["n_cases"] in (0, 5)
    # Each stage's wall time is kept apart, so a report says what the answers and the critic cost.
    assert set(result.tier_seconds) == {"answers", "critic"}
    assert result.tier_seconds["answers"] == result.wall_seconds

    saved = result.save(tmp_path / "out" / "results.json")
    assert SuiteResult.load(saved).means() == result.means()
    base = slim(result)
    assert all(c.text == "" for e in base.examples for c in e.context)
    assert all(e.retrieved_ids == [] for e in base.examples) and result.examples[0].retrieved_ids
    assert gate_results(result, base).passed

    report = write_report(result, tmp_path / "out", baseline=base, gate=gate_results(result, base))
    text = report.read_text()
    assert "Regression gate: PASSED" in text and "context.page_recall" in text
    assert "Wall time per stage: answers" in text
    for png in ("latency_per_node.png", "metrics_vs_baseline.png", "score_distributions.png"):
        assert (tmp_path / "out" / png).stat().st_size > 1000

    # A run that never finds the evidence fails the gate.
    degraded = result.model_copy(deep=True)
    degraded.metrics["context.page_recall"]["mean"] = 0.0
    report = gate_results(degraded, base)
    assert not report.passed and [r.metric for r in report.failures] == ["context.page_recall"]


def test_parse_overrides() -> None:
    assert parse_overrides(["dense_k=1", "reranker_model=none", "faithfulness_threshold=0.5"]) == {
        "dense_k": 1,
        "reranker_model": "none",
        "faithfulness_threshold": 0.5,
    }
    with pytest.raises(ValueError, match="FIELD=VALUE"):
        parse_overrides(["nope=1"])
    with pytest.raises(ValueError, match="needs a int"):
        parse_overrides(["dense_k=many"])


async def test_retrieval_only_mode_skips_uningested_and_needs_no_llm(
    suite_file: Path, tmp_path: Path
) -> None:
    extra = {
        "id": "ghost",
        "question": "What did Ghost Corp earn?",
        "evidence": [{"doc": "GHOST_2020_10K", "page": 1}],
    }
    with suite_file.open("a") as fh:
        fh.write(json.dumps(extra) + "\n")
    model = ScriptedChatModel(scripts={})
    res = FakeResources(model)
    result = await evaluate_suite(str(suite_file), Settings(data_dir=tmp_path), resources=res, answers=False)
    assert model.calls == []  # no LLM anywhere, critic included (figures are checked deterministically)
    assert result.config["mode"] == "retrieval-only" and result.config["skipped_not_ingested"] == 1
    assert [e.id for e in result.examples] == ["sales", "tesla"]
    assert result.examples[0].metrics["context.page_recall"] == 1.0
    assert result.examples[0].answer == "" and "answer.numeric_match" not in result.examples[0].metrics
    assert set(result.tier_seconds) == {"retrieval", "critic"}
    with pytest.raises(ValueError, match="deterministic tier only"):
        await evaluate_suite(
            str(suite_file), Settings(data_dir=tmp_path), resources=res, answers=False, tier="all"
        )


async def test_stride_samples_every_nth_question(suite_file: Path, tmp_path: Path) -> None:
    graph, res = stack()
    result = await evaluate_suite(
        str(suite_file), Settings(data_dir=tmp_path / "d"), graph=graph, resources=res, stride=2
    )
    assert [e.question for e in result.examples] == [QUESTIONS[0]["question"]]
    with pytest.raises(ValueError, match="stride"):
        await evaluate_suite(
            str(suite_file), Settings(data_dir=tmp_path / "d"), graph=graph, resources=res, stride=0
        )


async def test_a_computed_answer_citing_a_passage_retrieval_missed(suite_file: Path, tmp_path: Path) -> None:
    """The passage that prints a computed answer's operand is cited validly although retrieval never
    returned it, and it does not count as retrieved or as ranked context."""
    from graph_fakes import CHUNKS

    from agent.schemas import Fact, FactPeriod, ScoredChunk

    graph, res = stack()
    income, risk = CHUNKS[0], CHUNKS[1]
    res.search = lambda query, scope, k, context: [ScoredChunk(chunk=risk, score=1.0)]  # type: ignore[method-assign]
    quarter = FactPeriod(kind="duration", end="2023-07-01", months=3, fiscal_year=2023, fiscal_quarter=3)
    res.facts = [
        Fact(id=f"{APPLE_23}::f1", doc_id=APPLE_23, page=3, chunk_id=income.id, statement="income",
             label="Total net sales", period=quarter, value=81_797, scale=6, unit="USD", text="81,797")
    ]  # fmt: skip
    result = await evaluate_suite(
        str(suite_file), Settings(data_dir=tmp_path / "d"), graph=graph, resources=res
    )
    sales = result.examples[0]
    assert sales.stop_reason == "accepted" and "$81,797 million" in sales.answer
    assert sales.metrics["answer.citation_validity"] == 1.0
    assert income.id not in sales.retrieved_ids
    # Stored with the context as the drafting step's addition, not as ranked context.
    assert [c.id for c in sales.context if c.added] == [income.id]
    assert sales.metrics["answer.ungrounded_numbers"] == 0.0
    assert sales.metrics["retrieval.page_recall@10"] == 0.0


async def test_passages_a_draft_adds_to_the_context_are_stored_as_added() -> None:
    """An outline that read the rest of a section adds the passages it cites to the context: the
    eval keeps them (an answer citing them is grounded), apart from the ranked context."""
    from graph_fakes import CHUNKS

    from agent.schemas import ScoredChunk
    from evals.runner import run_graph

    ranked, read = ScoredChunk(chunk=CHUNKS[0], score=0.9), ScoredChunk(chunk=CHUNKS[1], score=0.0)

    class Updates:
        async def astream(self, *args: object, **kwargs: object):
            yield {"rerank_chunks": {"context": [ranked]}}
            yield {"draft_answer": {"context": [ranked, read], "draft": "..."}}

    out = await run_graph(Updates(), "q", context=None, config={})  # type: ignore[arg-type]
    assert [c.id for c in out["context"]] == [ranked.id]
    assert [c.id for c in out["added"]] == [read.id]
