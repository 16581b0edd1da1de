"""``rerank_chunks``: the configured reranker picks the drafting context, fairly across sub-questions."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.runtime import Runtime

from agent.config import Context
from agent.nodes.resources import Resources
from agent.nodes.timing import timed
from agent.retrieval.distinct import distinct_passages
from agent.retrieval.referred import follow_pointers
from agent.retrieval.sections import reserve_sections
from agent.schemas import ScoredChunk
from agent.state import State


def interleave(rankings: list[list[ScoredChunk]], top_n: int) -> list[ScoredChunk]:
    """Round-robin over per-query rankings so every sub-question gets its best evidence in."""
    out: list[ScoredChunk] = []
    seen: set[str] = set()
    depth = max((len(r) for r in rankings), default=0)
    for i in range(depth):
        for ranking in rankings:
            if i < len(ranking) and ranking[i].id not in seen:
                out.append(ranking[i])
                seen.add(ranking[i].id)
                if len(out) >= top_n:
                    return out
    return out


def extend_context(previous: list[ScoredChunk], ranked: list[ScoredChunk], new: int) -> list[ScoredChunk]:
    """A later retrieval round's context: the passages the last draft read, first and in their
    order (the redraft's prompt then starts as the last one did, and llama.cpp reuses its cached
    prefix), then up to ``new`` passages of this round's ranking that it did not read."""
    seen = {c.id for c in previous}
    return [*previous, *[c for c in ranked if c.id not in seen][:new]]


def make_rerank(resources: Resources):
    @timed("rerank_chunks")
    async def rerank_chunks(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
        ctx = runtime.context
        later = state.retrieval_rounds > 1 and bool(state.context)
        top_n = ctx.context_chunks + (ctx.retrieval_new_passages if later else 0)
        by_id = {c.id: c for c in state.retrieved}
        queries = [q for q in state.queries if state.query_hits.get(q)] or [state.standalone_question]
        rankings = []
        for query in queries:
            ids = state.query_hits.get(query) or list(by_id)
            # A page several filings print word for word is one candidate, not one per filing.
            candidates = distinct_passages(
                [by_id[i] for i in ids if i in by_id],
                ctx.duplicate_overlap,
                ctx.rerank_candidates,
                state.scope.sections if state.scope is not None else (),
            )
            per_query = max(1, top_n) if len(queries) == 1 else top_n
            # The scope this query was searched in (a sub-question's company, or the question's).
            scope = state.query_scopes.get(query, state.scope)
            rankings.append(
                await asyncio.to_thread(resources.rerank, query, candidates, per_query, ctx, scope)
            )
        context = interleave(rankings, top_n)
        sections = state.scope.sections if state.scope is not None else []
        if sections and (state.plan is None or state.plan.form == "text") and ctx.section_share > 0:
            # Every candidate, in each query's fused order: the named section's best ones first.
            ranked = dict.fromkeys(i for q in queries for i in state.query_hits.get(q, []) if i in by_id)
            candidates_in_order = [by_id[i] for i in ranked]
            context = reserve_sections(context, candidates_in_order, sections, ctx.section_share)
            # A section that only points to a note of the financial statements is read in the note.
            context = await asyncio.to_thread(
                follow_pointers,
                context,
                candidates_in_order,
                sections,
                ctx.section_share,
                resources.doc_chunks,
            )
        fresh: list[str] = []
        if later:
            context = extend_context(state.context, context, ctx.retrieval_new_passages)
            fresh = [c.id for c in context[len(state.context) :]]
        return {"context": context, "fresh": fresh}

    return rerank_chunks
