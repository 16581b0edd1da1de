"""Where tuned models live and what their card says.

A tuned model is a folder ``<data_dir>/tuned/<name>`` holding the sentence-transformers model (or
a LoRA adapter over its base) and ``card.json``: kind, base model, the data it was trained on, the
training run and the before/after metrics. ``README.md`` beside it says the same for a person.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

Kind = Literal["bi-encoder", "cross-encoder"]
CARD_FILE = "card.json"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class TunedModelError(ValueError):
    """A tuned model that does not exist, is incomplete, or is of the wrong kind."""


class Card(BaseModel):
    """What a tuned model is, what it was trained on, and how it measured."""

    name: str
    kind: Kind
    base_model: str = Field(description="Model string of the starting point.")
    lora: bool = False
    created: str = Field(description="ISO timestamp.")
    complete: bool = Field(default=True, description="False when training was interrupted.")
    index: str = Field(default="", description="The index whose chunks made the training data.")
    data: dict[str, Any] = Field(default_factory=dict, description="Documents, pairs, query kinds.")
    training: dict[str, Any] = Field(default_factory=dict, description="Steps, batch, time, memory.")
    metrics: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="'before' and 'after' ranking metrics on held-out queries."
    )


def tuned_root(data_dir: Path) -> Path:
    return data_dir / "tuned"


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise TunedModelError(
            f"tuned model name {name!r} must be 1-64 letters, digits, '.', '_' or '-' (starting alphanumeric)"
        )
    return name


def tuned_path(data_dir: Path, name: str, kind: Kind | None = None) -> Path:
    """The folder of tuned model ``name``; a clear error when it is missing, unfinished or of another
    kind than ``kind``."""
    folder = tuned_root(data_dir) / check_name(name)
    card = read_card(folder)
    if card is None:
        known = ", ".join(c.name for c in list_cards(data_dir)) or "none yet (run `filings tune`)"
        raise TunedModelError(f"no tuned model {name!r} under {tuned_root(data_dir)}; known: {known}")
    if kind is not None and card.kind != kind:
        use = "--reranker" if card.kind == "cross-encoder" else "--embeddings-model or --reranker"
        raise TunedModelError(f"local:tuned/{name} is a {card.kind}, not a {kind}: use it with {use}")
    return folder


def read_card(folder: Path) -> Card | None:
    try:
        return Card.model_validate_json((folder / CARD_FILE).read_text())
    except (OSError, ValueError):
        return None


def list_cards(data_dir: Path) -> list[Card]:
    root = tuned_root(data_dir)
    if not root.is_dir():
        return []
    cards = (read_card(p) for p in sorted(root.iterdir()) if p.is_dir())
    return [c for c in cards if c is not None]


def write_card(folder: Path, card: Card) -> None:
    """``card.json`` (atomically: a crash never leaves half a card) and a readable ``README.md``."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".card.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(card.model_dump_json(indent=2))
    os.replace(tmp, folder / CARD_FILE)
    (folder / "README.md").write_text(card_markdown(card))


def card_markdown(card: Card) -> str:
    lines = [
        f"# {card.name}: tuned {card.kind}",
        "",
        f"- base model: `{card.base_model}`{' (LoRA adapter)' if card.lora else ''}",
        f"- trained: {card.created}{'' if card.complete else ' (interrupted: the last state is saved)'}",
        f"- index: `{card.index}`",
        f"- use it as: `local:tuned/{card.name}`",
        "",
        "## Data",
        *(f"- {k}: {v}" for k, v in card.data.items()),
        "",
        "## Training",
        *(f"- {k}: {v}" for k, v in card.training.items()),
        "",
        "## Held-out synthetic queries (ranking inside their own filing)",
        "",
        "| model | " + " | ".join(_metric_names(card)) + " |",
        "|---|" + "---|" * len(_metric_names(card)),
        *(
            f"| {which} | " + " | ".join(f"{values.get(m, 0.0):.3f}" for m in _metric_names(card)) + " |"
            for which, values in card.metrics.items()
        ),
        "",
        "No question of any evaluation set was used: the training queries come from the filings' own",
        "structure (statement rows, headings, table titles, defined terms) and, optionally, from",
        "questions the planner model wrote about sampled passages.",
        "",
    ]
    return "\n".join(lines)


def _metric_names(card: Card) -> list[str]:
    names: list[str] = []
    for values in card.metrics.values():
        names += [k for k in values if k not in names]
    return names
