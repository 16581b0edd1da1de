"""Our code's part of an answer the model finishes: the figures of a line item over the periods, or
in one period beside another ask, stated and cited by our code (with the filer's own explanation
of the change when the question asks why), the model writing only the rest of the question."""

from __future__ import annotations

from typing import NamedTuple

from agent.nodes.computed import (
    Calculated,
    calcs_of,
    series_of,
    stand_in_sentences,
    with_passages,
    word_all_series,
    word_calculation,
    word_parts_moved,
)
from agent.nodes.explained import explained_sentences
from agent.nodes.resources import Resources
from agent.schemas import Calculation, ScoredChunk
from agent.state import State

# The draft's fallback note when the model added nothing to our figures, and what the answer then
# says of the rest of the question.
LEAD_NOTE = "draft: our code stated "
NOTHING_MORE = "the model found nothing more to add"
REST_UNANSWERED = "(The passages found say nothing more on the rest of the question.)"


class SeriesLead(NamedTuple):
    """Our part of an answer about one figure over the periods (or about the figures of the items a
    question names beside another ask): the context with the passages that print the figures, the
    figure-list lines and the sentences stating them."""

    context: list[ScoredChunk]
    lines: list[str]
    sentences: str
    calculations: list[Calculation]
    over: str = " over the periods"  # what the figures span, for the draft's fallback note
    # The filer's own sentences quoted that answer the rest: its outlook for "what does it indicate",
    # its explanation for "why".
    quoted: int = 0


def figure_lead(state: State, question: str, resources: Resources) -> SeriesLead | None:
    """Our part of a draft for a question that asks the figure of a line item in one period and
    something else beside it ("what was R&D in Q1 2023, and which initiatives were prioritized?"):
    each figure stated and cited by our code, the model writes the rest. None for a question that
    is a figure question whole (drafted from our calculation), asks for an assessment or reasons
    and no filing explains the figure's change (the figure alone would be read as the answer; with
    the filer's explanation, :mod:`agent.nodes.explained`, quoted after it, it answers "what drove
    it"), or whose figures the facts do not all give."""
    plan = state.plan
    if plan is None or plan.form != "text" or plan.over_periods:
        return None
    if plan.members or plan.share_of or plan.breakdown or plan.extreme:
        return None  # a part, a share or a ranking of the item, never its total in their place
    found = resources.levels(plan, question)
    if not found:
        return None
    placed = with_passages(state, found, resources)
    if placed is None:
        return None
    context, aliases, _added = placed
    worded = [word_calculation(calc, aliases) for calc in found]
    sentences = [*stand_in_sentences(found, aliases), *(s for _, s in worded)]
    answering = 0
    if plan.explanatory or plan.assessment:
        # The figure with the filer's own explanation of its change answers "what drove it"; the
        # figure alone would read as the whole answer.
        # What the figure may indicate (not why): the filer's own expectation for the line too.
        outlook = plan.assessment and not plan.explanatory
        explained, answering = explained_sentences(plan, found, context, aliases, resources, outlook)
        if not explained:
            return None
        sentences += explained
    lines = [line for line, _ in worded]
    return SeriesLead(context, lines, " ".join(sentences), found, over="", quoted=answering)


def series_lead(state: State, calculated: Calculated, resources: Resources) -> SeriesLead | None:
    """Our part of a draft for a question about one figure across the periods that asks more than
    the figures ("... and what might this indicate?"): the figure of each period, stated and cited
    by our code, with the passages printing them added to the context; the model writes the rest.
    None when the plan asks no such thing or the facts give no series."""
    plan = state.plan
    if plan is None or not plan.over_periods:
        return None
    found = calculated()
    listed = series_of(found)
    if not listed:
        return None
    why = plan.assessment or plan.explanatory
    # What moved it: the rows that add up to the item, largest change first (one series only).
    moved = resources.parts_moved(plan, listed[0]) if why and len(listed) == 1 else []
    calcs = calcs_of(found) + [c for pair in moved for c in pair]
    placed = with_passages(state, calcs, resources)
    if placed is None:
        return None
    context, aliases, _added = placed
    lines, sentences = word_all_series(found, aliases)
    sentences = " ".join([*stand_in_sentences(calcs, aliases), sentences])
    if moved:
        more, parts = word_parts_moved(listed[0], moved, aliases)
        lines, sentences = lines + more, f"{sentences} {parts}"
    answering = 0
    if why:
        # The filer's explanation of the item's own change (its figures, not its parts').
        # What the figures may indicate (not why): the filer's own expectation for the line too.
        outlook = plan.assessment and not plan.explanatory
        quoted, answering = explained_sentences(plan, calcs_of(found), context, aliases, resources, outlook)
        sentences = " ".join([sentences, *quoted])
    return SeriesLead(context, lines, sentences, calcs, quoted=answering)
