"""Pure routing functions: the next step from state (and the run's budgets). Unit-tested on
hand-made states; the graph's conditional edges only read what these return."""

from __future__ import annotations

from typing import Literal

from langgraph.types import Send

from agent.config import Context
from agent.schemas import Critique, Scope
from agent.state import Decision, RetrieveTask, State

# A revision costs at least a draft and one judgement.
MIN_CALLS_PER_REVISION = 2


def decide(
    critique: Critique,
    *,
    revisions: int,
    llm_calls: int,
    context: Context,
    has_context: bool,
    retrieval_rounds: int = 1,
    read_whole: bool = False,
) -> Decision:
    """Accept, revise (regenerate / re-retrieve) or abstain, within OUR budget (not LangGraph's
    recursion limit). Any ungrounded number or bad citation blocks acceptance. ``read_whole``: the
    one filing in scope was read whole for the question (nothing to find by searching again)."""
    blocking = any(c.verdict in ("ungrounded_number", "bad_citation") for c in critique.claims)
    if critique.claims and not blocking and critique.faithfulness >= context.faithfulness_threshold:
        return "accept"
    budget_spent = (
        revisions >= context.max_revisions or llm_calls + MIN_CALLS_PER_REVISION > context.max_llm_calls
    )
    if budget_spent:
        return "abstain"
    if critique.evidence_missing or not has_context:
        search_again = retrieval_rounds < context.max_retrieval_rounds and not read_whole
        return "re_retrieve" if search_again else "abstain"
    return "regenerate"


def route_after_scope(state: State) -> Literal["decompose_question", "finalize_answer"]:
    """Refused questions (empty, over-long, not English) and out-of-scope ones (no ingested filing
    matches) go straight to the answer."""
    if state.refusal:
        return "finalize_answer"
    if state.scope is not None and state.scope.status == "no_match":
        return "finalize_answer"
    return "decompose_question"


def fan_out_retrieval(state: State) -> list[Send]:
    """One ``retrieve`` branch per query (sub-questions, or rewritten queries on re-retrieval)."""
    queries = state.queries or [state.standalone_question or state.question]
    pending = [q for q in queries if q not in state.query_hits]
    scope = state.scope if state.scope is not None else Scope()
    rnd = max(1, state.retrieval_rounds)
    return [
        Send("retrieve", RetrieveTask(query=q, scope=state.query_scopes.get(q, scope), round=rnd))
        for q in pending or queries
    ]


def route_after_rerank(state: State) -> Literal["draft_answer", "finalize_answer"]:
    """No evidence at all: nothing to draft from, abstain straight away."""
    return "draft_answer" if state.context else "finalize_answer"


def route_after_critique(state: State) -> Literal["finalize_answer", "draft_answer", "rewrite_queries"]:
    """Follow the critic's decision (stored in ``state.route`` by ``critique_draft``)."""
    if state.route == "regenerate":
        return "draft_answer"
    if state.route == "re_retrieve":
        return "rewrite_queries"
    return "finalize_answer"
