"""A share of the drafting context kept for the sections a question names.

The section lanes (:mod:`agent.retrieval.hybrid`) bring a named section's passages among the
candidates, but the reranker reads the question's words: a lawsuit paragraph under "Legal
Proceedings" that never says "legal proceedings" can rank below the contingencies note that does,
and leave the context. For a question that names a section and asks for text, the section's
best-ranked candidates, in turn from each filing, take the places of the lowest-ranked passages
outside it until they fill ``share`` of the context.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.schemas import ScoredChunk


def reserve_sections(
    context: list[ScoredChunk], candidates: Sequence[ScoredChunk], sections: Sequence[str], share: float
) -> list[ScoredChunk]:
    """``context`` with the named ``sections``' candidates (best first, in turn from each filing)
    in place of its lowest-ranked passages from elsewhere, until they hold ``share`` of it."""
    wanted = set(sections)
    seats = int(len(context) * min(max(share, 0.0), 1.0))
    inside = sum(1 for c in context if c.chunk.metadata.section in wanted)
    if not wanted or inside >= seats:
        return list(context)
    present = {c.id for c in context}
    by_doc: dict[str, list[ScoredChunk]] = {}
    for c in candidates:
        if c.chunk.metadata.section in wanted and c.id not in present:
            by_doc.setdefault(c.chunk.metadata.doc_id, []).append(c)
            present.add(c.id)
    depth = max((len(queue) for queue in by_doc.values()), default=0)
    turns = [queue[n] for n in range(depth) for queue in by_doc.values() if n < len(queue)]
    # The lowest-ranked places outside the section, filled best candidate first.
    outside = [j for j, c in enumerate(context) if c.chunk.metadata.section not in wanted]
    slots = sorted(outside[::-1][: min(seats - inside, len(turns))])
    out = list(context)
    for slot, incoming in zip(slots, turns, strict=False):
        out[slot] = incoming
    return out
