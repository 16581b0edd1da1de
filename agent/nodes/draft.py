"""``draft_answer``: a short answer whose every sentence cites context aliases like [c1]."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agent.config import Context
from agent.critic.claims import ABBREVIATION, split_sentences
from agent.critic.restore import parse_derived
from agent.finance.figures import figure_candidates
from agent.models import ContextWindowExceededError, prompt_tokens
from agent.nodes.computed import Calculated, computed_draft, printed_change_draft
from agent.nodes.key_sentences import quoted_draft
from agent.nodes.leads import figure_lead, series_lead
from agent.nodes.llm import generate_text
from agent.nodes.resources import Resources
from agent.nodes.section_extract import ALIAS, section_extract, section_title
from agent.nodes.section_outline import outline_draft
from agent.nodes.series_rest import explaining, with_series
from agent.nodes.superlative_draft import from_ranking, rank_superlative
from agent.nodes.timing import timed
from agent.prompts.common import CANNOT_ANSWER, SYSTEM, is_cannot_answer, render_context
from agent.prompts.draft import draft_instructions, rest_of_question
from agent.schemas import Scope, ScoredChunk, Superlative, Usage
from agent.state import State, add_usage

# Runaway guard on top of max_tokens: a concise answer never needs more than this.
MAX_DRAFT_CHARS = 1500
# A stop, or a list line's closing citation, before a space or a line break.
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\](?=[ \t]*\n)")
_LIST_MARKER = re.compile(r"(?:^|\n)\s*(?:\d{1,2}|[a-z])\.$")
REGENERATE_TEMPERATURE = 0.4


def draft_messages(
    context_block: str,
    question: str,
    problems: str = "",
    previous: str = "",
    figures: list[str] | None = None,
) -> list[BaseMessage]:
    """System + (context FIRST, then the instructions): the judge prompt shares this prefix."""
    instructions = draft_instructions(question, problems, previous, figures)
    return [SystemMessage(SYSTEM), HumanMessage(f"{context_block}\n\n{instructions}")]


def _ended(text: str) -> bool:
    """The text ends a sentence (a closing quote or bracket aside): a stop that is not an
    abbreviation's, or a citation."""
    text = text.rstrip().rstrip('"”’)')
    return text.endswith(("]", "!", "?")) or (text.endswith(".") and not ABBREVIATION.search(text))


def trim_runaway(text: str, cut_off: bool = False) -> tuple[str, bool]:
    """Cut an over-long draft, or one the token cap cut off mid-sentence (``cut_off``), back to
    whole sentences; True when it had to. Kept whole when no sentence ends before the cut."""
    if len(text) <= MAX_DRAFT_CHARS and (not cut_off or _ended(text)):
        return text, False
    cut = text[:MAX_DRAFT_CHARS]
    # The last sentence end: not the stop of "U.S." or "Inc." inside a sentence, nor a list's "2.".
    ends = [
        m.end()
        for m in _SENTENCE_END.finditer(cut)
        if not ABBREVIATION.search(cut[: m.end()]) and not _LIST_MARKER.search(cut[: m.end()])
    ]
    kept = cut[: ends[-1]] if ends else cut
    return kept, kept != text


def _questions(state: State, question: str) -> list[tuple[str, list[str]]]:
    """What to match table figures against: each sub-question with the companies its own scope
    names (they are self-contained), or the question itself when it was not split."""
    subs = [q for q in state.subquestions if q != question]
    if len(subs) < 2:
        return [(question, [])]
    return [(q, (state.query_scopes.get(q) or Scope()).companies) for q in subs]


def shown_passages(figures: list[str], limit: int) -> list[str] | None:
    """Aliases of the passages a figure question's draft prompt shows: the passage of the first
    candidate figure, the top-ranked passage (its wording), then the other candidates' passages, at
    most ``limit``. None (every passage) without candidates, or when ``limit`` is 0. A small model
    picks among a few labelled figures far better than it reads 3-5k tokens of tables, and the
    prompt is a third as long."""
    if limit <= 0 or not figures:
        return None
    cited = ALIAS.findall(" ".join(figures))
    if not cited:
        return None
    return list(dict.fromkeys([cited[0], "c1", *cited]))[:limit]


