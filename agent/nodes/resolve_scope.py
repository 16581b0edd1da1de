"""``resolve_scope``: which filings the question is about; starts every turn afresh."""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime

from agent.config import Context
from agent.finance.plan import plan_question
from agent.nodes.decompose import is_simple
from agent.nodes.resources import Resources
from agent.nodes.timing import timed
from agent.progress import filing_ref, progress_for
from agent.question import check_question
from agent.schemas import Scope, Usage
from agent.state import Reset, State

_FOLLOW_UP = re.compile(
    r"^\s*(?:and|what about|how about|same for|and for|also|then|what of|compared (?:to|with))\b"
    r"|\b(?:the year before|the prior year|the previous year|last year|that year|the quarter before|"
    r"the previous quarter|the prior quarter|same period|same quarter|it|its|they|their|that|those)\b",
    re.I,
)
_YEAR_BEFORE = re.compile(
    r"\b(?:the year before|the prior year|the previous year|a year earlier|year earlier)\b", re.I
)
_CONTENT_WORDS = re.compile(r"[A-Za-z]{4,}")


def is_follow_up(question: str, turns: list[Any]) -> bool:
    """A short question that leans on the previous turn ("and the year before?")."""
    if not turns:
        return False
    return len(question.split()) <= 12 and bool(_FOLLOW_UP.search(question))


def standalone_question(question: str, turns: list[Any]) -> str:
    """The question with the previous turn's subject spelled out, so retrieval and drafting see it."""
    if not is_follow_up(question, turns):
        return question
    previous = turns[-1].standalone
    return f"{previous} Follow-up question: {question.strip()}"


def shift_years(scope: Scope, previous: Scope | None, question: str) -> Scope:
    """ "The year before" moves inherited fiscal years back by one (the resolver keeps them)."""
    if (
        previous is None
        or not _YEAR_BEFORE.search(question)
        or scope.source.get("fiscal_years") != "inherited"
    ):
        return scope
    years = [y - 1 for y in scope.fiscal_years]
    return scope.model_copy(
        update={"fiscal_years": years, "source": {**scope.source, "fiscal_years": "shifted"}}
    )


def turn_reset() -> dict[str, Any]:
    """Per-turn fields start empty: a checkpointed thread still holds the previous turn's."""
    return {
        "query_scopes": {},
        "subquestions": [],
        "queries": [],
        "retrieved": Reset(),
        "query_hits": Reset(),
        "context": [],
        "draft": "",
        "figures": [],
        "plan": None,
        "superlative": None,
        "unreported": "",
        "calculations": [],
        "critique": None,
        "revisions": 0,
        "retrieval_rounds": 0,
        "route": "",
        "answer": None,
        "usage": Reset(Usage()),
        "node_seconds": Reset({}),
        "fallbacks": Reset([]),
    }


def make_resolve_scope(resources: Resources):
    @timed("resolve_scope")
    async def resolve_scope(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
        question = state.question.strip()
        ctx = runtime.context or Context()
        # Refused before the scope resolver too (its fallback may call the planner model); the
        # previous turn's scope is kept for the next follow-up.
        refusal = check_question(state.question, max_chars=ctx.max_question_chars)
        if refusal:
            return {**turn_reset(), "standalone_question": question, "refusal": refusal}
        previous = state.scope if state.turns else None
        standalone = standalone_question(question, state.turns)
        scope = resources.resolve_scope(question, previous)
        if scope.source.get("fiscal_years") == "inherited" and _YEAR_BEFORE.search(question):
            # Re-resolve with the shifted years so doc_ids and status follow the new period.
            shifted = shift_years(scope, previous, question)
            years = " ".join(f"fiscal {y}" for y in shifted.fiscal_years)
            scope = resources.resolve_scope(f"{question} {years}", previous)
        if scope.status == "no_match" and len(scope.companies) > 1 and not is_simple(question, scope):
            # "Apple in Q3 2023 vs Amazon in FY2022": no single filter fits both; decomposition
            # scopes each sub-question on its own (and each of those still fails closed).
            scope = scope.model_copy(
                update={
                    "status": "unscoped",
                    "doc_ids": [],
                    "reason": "several companies or periods: each sub-question is scoped on its own",
                }
            )
        plan = plan_question(standalone, scope)
        update = {
            **turn_reset(),
            "standalone_question": standalone,
            "scope": scope,
            "refusal": "",
            "plan": plan,
        }
        # The filings the scope resolves to, named, for clients that show them.
        record = progress_for("resolve_scope", update)
        by_id = {d.doc_id: d for d in resources.documents()} if scope.doc_ids else {}
        record.filings = [filing_ref(by_id[i]) for i in scope.doc_ids if i in by_id]
        record.plan = plan
        update["progress"] = [record]
        return update

    return resolve_scope
