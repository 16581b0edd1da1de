"""Documents split into a training set and a held-out set, by document, reproducibly.

Every query is written from one document's passages, so splitting documents (never queries) keeps
any text of a held-out filing out of training: the before/after table measures what the model
learned about filings it has not seen, not what it memorised.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Split:
    train: tuple[str, ...]
    held_out: tuple[str, ...]


def _rank(doc_id: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{doc_id}".encode()).hexdigest()


def split_documents(doc_ids: list[str], held_out_fraction: float, seed: int = 0) -> Split:
    """Hold out ``held_out_fraction`` of the documents (at least one when there are two or more, and
    never all of them), chosen by a seeded hash of the doc id: the same index and seed always give
    the same split, and a document keeps its place in the order when others are added."""
    if not 0.0 <= held_out_fraction < 1.0:
        raise ValueError(f"held-out fraction must be in [0, 1), got {held_out_fraction}")
    ordered = sorted(dict.fromkeys(doc_ids), key=lambda d: _rank(d, seed))
    n = round(len(ordered) * held_out_fraction)
    if held_out_fraction > 0 and len(ordered) >= 2:
        n = min(max(n, 1), len(ordered) - 1)
    held = set(ordered[:n])
    return Split(
        train=tuple(d for d in doc_ids if d not in held and d in ordered),
        held_out=tuple(d for d in ordered[:n]),
    )
