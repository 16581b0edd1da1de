"""Weight-space interpolation of a fine-tuned bi-encoder with its base (WiSE-FT, Wortsman et al.
2022): ``base + keep * (tuned - base)`` for every floating-point weight.

Fine-tuning on synthetic queries of one index moves the model towards them and away from what its
base knew about real questions. Going part of the way back keeps most of the in-domain gain and
much of the base model's robustness, with no further training and no cost at query time (one model,
the same size). ``keep`` 1 is the model as trained, 0 the base.
"""

from __future__ import annotations

from pathlib import Path


def interpolate_weights(tuned_dir: Path, base: str, keep: float) -> int:
    """Rewrite the full-weight sentence-transformer in ``tuned_dir`` as its interpolation with the
    base at ``base`` (a folder or hub id); returns the number of tensors moved. Raises ValueError
    when ``keep`` is outside [0, 1] or the two models' weights do not line up."""
    import torch
    from sentence_transformers import SentenceTransformer

    if not 0.0 <= keep <= 1.0:
        raise ValueError(f"the share of the tuned weights kept must be between 0 and 1, not {keep}")
    tuned = SentenceTransformer(str(tuned_dir), device="cpu")
    start = SentenceTransformer(base, device="cpu")
    own, theirs = tuned.state_dict(), start.state_dict()
    if own.keys() != theirs.keys():
        raise ValueError(f"{tuned_dir} and {base} are not the same architecture: cannot interpolate them")
    moved = 0
    with torch.no_grad():
        for name, weight in own.items():
            if not weight.is_floating_point():
                continue
            if weight.shape != theirs[name].shape:
                raise ValueError(f"weight {name} differs in shape between {tuned_dir} and {base}")
            weight.copy_(theirs[name] + keep * (weight - theirs[name]))
            moved += 1
    tuned.save_pretrained(str(tuned_dir))
    return moved
