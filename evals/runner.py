"""Run a suite through the research graph and compute the deterministic tier.

Each question runs the real graph (``graph.astream(stream_mode="updates")``) so the intermediate
products the metrics need are captured per node: sub-questions, the fused candidates before
reranking, the drafter's context after it, and the final typed ``Answer``. Every run is also traced
(local sink / LangSmith) with the suite name in its metadata.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from agent.config import Context, Settings
from agent.schemas import Answer, ScoredChunk
from agent.state import merge_chunks
from evals.datasets import EvalExample
from evals.metrics import (
    citation_validity,
    cost_summary,
    decomposition_stats,
    doc_recall_at_k,
    evidence_page_recall_at_k,
    is_abstention,
    mrr,
    numeric_answer_match,
    numeric_grounding_rate,
    ragas_context_scores,
    rerank_gain,
    summarise,
    ungrounded_answer_numbers,
)
from evals.results import ContextChunk, ExampleResult, SuiteResult

CANDIDATES_K = 10  # recall of the fused candidate list is measured at this depth


async def run_graph(graph: Any, question: str, context: Context, config: dict[str, Any]) -> dict[str, Any]:
    """One research run; returns the per-node products the metrics need."""
    retrieved: list[ScoredChunk] = []
    out: dict[str, Any] = {
        "subquestions": [],
        "context": [],
        "answer": None,
        "retrieved_rounds": [],
        "added": [],  # passages the drafter fetched itself (the operands of a computed answer)
    }
    async for chunk in graph.astream(
        {"question": question}, config=config, context=context, stream_mode="updates"
    ):
        for node, update in chunk.items():
            if not isinstance(update, dict):
                continue
            if node == "decompose_question" and update.get("subquestions"):
                out["subquestions"] = list(update["subquestions"])
            if node == "retrieve" and update.get("retrieved"):
                retrieved = merge_chunks(retrieved, list(update["retrieved"]))
            if node == "rerank_chunks" and "context" in update:
                out["context"] = list(update["context"])
            if node == "draft_answer":
                # Not retrieval's doing: kept out of the retrieval and context metrics, but an
                # answer may cite them: the operands of a computed answer, and the passages a
                # draft added to the context (the rest of a section an outline read).
                ranked = {c.id for c in out["context"]}
                drafted = [c for c in update.get("context") or [] if c.id not in ranked]
                out["added"] = merge_chunks(out["added"], [*(update.get("retrieved") or []), *drafted])
            if update.get("answer") is not None:
                out["answer"] = update["answer"]
    out["retrieved"] = retrieved
    return out


def score_example(
    example: EvalExample, products: dict[str, Any], *, context_chunks: int, with_ragas: bool = True
) -> dict[str, float | None]:
    """The deterministic metrics of one run (see ``evals.metrics``)."""
    answer: Answer | None = products.get("answer")
    retrieved: list[ScoredChunk] = products.get("retrieved") or []
    ctx: list[ScoredChunk] = products.get("context") or []
    ev = example.evidence
    n = max(1, context_chunks)
    m: dict[str, float | None] = {}
    if products.get("subquestions"):
        d = decomposition_stats(products["subquestions"])
        m["decomposition.count"] = d["count"]
        m["decomposition.duplicate_rate"] = d["duplicate_rate"]
    m[f"retrieval.page_recall@{CANDIDATES_K}"] = evidence_page_recall_at_k(retrieved, ev, CANDIDATES_K)
    m["retrieval.mrr"] = mrr(retrieved, ev)
    m["context.page_recall"] = evidence_page_recall_at_k(ctx, ev, n)
    m["context.mrr"] = mrr(ctx, ev)
    m["context.doc_recall"] = doc_recall_at_k(ctx, ev, n)
    m["rerank.gain"] = rerank_gain(retrieved, ctx, ev, n)
    if with_ragas and (example.evidence_pages or example.reference_contexts) and ctx:
        for k, v in ragas_context_scores(ctx, ev, example.reference_contexts).items():
            m[f"ragas.{k}"] = v
    if answer is not None:
        added: list[ScoredChunk] = products.get("added") or []
        chunk_texts = {c.id: c.chunk.text for c in [*retrieved, *ctx, *added]}
        m["answer.citation_validity"], _ = citation_validity(answer.text, answer.citations, chunk_texts)
        cited = [chunk_texts[c.chunk_id] for c in answer.citations if c.chunk_id in chunk_texts]
        m["answer.numeric_grounding"] = numeric_grounding_rate(
            answer.text, cited or [c.chunk.text for c in ctx]
        )
        abstained = is_abstention(answer)
        # Of an answer given (not an abstention): its figures that no cited passage prints and that
        # are not the result of a calculation the critic verified or our code made. Target: 0.
        if not abstained:
            m["answer.ungrounded_numbers"] = float(len(ungrounded_answer_numbers(answer, cited)))
        m["answer.abstained"] = float(abstained)
        if example.expect_abstain:
            m["answer.correct_abstention"] = float(abstained)
        else:
            m["answer.false_abstention"] = float(abstained)
            if example.reference_answer:
                m["answer.numeric_match"] = numeric_answer_match(answer.text, example.reference_answer).score
        m["answer.faithfulness"] = answer.faithfulness
        m["cost.llm_calls"] = float(answer.usage.llm_calls)
        m["cost.tokens"] = float(answer.usage.prompt_tokens + answer.usage.completion_tokens)
        draft_tokens = answer.usage.prompt_tokens_per_call("draft_answer")
        if draft_tokens is not None:
            m["cost.draft_prompt_tokens"] = draft_tokens
    return m


def _context_chunk(c: ScoredChunk, added: bool = False) -> ContextChunk:
    return ContextChunk(
        id=c.id,
        source=c.chunk.metadata.source_path,
        page=c.chunk.metadata.page,
        text=c.chunk.text,
        score=c.score,
        added=added,
    )


async def run_suite(
    suite: str,
    examples: Sequence[EvalExample],
    *,
    settings: Settings,
    graph: Any | None = None,
    context_overrides: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    with_ragas: bool = True,
) -> SuiteResult:
    """Run every example through the research graph and compute the deterministic tier."""
    from agent.tracing import run_config

    if graph is None:
        from graphs.research import build_research_graph

        graph = build_research_graph(settings=settings)
    context = settings.context(**(context_overrides or {}))
    started = time.perf_counter()
    results: list[ExampleResult] = []
    answers: list[Answer] = []
    walls: list[float] = []
    for i, ex in enumerate(examples, start=1):
        config = run_config(
            settings,
            run_name="research",
            metadata={"eval_suite": suite, "example_id": ex.id, "drafter_model": context.drafter_model},
            tags=["eval", suite],
        )
        t0 = time.perf_counter()
        products = await run_graph(graph, ex.question, context, config)
        wall = time.perf_counter() - t0
        answer: Answer | None = products["answer"]
        metrics = score_example(ex, products, context_chunks=context.context_chunks, with_ragas=with_ragas)
        metrics["cost.seconds"] = wall
        results.append(_graph_result(ex, products, metrics, wall, str(config["run_id"])))
        if answer is not None:
            answers.append(answer)
            walls.append(wall)
        if progress:
            progress(
                f"[{i}/{len(examples)}] {wall:5.1f}s {(answer.stop_reason if answer else 'no answer'):<22} {ex.question[:70]}"
            )
    return SuiteResult(
        suite=suite,
        tier="deterministic",
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        config={
            "context": {k: v for k, v in vars(context).items()},
            "embeddings_model": settings.embeddings_model,
            "collection": settings.collection,
            "n_examples": len(examples),
        },
        examples=results,
        metrics=_summaries(results),
        cost=cost_summary(answers, walls),
        wall_seconds=round(time.perf_counter() - started, 3),
    )


def _graph_result(
    ex: EvalExample, products: dict[str, Any], metrics: dict[str, float | None], wall: float, run_id: str
) -> ExampleResult:
    """One example's record of a graph run (an error when the graph gave no answer)."""
    answer: Answer | None = products["answer"]
    return ExampleResult(
        id=ex.id,
        question=ex.question,
        reference_answer=ex.reference_answer,
        answer=answer.text if answer else "",
        stop_reason=answer.stop_reason if answer else "",
        subquestions=products["subquestions"],
        retrieved_ids=[c.id for c in products["retrieved"]],
        context=[_context_chunk(c) for c in products["context"]]
        + [_context_chunk(c, added=True) for c in products.get("added") or []],
        citations=[c.model_dump() for c in answer.citations] if answer else [],
        claims=[c.model_dump() for c in answer.claims] if answer else [],
        metrics=metrics,
        node_seconds=dict(answer.node_seconds) if answer else {},
        wall_seconds=round(wall, 3),
        run_id=run_id,
        error=None if answer else "the graph finished without an answer",
    )


