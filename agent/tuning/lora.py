"""LoRA adapters for the bi-encoder, through peft directly.

transformers' own adapter integration (``model.add_adapter``) insists on a newer peft than PyPI
offers here, so the adapter wraps the sentence-transformer's inner model with peft itself. Only the
adapter is saved (``<folder>/adapter``, ~0.3 MB for MiniLM at rank 8); loading reads the card's base
model, applies the adapter and merges it, so encoding costs what the base model costs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ADAPTER_DIR = "adapter"


def _peft() -> Any:
    try:
        import peft
    except ImportError as exc:
        raise ImportError("--lora needs the optional package 'peft': pip install 'peft>=0.17'") from exc
    return peft


def _set_inner(model: Any, inner: Any) -> None:
    """Replace the transformer inside a SentenceTransformer's first module (sentence-transformers 6
    keeps it as ``model`` behind a read-only ``auto_model`` property; 5 as ``auto_model``)."""
    module = model[0]
    if isinstance(getattr(type(module), "auto_model", None), property):
        module.model = inner
    else:
        module.auto_model = inner


def add_lora(model: Any, rank: int) -> None:
    """Wrap the transformer of a SentenceTransformer in a LoRA adapter (only it trains)."""
    peft = _peft()
    config = peft.LoraConfig(
        task_type=peft.TaskType.FEATURE_EXTRACTION, r=rank, lora_alpha=2 * rank, lora_dropout=0.1
    )
    _set_inner(model, peft.get_peft_model(model[0].auto_model, config))


def save_adapter(model: Any, folder: Path) -> None:
    model[0].auto_model.save_pretrained(str(folder / ADAPTER_DIR))


def has_adapter(folder: Path) -> bool:
    return (folder / ADAPTER_DIR / "adapter_config.json").is_file()


def load_with_adapter(base_location: str, folder: Path) -> Any:
    """The base SentenceTransformer with the adapter in ``folder`` applied and merged."""
    from sentence_transformers import SentenceTransformer

    peft = _peft()
    model = SentenceTransformer(base_location, device="cpu")
    adapted = peft.PeftModel.from_pretrained(model[0].auto_model, str(folder / ADAPTER_DIR))
    _set_inner(model, adapted.merge_and_unload())
    return model


def load_bi_encoder(folder: Path, base_location: str) -> Any:
    """A tuned bi-encoder saved in ``folder``: full weights, or the base at ``base_location`` with
    the adapter merged."""
    from sentence_transformers import SentenceTransformer

    if has_adapter(folder):
        return load_with_adapter(base_location, folder)
    return SentenceTransformer(str(folder), device="cpu")
