"""Hard negatives mined with the index's current vectors.

For each training query, the passages of the same filing that the current model ranks highest,
minus the positive, are what the tuned model must learn to rank lower. Some of them are right
answers too (the same row and period printed again in a summary table, the defined term used in
another passage): those are dropped, by what they print, not by a score threshold fitted to a set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agent.retrieval.index import FilingIndex
from agent.schemas import Fact
from agent.tuning.queries import Pair, row_label

# Passages of the same filing looked at per query; the first one left after dropping false
# negatives is the hard negative.
MINING_DEPTH = 10


@dataclass(frozen=True)
class Triplet:
    pair: Pair
    positive: str
    negative: str | None  # None: every close passage was a possible right answer
    margin: float | None = None  # a teacher's cos(q, positive) - cos(q, negative) (agent.tuning.teacher)


def printed_rows(facts: list[Fact]) -> dict[str, set[tuple[str, str]]]:
    """chunk id -> the (row, period end) pairs it prints, in the words :func:`row_label` gives."""
    out: dict[str, set[tuple[str, str]]] = {}
    for fact in facts:
        if fact.chunk_id:
            out.setdefault(fact.chunk_id, set()).add((row_label(fact).lower(), fact.period.end or ""))
    return out


def is_false_negative(
    pair: Pair, text: str, chunk_id: str, positive: str, rows: dict[str, set[tuple[str, str]]]
) -> bool:
    """Whether passage ``chunk_id`` may answer ``pair``'s query as well as its positive does."""
    if text.strip() == positive.strip():
        return True
    if pair.kind == "row" and (pair.key, pair.period) in rows.get(chunk_id, set()):
        return True
    # A passage that prints the row label, term, heading or title may well answer the query too
    # (an MD&A paragraph on the same line item): never taught as a negative.
    return pair.key in text.lower()


def mine(
    index: FilingIndex,
    pairs: list[Pair],
    rows: dict[str, set[tuple[str, str]]],
    progress: Callable[[int, int], None] | None = None,
) -> list[Triplet]:
    """One (query, positive, hard negative) per pair; a pair whose positive left the index is dropped."""
    positives = {c.id: c.text for c in index.get_chunks(list(dict.fromkeys(p.chunk_id for p in pairs)))}
    out: list[Triplet] = []
    for n, pair in enumerate(pairs, start=1):
        positive = positives.get(pair.chunk_id)
        if positive is None:
            continue
        hits = index.dense_search(pair.query, MINING_DEPTH, {"doc_id": [pair.doc_id]})
        negative = next(
            (
                h.chunk.text
                for h in hits
                if h.id != pair.chunk_id and not is_false_negative(pair, h.chunk.text, h.id, positive, rows)
            ),
            None,
        )
        out.append(Triplet(pair, positive, negative))
        if progress:
            progress(n, len(pairs))
    return out