def _summaries(results: list[ExampleResult]) -> dict[str, Any]:
    """Every metric any example has, summarised over all examples (missing ones counted)."""
    names = sorted({k for r in results for k in r.metrics})
    return {k: summarise(r.metrics.get(k) for r in results) for k in names}


async def run_retrieval_suite(
    suite: str,
    examples: Sequence[EvalExample],
    *,
    settings: Settings,
    resources: Any,
    context_overrides: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> SuiteResult:
    """The deterministic tier without drafting: scope -> hybrid search -> rerank, no LLM at all.

    For large or partly ingested suites where a full graph run per question is too costly; questions
    whose evidence documents are not in the index are skipped and counted in the config.
    """
    from evals.datasets import doc_matches

    context = settings.context(**(context_overrides or {}))
    # Records carry the ingested path; fall back to the doc id (accession-named files).
    ingested = [getattr(d, "source_path", None) or d.doc_id for d in resources.documents()]
    kept = [ex for ex in examples if all(any(doc_matches(e.doc, p) for p in ingested) for e in ex.evidence)]
    started = time.perf_counter()
    results: list[ExampleResult] = []
    for i, ex in enumerate(kept, start=1):
        t0 = time.perf_counter()
        scope, hits, ctx = await _retrieve(resources, ex.question, context)
        wall = time.perf_counter() - t0
        products = {"subquestions": [], "retrieved": list(hits), "context": list(ctx), "answer": None}
        metrics = score_example(ex, products, context_chunks=context.context_chunks)
        metrics["cost.seconds"] = wall
        results.append(
            ExampleResult(
                id=ex.id, question=ex.question, reference_answer=ex.reference_answer,
                retrieved_ids=[c.id for c in hits], context=[_context_chunk(c) for c in ctx],
                metrics=metrics, wall_seconds=round(wall, 3), stop_reason=f"retrieval only (scope {scope.status})",
            )
        )  # fmt: skip
        if progress:
            progress(
                f"[{i}/{len(kept)}] {wall:5.1f}s recall={metrics.get('context.page_recall')} {ex.question[:70]}"
            )
    return SuiteResult(
        suite=suite,
        tier="deterministic",
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        config={
            "mode": "retrieval-only",
            "context": dict(vars(context)),
            "embeddings_model": settings.embeddings_model,
            "n_examples": len(kept),
            "skipped_not_ingested": len(examples) - len(kept),
        },
        examples=results,
        metrics=_summaries(results),
        wall_seconds=round(time.perf_counter() - started, 3),
    )


async def _retrieve(resources: Any, question: str, context: Context) -> tuple[Any, Any, Any]:
    """Scope -> hybrid search -> rerank for one question, each step off the event loop."""
    import asyncio

    scope = await asyncio.to_thread(resources.resolve_scope, question, None)
    hits = await asyncio.to_thread(resources.search, question, scope, context.rerank_candidates, context)
    ctx = await asyncio.to_thread(resources.rerank, question, list(hits), context.context_chunks, context)
    return scope, hits, ctx
