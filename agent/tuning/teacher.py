"""Pseudo-labels from a stronger model (GPL's teacher step).

A synthetic query and its mined hard negative are noisy: the query is a row label or a heading, not
a question, and the "negative" may answer it as well as the positive does. GPL (Wang et al., 2022)
does not train on them as hard 1/0 labels: a stronger teacher scores both passages, and the student
learns the teacher's margin ``sim(q, positive) - sim(q, negative)`` (MarginMSE). A negative the
teacher finds as relevant as the positive then teaches nothing wrong, and the student moves towards
the teacher's ranking inside the user's own filings, at the student's cost at query time.

Offline the strongest model we have is all-mpnet-base-v2, the default re-scorer: as the teacher it
moves what it knows into MiniLM's vectors, which cost nothing extra at search time. The teacher reads
passages cut to the same length as the student does in training.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from agent.tuning.negatives import Triplet

# Cosine margins are small (most lie within +-0.3); the loss compares them on the scale of the ranking
# loss's logits (cosine x 20). Unscaled, the squared error and its gradients would be 400 times
# smaller, and the learning rate chosen for the ranking loss would barely move the model.
MARGIN_SCALE = 20.0
BATCH = 16


def label(
    teacher: Any,  # a SentenceTransformer (anything with its ``encode``)
    triplets: Sequence[Triplet],
    progress: Callable[[int, int], None] | None = None,
) -> list[Triplet]:
    """The triplets with the teacher's margin ``cos(q, positive) - cos(q, negative)`` (each distinct
    text is encoded once). A triplet without a negative keeps no margin (the trainer drops it)."""
    import numpy as np

    texts = list(dict.fromkeys(t for tr in triplets for t in (tr.pair.query, tr.positive, tr.negative) if t))
    vectors: dict[str, Any] = {}
    for start in range(0, len(texts), BATCH):
        batch = texts[start : start + BATCH]
        encoded = teacher.encode(
            batch, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        vectors.update(zip(batch, encoded, strict=True))
        if progress:
            progress(min(start + BATCH, len(texts)), len(texts))
    out = []
    for t in triplets:
        if t.negative:
            q = vectors[t.pair.query]
            t = replace(t, margin=float(np.dot(q, vectors[t.positive]) - np.dot(q, vectors[t.negative])))
        out.append(t)
    return out


def margin_loss(model: Any) -> Any:
    """MarginMSE on scaled cosines: the student's margin, times :data:`MARGIN_SCALE`, against the
    teacher's margin on the same scale (the dataset's labels: :func:`scaled_margins`)."""
    from sentence_transformers.losses import MarginMSELoss
    from sentence_transformers.util import pairwise_cos_sim

    def scaled_cos(a: Any, b: Any) -> Any:
        return pairwise_cos_sim(a, b) * MARGIN_SCALE

    return MarginMSELoss(model, similarity_fct=scaled_cos)


def scaled_margins(triplets: Sequence[Triplet]) -> list[float]:
    """The labels of the margin loss: the teacher's margins on its scale."""
    return [(t.margin or 0.0) * MARGIN_SCALE for t in triplets]
