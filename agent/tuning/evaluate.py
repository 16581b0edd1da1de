"""Before/after ranking metrics on held-out synthetic queries.

Each query is ranked against every passage of its own filing (the hard part: the scope already
picks the filing; ranking its pages is what fails). A passage counts as a hit when it is the
query's positive or prints the same thing (:func:`agent.tuning.negatives.is_false_negative`), so
both models are held to the same notion of a right answer.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agent.schemas import Chunk
from agent.tuning.negatives import is_false_negative
from agent.tuning.queries import Pair

KS = (1, 5, 10)
# Candidates a cross-encoder re-scores per query (the first-stage model's top of the filing).
RERANK_DEPTH = 30


@dataclass
class EvalSet:
    pairs: list[Pair]
    chunks: dict[str, list[Chunk]]  # doc id -> its passages
    rows: dict[str, set[tuple[str, str]]]  # chunk id -> (row, period end) printed

    def relevant(self, pair: Pair, positive: str) -> set[str]:
        return {
            c.id
            for c in self.chunks[pair.doc_id]
            if c.id == pair.chunk_id or is_false_negative(pair, c.text, c.id, positive, self.rows)
        }

    def texts(self) -> dict[str, str]:
        return {c.id: c.text for chunks in self.chunks.values() for c in chunks}


def metrics(rankings: Sequence[Sequence[str]], relevant: Sequence[set[str]]) -> dict[str, float]:
    """Recall@k (a hit among the top k) and MRR over the full ranking."""
    out: dict[str, float] = {}
    for k in KS:
        out[f"recall@{k}"] = (
            statistics.fmean(
                1.0 if set(r[:k]) & rel else 0.0 for r, rel in zip(rankings, relevant, strict=True)
            )
            if rankings
            else 0.0
        )
    ranks = [
        next((i for i, c in enumerate(r, start=1) if c in rel), None)
        for r, rel in zip(rankings, relevant, strict=True)
    ]
    out["mrr"] = statistics.fmean(1.0 / r if r else 0.0 for r in ranks) if ranks else 0.0
    out["queries"] = float(len(rankings))
    return out


def rank_bi_encoder(model: object, data: EvalSet, batch_size: int = 32) -> list[list[str]]:
    """Every query's passages of its filing, best first, by cosine similarity under ``model``."""
    import numpy as np

    encode = model.encode  # type: ignore[attr-defined]
    out: list[list[str]] = []
    vectors: dict[str, tuple[list[str], np.ndarray]] = {}
    for doc_id, chunks in data.chunks.items():
        ids = [c.id for c in chunks]
        vecs = encode(
            [c.text for c in chunks],
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        vectors[doc_id] = (ids, vecs)
    queries = encode(
        [p.query for p in data.pairs],
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    for pair, q in zip(data.pairs, queries, strict=True):
        ids, vecs = vectors[pair.doc_id]
        order = np.argsort(-(vecs @ q), kind="stable")
        out.append([ids[i] for i in order])
    return out


def rank_cross_encoder(model: object, data: EvalSet, first: list[list[str]]) -> list[list[str]]:
    """The first stage's top :data:`RERANK_DEPTH` re-ordered by the cross-encoder; the rest behind."""
    texts = data.texts()
    predict = model.predict  # type: ignore[attr-defined]
    out = []
    for pair, ranked in zip(data.pairs, first, strict=True):
        head, tail = ranked[:RERANK_DEPTH], ranked[RERANK_DEPTH:]
        scores = predict([(pair.query, texts[c]) for c in head], show_progress_bar=False)
        order = sorted(range(len(head)), key=lambda i: -float(scores[i]))
        out.append([head[i] for i in order] + tail)
    return out


def evaluate(data: EvalSet, rank: Callable[[EvalSet], list[list[str]]]) -> dict[str, float]:
    texts = data.texts()
    rankings = rank(data)
    relevant = [data.relevant(p, texts[p.chunk_id]) for p in data.pairs]
    return metrics(rankings, relevant)
