"""``decompose_question``: 1-4 self-contained sub-questions; simple questions cost no LLM call."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from agent.config import Context
from agent.nodes.llm import generate_structured
from agent.nodes.resources import Resources
from agent.nodes.timing import timed
from agent.prompts.decompose import DECOMPOSE_SYSTEM, DECOMPOSE_USER
from agent.retrieval.scope import normalize
from agent.schemas import Scope, Usage
from agent.state import State

_MULTI_PART = re.compile(
    r"\b(?:compare|comparison|compared|versus|vs\.?|both|respectively|each of|difference between|"
    r"and (?:what|how|which|why|when|did|does|was|were|is|are))\b",
    re.I,
)


class SubQuestions(BaseModel):
    questions: list[str] = Field(
        description="1-4 self-contained sub-questions, each naming company and period."
    )


def is_simple(question: str, scope: Scope | None) -> bool:
    """Deterministic: one company, no comparison and a single question mark means one lookup."""
    # The scope lists every stored spelling of a company ("PepsiCo, Inc." and "Pepsico").
    if scope is not None and len({(normalize(c).split() or [""])[0] for c in scope.companies}) > 1:
        return False
    if question.count("?") > 1:
        return False
    return not _MULTI_PART.search(question)


def clean_subquestions(raw: list[str], question: str, limit: int) -> list[str]:
    """Drop empties and duplicates, cap the count; an empty result means the model failed."""
    out: list[str] = []
    for q in raw:
        q = " ".join(str(q).split())
        if 8 <= len(q) <= 400 and q.lower() not in {o.lower() for o in out}:
            out.append(q)
    return out[:limit]


def make_decompose(resources: Resources):
    @timed("decompose_question")
    async def decompose_question(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
        ctx = runtime.context
        question = state.standalone_question or state.question
        # Judge simplicity on what the user typed: a follow-up's standalone form has two questions.
        # One figure over the scoped periods is one question: our code lists every period (a model's
        # split into one question per year invents the years).
        over_periods = state.plan is not None and state.plan.over_periods
        if is_simple(state.question, state.scope) or ctx.max_subquestions <= 1 or over_periods:
            return {"subquestions": [question], "queries": [question], "retrieval_rounds": 1}
        if state.usage.llm_calls >= ctx.max_llm_calls:
            return {
                "subquestions": [question],
                "queries": [question],
                "retrieval_rounds": 1,
                "fallbacks": ["decompose: LLM budget spent"],
            }
        messages = [
            SystemMessage(DECOMPOSE_SYSTEM),
            HumanMessage(DECOMPOSE_USER.format(question=question, max_subquestions=ctx.max_subquestions)),
        ]
        parsed, usage, error = await generate_structured(
            resources.chat_model(ctx.planner_model), SubQuestions, messages
        )
        subs = clean_subquestions(parsed.questions, question, ctx.max_subquestions) if parsed else []
        if not subs:
            return {
                "subquestions": [question],
                "queries": [question],
                "retrieval_rounds": 1,
                "usage": usage,
                "fallbacks": [
                    f"decompose: malformed output, used the original question ({error or 'empty'})"
                ],
            }
        scopes = {}
        if len(subs) > 1 and state.scope is not None:
            # Sub-questions about different companies/periods each get their own filter.
            for sub in subs:
                sub_scope = resources.resolve_scope(sub, state.scope)
                scopes[sub] = state.scope if sub_scope.status == "unscoped" else sub_scope
        return {
            "subquestions": subs,
            "queries": subs,
            "query_scopes": scopes,
            "retrieval_rounds": 1,
            "usage": usage,
        }

    return decompose_question


__all__ = ["SubQuestions", "Usage", "is_simple", "make_decompose"]
