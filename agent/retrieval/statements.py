"""Statement passages first for questions about line items and metrics.

"3 year average operating margin" is answered by the income statement, but the statement's rows
("Operating income 1,854 1,375 1,450") share few words with the question, so dense and BM25 rank
MD&A prose about margins above it. After reranking, the passages whose tables print the line
items the question's metric is defined over (see ``agent.finance.derived``) in an asked year move
to the front, at most ``MAX_PROMOTED`` of them, chosen to cover the most items between them (days
payable outstanding needs the income statement's cost of sales and the balance sheet's payables);
every other passage keeps its order. Questions that name no line item or metric, or ask for
reasons, are left untouched.

A statement is often cut into two chunks, and the half that was retrieved can be the one without
the asked rows (its tail: net income and per-share figures). With ``neighbours`` (a lookup of
chunks by id), the chunks up to ``NEIGHBOUR_SPAN`` before and after each candidate are read as
well, and one of them that prints needed rows can be promoted in its place: the small-to-big step
of parent-document retrieval, limited to statement rows. Neighbours come from the candidates'
own documents, so the scope still holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from agent.finance.derived import EXPLANATORY, line_items_needed, statement_items
from agent.schemas import Chunk, ScoredChunk

MAX_PROMOTED = 2
# Chunks read on each side of a candidate. Two, because the retrieved chunk can be the next
# statement (comprehensive income) with the asked statement's tail between it and the rows.
NEIGHBOUR_SPAN = 2

Neighbours = Callable[[list[str]], Sequence[Chunk]]


def neighbour_ids(chunk: Chunk, span: int = NEIGHBOUR_SPAN) -> list[str]:
    """Ids of the chunks next to ``chunk`` in its document (ids are '<doc_id>::<chunk_index>')."""
    meta = chunk.metadata
    return [
        f"{meta.doc_id}::{meta.chunk_index + d}"
        for d in range(-span, span + 1)
        if d and meta.chunk_index + d >= 0
    ]


def _with_neighbours(ranked: list[ScoredChunk], neighbours: Neighbours) -> list[ScoredChunk]:
    """``ranked`` with each candidate's unseen neighbours right behind it (scored as it is)."""
    seen = {c.id for c in ranked}
    wanted: dict[str, ScoredChunk] = {}
    for scored in ranked:
        for nid in neighbour_ids(scored.chunk):
            if nid not in seen and nid not in wanted:
                wanted[nid] = scored
    if not wanted:
        return ranked
    found = {c.id: c for c in neighbours(list(wanted))}
    behind: dict[str, list[ScoredChunk]] = {}
    for nid, parent in wanted.items():
        if nid in found:
            stage = {**parent.stage_scores, "neighbour_of": float(parent.chunk.metadata.chunk_index)}
            behind.setdefault(parent.id, []).append(
                ScoredChunk(chunk=found[nid], score=parent.score, stage_scores=stage)
            )
    return [c for scored in ranked for c in (scored, *behind.get(scored.id, []))]


def promote_statements(
    question: str,
    ranked: list[ScoredChunk],
    top_n: int,
    max_promoted: int = MAX_PROMOTED,
    neighbours: Neighbours | None = None,
) -> list[ScoredChunk]:
    """``ranked`` cut to ``top_n``, with the best-covering statement passages moved to the front.

    Picks greedily: the passage printing the most needed items first, then the one adding the most
    items not yet printed (ties: more items, then rank). A neighbour chunk (see the module doc)
    can only enter by being promoted."""
    # "What drove the increase": the reasons are in prose. No line item named: nothing to promote
    # (and no neighbours to read).
    if EXPLANATORY.search(question) or not line_items_needed(question):
        return ranked[:top_n]
    pool = _with_neighbours(ranked, neighbours) if neighbours else ranked
    items = {c.id: statement_items(question, c) for c in pool}
    printed = set().union(*items.values())
    if not printed:
        return ranked[:top_n]
    rank = {c.id: i for i, c in enumerate(pool)}
    promoted: list[ScoredChunk] = []
    covered: set[str] = set()
    candidates = [c for c in pool if items[c.id]]
    # Beyond ``max_promoted`` only while a passage still adds an item (one per item at most).
    while candidates and len(promoted) < max(max_promoted, len(printed)):
        best = max(candidates, key=lambda c: (len(items[c.id] - covered), len(items[c.id]), -rank[c.id]))
        if len(promoted) >= max_promoted and not items[best.id] - covered:
            break
        promoted.append(best)
        covered |= items[best.id]
        candidates.remove(best)
    ids = {c.id for c in promoted}
    return (promoted + [c for c in ranked if c.id not in ids])[:top_n]
