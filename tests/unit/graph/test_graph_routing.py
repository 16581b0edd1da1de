"""Pure routing functions on hand-made states, the prompt templates, and the graph's drawing."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from graph_fakes import CHUNKS, FakeResources, ScriptedChatModel

from agent.config import Context
from agent.prompts import critic, decompose, draft, rerank, scope
from agent.routing import (
    decide,
    fan_out_retrieval,
    route_after_critique,
    route_after_rerank,
    route_after_scope,
)
from agent.schemas import Claim, Critique, Scope, ScoredChunk
from agent.state import Reset, State, merge_chunks
from graphs.research import build_research_graph

SNAPSHOT = Path(__file__).with_name("research_graph.mmd")


def crit(*verdicts: str, missing: bool = False) -> Critique:
    claims = [Claim(text="x", verdict=v) for v in verdicts]  # type: ignore[arg-type]
    good = sum(v in ("supported", "calculation") for v in verdicts)
    return Critique(
        claims=claims, faithfulness=good / len(verdicts) if verdicts else 0.0, evidence_missing=missing
    )


@pytest.mark.parametrize(
    ("critique", "revisions", "calls", "expected"),
    [
        (crit("supported", "calculation"), 0, 2, "accept"),
        (crit("supported", "supported", "supported", "supported", "unsupported"), 0, 2, "accept"),  # 0.8
        (crit("supported", "ungrounded_number"), 0, 2, "regenerate"),
        (crit("supported", "bad_citation"), 0, 2, "regenerate"),
        (crit(*["supported"] * 9, "ungrounded_number"), 0, 2, "regenerate"),  # zero tolerance on numbers
        (crit(missing=True), 0, 1, "re_retrieve"),
        (crit("supported", "ungrounded_number"), 2, 2, "abstain"),  # revision budget
        (crit("supported", "ungrounded_number"), 0, 11, "abstain"),  # LLM-call budget
    ],
)
def test_decide(critique: Critique, revisions: int, calls: int, expected: str) -> None:
    ctx = Context(max_revisions=2, max_llm_calls=12)
    assert decide(critique, revisions=revisions, llm_calls=calls, context=ctx, has_context=True) == expected


def test_a_second_empty_retrieval_abstains() -> None:
    ctx = Context(max_revisions=3)
    missing = crit(missing=True)
    assert (
        decide(missing, revisions=1, llm_calls=2, context=ctx, has_context=True, retrieval_rounds=2)
        == "abstain"
    )
    # The number of retrieval rounds is a budget of the run's Context, not a constant.
    deeper = Context(max_revisions=3, max_retrieval_rounds=3)
    assert (
        decide(missing, revisions=1, llm_calls=2, context=deeper, has_context=True, retrieval_rounds=2)
        == "re_retrieve"
    )


def test_nothing_found_in_a_filing_read_whole_is_not_searched_for_again() -> None:
    missing, ctx = crit(missing=True), Context(max_revisions=3)
    assert decide(missing, revisions=0, llm_calls=2, context=ctx, has_context=True) == "re_retrieve"
    assert (
        decide(missing, revisions=0, llm_calls=2, context=ctx, has_context=True, read_whole=True) == "abstain"
    )
    # A draft that failed for another reason is still redrafted.
    unsupported = crit("supported", "unsupported")
    assert decide(unsupported, revisions=0, llm_calls=2, context=ctx, has_context=True, read_whole=True) == (
        "regenerate"
    )


def test_edge_routes() -> None:
    state = State(question="q", scope=Scope(status="no_match", reason="none"))
    assert route_after_scope(state) == "finalize_answer"
    assert route_after_scope(State(question="q", scope=Scope(status="ok"))) == "decompose_question"
    assert route_after_rerank(State(question="q")) == "finalize_answer"
    assert (
        route_after_rerank(State(question="q", context=[ScoredChunk(chunk=CHUNKS[0], score=1)]))
        == "draft_answer"
    )
    for route, node in [
        ("regenerate", "draft_answer"),
        ("re_retrieve", "rewrite_queries"),
        ("accept", "finalize_answer"),
        ("abstain", "finalize_answer"),
    ]:
        assert route_after_critique(State(question="q", route=route)) == node


def test_fan_out_sends_each_query_its_own_scope() -> None:
    apple, amazon = (
        Scope(companies=["Apple Inc."], status="ok"),
        Scope(companies=["Amazon.com, Inc."], status="ok"),
    )
    state = State(question="q", scope=Scope(), queries=["a", "b"], query_scopes={"a": apple, "b": amazon})
    sends = fan_out_retrieval(state)
    assert [(s.node, s.arg.query, s.arg.scope.companies) for s in sends] == [
        ("retrieve", "a", ["Apple Inc."]),
        ("retrieve", "b", ["Amazon.com, Inc."]),
    ]


def test_merge_chunks_dedupes_and_resets() -> None:
    a, b = ScoredChunk(chunk=CHUNKS[0], score=0.2), ScoredChunk(chunk=CHUNKS[0], score=0.9)
    merged = merge_chunks([a], [b, ScoredChunk(chunk=CHUNKS[1], score=0.1)])
    assert [(c.id, c.score) for c in merged] == [(CHUNKS[0].id, 0.9), (CHUNKS[1].id, 0.1)]
    assert merge_chunks(merged, Reset()) == []


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_prompt_templates_get_every_variable() -> None:
    assert _fields(draft.DRAFT_INSTRUCTIONS) == {"question", "figures", "feedback", "cannot_answer"}
    assert _fields(draft.FIGURES) == {"lines"}
    assert _fields(critic.JUDGE_INSTRUCTIONS) == {"claim"}
    assert _fields(decompose.DECOMPOSE_USER) == {"question", "max_subquestions"}
    assert _fields(scope.SCOPE_COMPANY) == {"choices", "question"}
    assert _fields(rerank.RERANK_JUDGE) == {"question", "passage"}
    text = draft.draft_instructions("Q?", "- fix this")
    assert "{" not in text.replace("CALC(", "") and "fix this" in text
    listed = draft.draft_instructions("Q?", figures=["[c1] Revenue, year ended 2023 = 5"])
    assert "- [c1] Revenue, year ended 2023 = 5" in listed and "{" not in listed.replace("CALC(", "")


def test_mermaid_snapshot() -> None:
    graph = build_research_graph(resources=FakeResources(ScriptedChatModel(scripts={})))
    drawing = graph.get_graph().draw_mermaid()
    assert drawing == SNAPSHOT.read_text(), "graph shape changed: review and update research_graph.mmd"
