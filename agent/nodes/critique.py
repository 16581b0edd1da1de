"""``critique_draft``: deterministic checks first, then short YES/NO judgements for the rest."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agent.config import Context
from agent.critic.calc import CALC_PATTERN
from agent.critic.change import hold_to_change
from agent.critic.check import DraftCheck, check_draft, faithfulness, feedback_for
from agent.critic.claims import split_sentences
from agent.critic.numbers import extract_numbers
from agent.critic.period import asked_windows, comparative_dates, hold_to_period
from agent.critic.restore import parse_derived, restore_calculations
from agent.critic.scale import scale_draft
from agent.critic.statements import statement_query
from agent.critic.superlative import hold_to_ranking
from agent.critic.total import hold_to_total
from agent.injection import without_instructions
from agent.models import ContextWindowExceededError
from agent.nodes.llm import generate_text
from agent.nodes.resources import Resources
from agent.nodes.timing import timed
from agent.prompts.common import SYSTEM, render_context
from agent.prompts.critic import judge_instructions
from agent.routing import decide
from agent.schemas import Chunk, Claim, Critique, Scope, Usage
from agent.state import State
from agent.state import add_usage as _add

_YES = re.compile(r"^\W*(yes|supported|true)\b", re.I)
_NO = re.compile(r"^\W*(no|not supported|unsupported|false)\b", re.I)


def judge_messages(context_block: str, claim: str) -> list[BaseMessage]:
    """Same system message and context block as the draft prompt, so the KV prefix is reused."""
    return [SystemMessage(SYSTEM), HumanMessage(f"{context_block}\n\n{judge_instructions(claim)}")]


def parse_verdict(reply: str) -> bool | None:
    """YES -> True, NO -> False, anything else -> None (malformed)."""
    if _YES.search(reply):
        return True
    if _NO.search(reply):
        return False
    return None


async def _statement_passages(
    resources: Resources, state: State, draft: str, clean: dict[str, str], ctx: Context
) -> list[Chunk]:
    """Statement tables of the context's filings for drafted line-item figures that no context
    table can check (see :mod:`agent.critic.statements`), at most ``ctx.statement_lookups`` searches.
    ``clean`` is the context (chunk id -> text) with instruction-like sentences blanked."""
    tables = list(clean.items())
    queries: list[str] = []
    for sentence in split_sentences(draft):
        plain = CALC_PATTERN.sub(" ", sentence.bare)
        query = statement_query(plain, extract_numbers(plain), tables)
        if query and query not in queries:
            queries.append(query)
    doc_ids = sorted({c.chunk.metadata.doc_id for c in state.context})
    if not queries or not doc_ids:
        return []
    scope = Scope(doc_ids=doc_ids, status="ok", reason="the drafting context's filings")
    found: dict[str, Chunk] = {}
    for query in queries[: ctx.statement_lookups]:
        hits = await asyncio.to_thread(resources.search, query, scope, 8, ctx)
        found.update((h.id, h.chunk) for h in hits if h.chunk.metadata.is_table)
    return list(found.values())


async def _judge_pending(
    resources: Resources,
    state: State,
    claims: list[Claim],
    pending: list[int],
    block: str,
    ctx: Context,
    fallbacks: list[str],
) -> Usage:
    """The judge model's verdict on each pending claim (narrative sentences), within the LLM-call
    budget; a reply that is not YES/NO leaves the claim unsupported. Returns the calls' usage."""
    usage = Usage()
    calls = state.usage.llm_calls
    for i in pending:
        claim = claims[i]
        if calls + usage.llm_calls >= ctx.max_llm_calls:
            claim.reason = "not verified: LLM call budget spent"
            continue
        judge = resources.chat_model(ctx.judge_model)
        try:
            reply, used = await generate_text(judge, judge_messages(block, claim.text), max_tokens=3)
        except ContextWindowExceededError:
            # The whole context does not fit: judge against the claim's own passages only.
            cited, _ = render_context([c for c in state.context if c.id in claim.chunk_ids])
            try:
                reply, used = await generate_text(judge, judge_messages(cited, claim.text), max_tokens=3)
            except ContextWindowExceededError:
                reply, used = "", Usage()
                fallbacks.append("critic: judge prompt over the model's context window")
        usage = _add(usage, used)
        verdict = parse_verdict(reply)
        if verdict is None:
            fallbacks.append(f"critic: unparseable judge reply {reply[:30]!r}, claim counted unsupported")
            claim.reason = "judge reply not YES/NO"
        elif verdict:
            claim.verdict, claim.reason = "supported", "judge: YES"
        else:
            claim.reason = "judge: NO (the cited passages do not state this)"
    return usage


