"""Typed results of a suite run, as written to JSON (and read back by the gate and the report)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field


class ContextChunk(BaseModel):
    """A chunk given to the drafter, kept so the judged tier can re-score without re-running."""

    id: str
    source: str
    page: int | None = None
    text: str = ""
    score: float = 0.0
    added: bool = Field(
        default=False,
        description="Added by the drafting step (the passages printing the figures our code stated), not by "
        "retrieval: left out of the retrieval and context metrics, but an answer may cite it.",
    )


class ExampleResult(BaseModel):
    """Everything measured on one question."""

    id: str
    question: str
    reference_answer: str | None = None
    answer: str = ""
    stop_reason: str = ""
    subquestions: list[str] = Field(default_factory=list)
    retrieved_ids: list[str] = Field(
        default_factory=list, description="Fused candidates, best first (pre-rerank)."
    )
    context: list[ContextChunk] = Field(
        default_factory=list,
        description="What the drafter saw: the reranked passages, then those the drafting step added.",
    )
    citations: list[dict[str, Any]] = Field(default_factory=list)
    claims: list[dict[str, Any]] = Field(default_factory=list)
    metrics: dict[str, float | None] = Field(default_factory=dict)
    node_seconds: dict[str, float] = Field(default_factory=dict)
    wall_seconds: float = 0.0
    run_id: str | None = None
    error: str | None = Field(default=None, description="Why this example has no answer (the run failed).")


class SuiteResult(BaseModel):
    """One run of one suite: per-example results, aggregated metrics, cost, judged and critic tiers."""

    suite: str
    tier: str = "deterministic"
    created_at: str = ""
    config: dict[str, Any] = Field(default_factory=dict)
    examples: list[ExampleResult] = Field(default_factory=list)
    metrics: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Metric name -> summarise() dict (mean, stdev, n, n_nan, n_missing).",
    )
    cost: dict[str, Any] = Field(default_factory=dict)
    judged: dict[str, Any] = Field(default_factory=dict)
    critic: dict[str, Any] = Field(default_factory=dict)
    wall_seconds: float = 0.0
    tier_seconds: dict[str, float] = Field(
        default_factory=dict,
        description="Wall seconds per stage of the run: answers (the graph), judged, critic.",
    )

    def means(self) -> dict[str, float | None]:
        """Metric name -> mean, for the gate."""
        return {k: v.get("mean") for k, v in self.metrics.items()}

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=1))
        return path

    @classmethod
    def load(cls, path: str | Path) -> SuiteResult:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no results file at {path}")
        try:
            return cls.model_validate(json.loads(path.read_text()))
        except (json.JSONDecodeError, ValueError) as exc:
            raise ValueError(f"{path} is not a suite results file: {exc}") from exc
