"""Reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009).

RRF only looks at ranks, so BM25 scores and cosine similarities never need calibrating against
each other; a chunk found by both rankers rises above chunks found by one.
"""

from __future__ import annotations

from agent.schemas import ScoredChunk


def reciprocal_rank_fusion(
    rankings: dict[str, list[ScoredChunk]], k: int = 60, weights: dict[str, float] | None = None
) -> list[ScoredChunk]:
    """Fuse named rankings: ``score(c) = sum_r weight_r / (k + rank_r(c))`` with 1-based ranks.

    Each result keeps the per-ranker scores and ranks in ``stage_scores`` (``'<name>'`` and
    ``'<name>_rank'``) plus ``'rrf'``. Ties keep the order of first appearance, ranker by ranker,
    so the output is deterministic.
    """
    if k < 0:
        raise ValueError(f"RRF constant k must be >= 0, got {k}")
    weights = weights or {}
    unknown = set(weights) - set(rankings)
    if unknown:
        raise ValueError(f"weights given for unknown ranking(s): {', '.join(sorted(unknown))}")
    fused: dict[str, ScoredChunk] = {}
    totals: dict[str, float] = {}
    order: dict[str, int] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        seen: set[str] = set()
        for rank, item in enumerate(ranking, start=1):
            if item.id in seen:  # a ranker repeating a chunk must not count it twice
                continue
            seen.add(item.id)
            if item.id not in fused:
                fused[item.id] = item.model_copy(update={"stage_scores": dict(item.stage_scores)}, deep=False)
                totals[item.id] = 0.0
                order[item.id] = len(order)
            entry = fused[item.id]
            entry.stage_scores[name] = item.score
            entry.stage_scores[f"{name}_rank"] = float(rank)
            totals[item.id] += weight / (k + rank)
    result = []
    for chunk_id in sorted(fused, key=lambda cid: (-totals[cid], order[cid])):
        entry = fused[chunk_id]
        entry.stage_scores["rrf"] = totals[chunk_id]
        entry.score = totals[chunk_id]
        result.append(entry)
    return result
