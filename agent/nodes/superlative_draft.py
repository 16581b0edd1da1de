"""A superlative question's draft from our ranking of a table's rows (:mod:`agent.finance.ranking`):
the model never picks the row with the highest or lowest figure. Used by ``draft_answer``."""

from __future__ import annotations

from typing import Any

from agent.config import Context
from agent.finance.ranking import listed_members, rank_rows
from agent.nodes.resources import Resources
from agent.prompts.common import CANNOT_ANSWER
from agent.schemas import QuestionPlan, Superlative
from agent.state import State


def rank_superlative(
    state: State, question: str, resources: Resources
) -> tuple[str, Superlative | None, str]:
    """A superlative question's ranking, computed by our code over every row of the table in the
    context that prints what the question asks (:mod:`agent.finance.ranking`): the figure-list line
    for the drafter, the winner for the critic, and the sentence our code states (a ranking over a
    change is left for the drafter to word: its change is no printed figure)."""
    plan = state.plan
    if plan is None or plan.extreme is None or not state.context:
        return "", None, ""
    aliases = {c.id: f"c{i}" for i, c in enumerate(state.context, start=1)}
    ranking = rank_rows(plan, question, resources.facts_of_chunks(list(aliases)))
    if ranking is None or ranking.winner.fact.chunk_id not in aliases:
        return "", None, ""
    alias = aliases[ranking.winner.fact.chunk_id]
    sentence = "" if plan.change else ranking.sentence(alias, listed=bool(listed_members(plan)))
    return ranking.line(alias), ranking.typed(), sentence


def _ranks_a_figure(plan: QuestionPlan | None) -> bool:
    """A superlative over a figure we know (a line item or a metric), over an amount ("the largest
    investment") or over members the question lists ("among operating, investing and financing
    activities"): our ranking of a table's rows answers it, or nothing does. A superlative over
    something else ("the most significant risk") is read from the passages by the model."""
    if plan is None or plan.form != "superlative":
        return False
    return bool(plan.items or plan.metric or plan.ranks_amount or listed_members(plan))


def from_ranking(
    state: State, ctx: Context, ranking: tuple[str, Superlative | None, str], regenerating: bool
) -> dict[str, Any] | None:
    """The update when our ranking of a table's rows answers the superlative (or when a superlative
    has no table to rank); None when the model drafts."""
    line, superlative, ranked = ranking
    if ranked and not regenerating and ctx.computed_answers:
        # Our ranking states the answer; the critic checks it like any draft (a failed one is
        # redrafted by the model with the ranking listed first).
        return {
            "draft": ranked,
            "figures": [line],
            "superlative": superlative,
            "calculations": [],
            "fallbacks": [
                "draft: the superlative stated from our ranking of the table's rows; no model call"
            ],
        }
    if not line and _ranks_a_figure(state.plan):
        return {
            "draft": CANNOT_ANSWER,
            "figures": [],
            "fallbacks": [
                "draft: no table in the context prints the asked figure for every row to rank; "
                "a superlative is computed by our code, never picked by the model"
            ],
            "calculations": [],
        }
    return None