# A figure as a passage prints it: digits with a separator or a decimal, or three or more digits.
_PRINTED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{3,}")
# A passage cut to fit the budget is never shorter than this (characters).
MIN_EXCERPT_CHARS = 200


def _printed(text: str) -> set[str]:
    """The figures a text prints, years aside (every labelled row names its column's year)."""
    return {f for f in _PRINTED.findall(text) if not (len(f) == 4 and f.isdigit() and 1900 <= int(f) <= 2100)}


def excerpt(text: str, figures: Sequence[str], chars: int) -> str:
    """A passage as shown, cut to ``chars``: its lines that print a figure of the figure list (the
    rows and sentences the listed figures come from; every line when none does), marked as cut."""
    listed = _printed(" ".join(figures))
    lines = [line for line in text.splitlines() if listed & _printed(line)]
    kept = "\n".join(lines) if lines else text
    kept = kept if len(kept) <= chars else kept[:chars].rstrip()
    return text if kept == text else f"{kept} ..."


def budgeted_messages(
    model: Any,
    passages: list[Any],
    shown: list[str] | None,
    token_budget: int,
    build: Callable[[str], list[BaseMessage]],
    fresh: int = 0,
    figures: Sequence[str] = (),
) -> list[BaseMessage]:
    """The draft prompt ``build`` makes from the context block, within ``token_budget`` tokens
    (0: no budget). Passages are left out from the last up: the lowest-ranked one, or under compact
    evidence the last of ``shown`` (the figure passages come first); every passage keeps its
    number. The figure list is kept whole: it is the compact evidence. The one passage left over
    the budget is cut to its lines printing a listed figure (``figures``), then halved, down to
    ``MIN_EXCERPT_CHARS``. ``fresh``: the last passages, which a later retrieval round added, are
    left out last (the earlier ones were read without the answer)."""
    order = list(shown) if shown is not None else [f"c{i}" for i in range(1, len(passages) + 1)]
    kept = {f"c{i}" for i in range(len(passages) - fresh + 1, len(passages) + 1)} if fresh else set()
    trimmed = shown is not None
    chars: int | None = None  # the last passage's length once it is cut
    while True:
        cut = {order[0]: functools.partial(excerpt, figures=figures, chars=chars)} if chars else None
        block, _aliases = render_context(passages, order if trimmed else None, cut)
        messages = build(block)
        if token_budget <= 0 or prompt_tokens(model, messages) <= token_budget:
            return messages
        if len(order) > 1:
            older = [i for i, alias in enumerate(order) if i > 0 and alias not in kept]
            drop = older[-1] if older else len(order) - 1
            order, trimmed = order[:drop] + order[drop + 1 :], True
            continue
        if not order or (chars is not None and chars // 2 < MIN_EXCERPT_CHARS):
            return messages
        # First the lines printing a listed figure, whole; then half as many characters each time.
        chars = len(block) if chars is None else chars // 2
        trimmed = True


async def draft_fitting(
    model: BaseChatModel,
    passages: list[Any],
    question: str,
    questions: list[tuple[str, list[str]]],
    max_tokens: int,
    *,
    problems: str = "",
    previous: str = "",
    temperature: float | None = None,
    seed: int | None = None,
    figure_passages: int = 0,
    lead: Sequence[str] = (),
    token_budget: int = 0,
    fresh: int = 0,
) -> tuple[str, Usage, list[str], list[str]]:
    """One drafting call over as many of ``passages`` as fit the model's context window:
    (text, usage, the figure list shown, fallbacks). The passages keep their [cN] numbers, since
    dropping from the end leaves a prefix. Used by the graph and by the single-pass baseline.

    ``figure_passages`` > 0 makes the evidence compact when the figure list found candidates: the
    prompt shows only the passages they come from and the top passage (see :func:`shown_passages`).
    ``lead``: figure lines our code computed (a superlative's ranking), listed first while the
    passages they cite are in the prompt. ``token_budget`` > 0 caps the prompt's tokens (see
    :func:`budgeted_messages`; ``fresh`` of the last passages are left out last)."""
    fallbacks: list[str] = []
    while True:
        present = [line for line in lead if all(int(a[1:]) <= len(passages) for a in ALIAS.findall(line))]
        figures = list(dict.fromkeys([*present, *figure_candidates(questions, passages)]))
        shown = shown_passages(figures, figure_passages)
        messages = budgeted_messages(
            model,
            passages,
            shown,
            token_budget,
            lambda block: draft_messages(block, question, problems, previous, figures),  # noqa: B023
            fresh,
            figures,
        )
        try:
            text, usage = await generate_text(
                model,
                messages,
                max_tokens=max_tokens,
                temperature=temperature,
                seed=seed,
            )
            return text, usage, figures, fallbacks
        except ContextWindowExceededError:
            if shown is not None and len(shown) > 1:
                figure_passages = len(shown) - 1  # compact evidence: one passage fewer
                fallbacks.append(
                    f"draft: prompt over the model's context window, {figure_passages} passage(s) shown"
                )
                continue
            if len(passages) <= 1:
                fallbacks.append("draft: even one passage exceeds the model's context window")
                return CANNOT_ANSWER, Usage(), figures, fallbacks
            passages = passages[: len(passages) - max(1, len(passages) // 3)]
            fallbacks.append(
                f"draft: prompt over the model's context window, drafted from the first {len(passages)} passages"
            )


def _calculation_draft(state: State) -> str:
    """Sentences stating the figure list's calculations, when the rejected draft copied nothing
    verifiable although they were listed: a wrong figure, a bare one, "cannot answer", or our
    calculation beside a sentence that failed. "" when it verified a copied figure or a judged
    statement (the model redrafts those), or already stated these calculations (our computed draft,
    which also names their operands)."""
    critique = state.critique
    if critique is None or any(c.verdict == "supported" for c in critique.claims):
        return ""
    text = " ".join(d.sentence() for d in parse_derived(state.figures))
    return "" if text in state.draft else text


def _drafted_without_model(
    state: State, ctx: Context, ours: Calculated, regenerating: bool, resources: Resources
) -> dict[str, Any] | None:
    """The draft when no model call is needed or allowed: the LLM budget is spent, our listed
    calculation replaces a draft that verified nothing, the stored facts compute the answer, or a
    passage prints the asked change as amounts before and after."""
    if state.usage.llm_calls >= ctx.max_llm_calls:
        return {
            "draft": CANNOT_ANSWER,
            "figures": [],
            "fallbacks": ["draft: LLM budget spent before drafting"],
        }
    calculated = _calculation_draft(state) if regenerating else ""
    if calculated:
        # The model's figure was wrong and our own calculation of the asked metric is on the
        # figure list: draft that calculation (checked by the critic like any other draft).
        return {
            "draft": calculated,
            "figures": state.figures,
            "fallbacks": [
                "draft: the draft verified no copied figure; drafted the listed calculation instead"
            ],
        }
    done = computed_draft(state, ours, resources) if state.critique is None and ctx.computed_answers else None
    if done is None and not regenerating and ctx.computed_answers:
        done = printed_change_draft(state, state.standalone_question or state.question)
    if done is None and not regenerating and ctx.computed_answers:
        done = outline_draft(state, ctx.section_outline_entries, resources.doc_chunks)
    return done


def make_draft(resources: Resources):
    @timed("draft_answer")
    async def draft_answer(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
        ctx = runtime.context
        question = state.standalone_question or state.question
        regenerating = state.critique is not None and state.route == "regenerate"
        # Our calculation reads the company's stored facts: at most once per draft.
        calculated = functools.cache(lambda: resources.calculate(state.plan, question))
        done = _drafted_without_model(state, ctx, calculated, regenerating, resources)
        if done is not None:
            return done
        line, superlative, ranked = rank_superlative(state, question, resources)
        done = from_ranking(state, ctx, (line, superlative, ranked), regenerating)
        if done is not None:
            return done
        picking, note = Usage(), ""
        if not regenerating and ctx.computed_answers:
            done, picking, note = await quoted_draft(state, ctx, resources, question)
            if done is not None:
                return done
        update = await _model_draft(
            state, ctx, resources, (question, calculated), regenerating, (line, superlative)
        )
        if picking.llm_calls:
            # The drafter picked none of the key sentences: those calls count too.
            update["usage"] = add_usage(picking, update.get("usage") or Usage())
        if not regenerating:
            # The whole of the one filing in scope read for the question, and nothing found: the
            # answer's ground if the model finds nothing either (a redraft keeps the first reading).
            update["unreported"] = note
        return update

    return draft_answer


def _section_words(state: State, ctx: Context, passages: list[ScoredChunk], fallbacks: list[str]) -> str:
    """The named section's own sentences when the model found no answer to a question asking for
    text ('' when it names no section, the context holds none of it, or this very extract was
    already rejected)."""
    sections = state.scope.sections if state.scope is not None else []
    # A figure the model could not find is not what a section's opening sentences state.
    asks_text = state.plan is None or state.plan.form == "text"
    if not sections or not asks_text or ctx.section_extract_sentences <= 0:
        return ""
    text = section_extract(passages, sections, ctx.section_extract_sentences)
    if not text or text == state.draft:
        return ""
    named = ", ".join(dict.fromkeys(section_title(s) for s in sections))
    fallbacks.append(f"draft: the model found no answer; drafted the printed sentences of {named} instead")
    return text


async def _model_draft(
    state: State,
    ctx: Context,
    resources: Resources,
    asked_of: tuple[str, Calculated],
    regenerating: bool,
    ranking: tuple[str, Superlative | None],
) -> dict[str, Any]:
    """The drafter model's answer over the context (a redraft carries the critic's feedback);
    ``asked_of``: the question and our calculation for it."""
    question, calculated = asked_of
    line, superlative = ranking
    problems = state.critique.feedback if regenerating and state.critique is not None else ""
    narrative = state.plan is not None and state.plan.form == "text"
    passages, asked = list(state.context), question
    series = (
        series_lead(state, calculated, resources) or figure_lead(state, question, resources)
        if ctx.computed_answers
        else None
    )
    if series is not None:
        # One figure over the periods, or an item's figure beside another ask, and more asked than
        # the figures: our code states them, the model writes only the rest.
        passages, asked = series.context, rest_of_question(question, series.sentences)
    text, usage, figures, fallbacks = await draft_fitting(
        resources.chat_model(ctx.drafter_model),
        passages,
        asked,
        _questions(state, question),
        ctx.max_answer_tokens,
        problems=problems,
        # Under a series the draft began with our sentences, which the model is not to repeat.
        previous=state.draft if regenerating and series is None else "",
        # Greedy decoding repeats the rejected draft word for word; a little sampling lets the
        # feedback change it. Seeded by the revision so runs stay reproducible.
        temperature=REGENERATE_TEMPERATURE if regenerating else None,
        seed=state.revisions if regenerating else None,
        figure_passages=ctx.figure_passages,
        lead=[line] if line else [],
        # Figure questions: the few candidate figures and the passages at the top; narrative
        # questions keep every passage for their wording.
        token_budget=0 if narrative else ctx.draft_prompt_tokens,
        fresh=sum(1 for c in passages if c.id in state.fresh),
    )
    if not text:
        text = CANNOT_ANSWER
        fallbacks.append("draft: empty model output, treated as 'cannot answer'")
    text, trimmed = trim_runaway(text, cut_off=usage.completion_tokens >= ctx.max_answer_tokens)
    if trimmed:
        fallbacks.append("draft: runaway output trimmed to whole sentences")
    if series is not None:
        causes = functools.partial(explaining, state, ctx.rest_sentences, resources, question, series)
        text, figures = with_series(text, figures, series, fallbacks, causes)
    elif all(is_cannot_answer(s.text) for s in split_sentences(text)):
        text = _section_words(state, ctx, passages, fallbacks) or text
    return {
        **({"context": passages} if series is not None else {}),
        "draft": text,
        "figures": figures,
        "usage": usage,
        "fallbacks": fallbacks,
        "superlative": superlative if line in figures else None,
        # The model drafted this one; under a series, our stated figures are ours.
        "calculations": series.calculations if series is not None else [],
    }
