"""Reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009).

RRF only looks at ranks, so BM25 scores and cosine similarities never need calibrating against
each other; a chunk found by both rankers rises above chunks found by one.
"""

from __future__ import annotations

import re

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


_WORD = re.compile(r"[a-z]+|\d[\d,.]*")
_PAGE_NUMBER_LINE = re.compile(r"(?m)^\s*\d{1,3}\s*$")


def _shingles(text: str) -> tuple[frozenset[tuple[str, ...]], tuple[str, ...]]:
    """Word 4-grams of the text's words, and its numbers in order (a page footer's aside)."""
    tokens = _WORD.findall(_PAGE_NUMBER_LINE.sub(" ", text.lower()))
    words = [t for t in tokens if t[0].isalpha()]
    numbers = tuple(t for t in tokens if not t[0].isalpha())
    return frozenset(tuple(words[i : i + 4]) for i in range(max(1, len(words) - 3))), numbers


def drop_repeats(ranked: list[ScoredChunk], limit: int, overlap: float = 0.8) -> list[ScoredChunk]:
    """The first ``limit`` chunks of ``ranked`` without the ones that repeat a better-ranked chunk.

    Filings repeat themselves: each 10-Q of a year prints the same risk factors and boilerplate,
    so the candidates of a question over four quarters can be four copies of a few paragraphs,
    crowding out the one note that answers. A chunk repeats another when their word 4-grams
    overlap by ``overlap`` (Jaccard) and they print the same numbers in the same order: the same
    paragraph with a different quarter's figures is not a repeat."""
    kept: list[ScoredChunk] = []
    seen: list[tuple[frozenset[tuple[str, ...]], tuple[str, ...]]] = []
    for item in ranked:
        grams, numbers = _shingles(item.chunk.text)
        if any(
            numbers == other_numbers and len(grams & other) >= overlap * len(grams | other)
            for other, other_numbers in seen
        ):
            continue
        kept.append(item)
        seen.append((grams, numbers))
        if len(kept) >= limit:
            break
    return kept