def make_critique(resources: Resources):
    @timed("critique_draft")
    async def critique_draft(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
        ctx = runtime.context
        block, aliases = render_context(state.context)
        chunks = {c.id: c.chunk for c in state.context}
        derived = parse_derived(state.figures)
        draft, fallbacks = restore_calculations(state.draft, derived, [c.text for c in chunks.values()])
        # "$81,797" copied from a table in millions is "$81,797 million": the scale is the table's.
        clean = {cid: without_instructions(c.text, "") for cid, c in chunks.items()}
        draft, scaled = scale_draft(draft, aliases, clean)
        fallbacks += [f"critic: wrote the table's scale ({note})" for note in scaled]
        statements = await _statement_passages(resources, state, draft, clean, ctx)
        decimals = state.plan.decimals if state.plan else None
        given = frozenset(n.magnitude for n in extract_numbers(state.question) if not n.has_scale)
        retrieved = {c.id for c in state.retrieved} | set(chunks)
        facts = frozenset(
            (o.chunk_id, abs(o.value) * 10**o.scale, o.printed.lstrip("-"))
            for c in state.calculations
            for o in c.operands
            if o.chunk_id
        )
        points = bool(state.plan and state.plan.points)
        checked = check_draft(
            draft,
            aliases,
            chunks,
            retrieved,
            derived,
            statements,
            decimals,
            given,
            facts,
            points,
            state.question,
        )
        calls = state.usage.llm_calls
        usage = await _judge_pending(resources, state, checked.claims, checked.pending, block, ctx, fallbacks)
        _hold_to_plan(state, checked.claims, clean)
        critique = _critique(state, checked, bool(derived))
        route = decide(
            critique,
            revisions=state.revisions,
            llm_calls=calls + usage.llm_calls,
            context=ctx,
            has_context=bool(state.context),
            retrieval_rounds=state.retrieval_rounds,
            read_whole=bool(state.unreported),
        )
        fallbacks += _citation_notes(checked)
        update: dict[str, Any] = {
            "draft": draft,
            "critique": critique,
            "route": route,
            "usage": usage,
            "fallbacks": fallbacks,
        }
        if route in ("regenerate", "re_retrieve"):
            update["revisions"] = state.revisions + 1
        return update

    return critique_draft


def _hold_to_plan(state: State, claims: list[Claim], clean: dict[str, str]) -> None:
    """Send back figures that are not the ranking's winner, the asked period, the asked total or the
    asked change."""
    hold_to_ranking(claims, state.superlative)
    if state.plan:
        filings = [c.chunk.metadata for c in state.context]
        operands = [o for c in state.calculations for o in c.operands]
        comparatives = comparative_dates(state.plan, filings, operands)
        hold_to_period(claims, asked_windows(state.plan, filings, state.question, comparatives))
        hold_to_total(claims, state.plan.total_over, clean)
        if state.plan.asks_change:
            hold_to_change(claims, clean)


def _critique(state: State, checked: DraftCheck, derived: bool) -> Critique:
    """The verdicts, the faithfulness score, whether evidence is missing and the feedback for a redraft."""
    no_support = not any(c.verdict in ("supported", "calculation") for c in checked.claims)
    # When our calculation's operands are in the context, the evidence is there: a wrong figure
    # calls for a second draft (cheap: the context prefix is cached), not a new retrieval.
    evidence_missing = not derived and (
        checked.cannot_answer or (no_support and checked.numbers_absent_from_context > 0)
    )
    feedback = feedback_for(checked.claims, checked.cannot_answer)
    if derived and feedback:
        listed = "; ".join(line for line in state.figures if "CALC(" in line)
        feedback += f"\n- the figure list already gives the calculation; copy it as written, CALC and ids included: {listed}"
    return Critique(
        claims=checked.claims,
        faithfulness=faithfulness(checked.claims),
        evidence_missing=evidence_missing,
        feedback=feedback,
    )


def _citation_notes(checked: DraftCheck) -> list[str]:
    """Fallback notes for citations the critic added or dropped."""
    notes = []
    if checked.attributed:
        notes.append(
            f"critic: cited {len(checked.attributed)} uncited sentence(s) to the passages printing their figures"
        )
    if checked.dropped_citations:
        notes.append(f"critic: dropped citations to unknown passages {', '.join(checked.dropped_citations)}")
    return notes
