"""The judged tier: RAGAS 0.4 LLM metrics with a judge chosen by a model string.

Metrics: Faithfulness, ResponseRelevancy, LLMContextPrecisionWithReference, LLMContextRecall and
FactualCorrectness, judged by ``agent.models.make_chat_model(judge)`` (local by default) with our
shipped embeddings. Policies:

* **NaN**: a metric the judge could not score (malformed output, ragas gave NaN) is recorded as
  NaN, counted in ``n_nan`` and left out of the mean — never averaged in as a number.
* **Repeats**: ``repeats=N`` scores every sample N times (each repeat is its own cache entry) and
  reports the mean and spread of the per-repeat means.
* **Cache**: every verdict is stored in SQLite keyed by a hash of (metric, judge, embeddings,
  repeat, question, answer, contexts, reference); a re-run with the same inputs makes no LLM call.
* ``RAGAS_DO_NOT_TRACK=true`` is set before ragas is imported.

Contexts are cut to the first ``max_contexts`` chunks of ``max_context_chars`` each: the local
judge has a 4k-token window and these prompts carry ragas' few-shot examples too.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.metrics import summarise
from evals.results import ExampleResult

JUDGED_METRICS = (
    "faithfulness",
    "answer_relevancy",
    "context_precision",
    "context_recall",
    "factual_correctness",
)


class VerdictCache:
    """Judged scores on disk, keyed by everything that determines them."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path)) as c, c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, score TEXT NOT NULL, created REAL)"
            )
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(**parts: Any) -> str:
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()

    def get(self, key: str) -> float | None:
        with closing(sqlite3.connect(self.path)) as c:
            row = c.execute("SELECT score FROM verdicts WHERE key=?", (key,)).fetchone()
        if row is None or math.isnan(float(row[0])):
            # A NaN is a failed judgement (an error, unparseable output), not a verdict: try again.
            # (Caches written before failures were skipped may still hold some.)
            self.misses += 1
            return None
        self.hits += 1
        return float(row[0])

    def put(self, key: str, score: float) -> None:
        if math.isnan(score):
            return  # failures are retried on the next run, never replayed from the cache
        with closing(sqlite3.connect(self.path)) as c, c:
            c.execute(
                "INSERT OR REPLACE INTO verdicts VALUES (?,?,?)", (key, repr(float(score)), time.time())
            )


def judge_run_config() -> Any:
    """Few, short retries: a judge that returns malformed JSON does so again (ragas' default
    backs off for minutes), and a local model on a CPU needs a long per-call timeout."""
    from ragas.run_config import RunConfig

    return RunConfig(max_retries=2, max_wait=2, timeout=900)


@dataclass
class JudgeSetup:
    """The ragas-wrapped judge and embeddings plus the strings that identify them in cache keys."""

    llm: Any
    embeddings: Any
    judge_id: str
    embeddings_id: str


def ragas_embeddings(embeddings: Any, name: str, run_config: Any = None) -> Any:
    """``embeddings`` wrapped for ragas, which reads ``embeddings.model`` as the model's *name* for
    its usage events and fails (pydantic) on anything but a string. Ours holds the loaded model
    there, so ragas gets a view of it that says the name instead."""
    from langchain_core.embeddings import Embeddings
    from ragas.embeddings import LangchainEmbeddingsWrapper

    class Named(Embeddings):
        model = name

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embeddings.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return embeddings.embed_query(text)

    kwargs = {"run_config": run_config} if run_config is not None else {}
    return LangchainEmbeddingsWrapper(Named(), **kwargs)


def make_judge(judge_model: str, settings: Any) -> JudgeSetup:
    """Judge and embeddings from model strings via ``agent.models`` (local by default)."""
    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
    from ragas.llms import LangchainLLMWrapper

    from agent.models import make_chat_model, make_embeddings

    return JudgeSetup(
        llm=LangchainLLMWrapper(make_chat_model(judge_model, settings), run_config=judge_run_config()),
        embeddings=ragas_embeddings(
            make_embeddings(settings.embeddings_model, settings),
            settings.embeddings_model,
            run_config=judge_run_config(),
        ),
        judge_id=judge_model,
        embeddings_id=settings.embeddings_model,
    )


def build_metrics(judge: JudgeSetup, names: Sequence[str] = JUDGED_METRICS) -> dict[str, Any]:
    """The ragas metric objects by our short names."""
    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
    from ragas.metrics import (
        FactualCorrectness,
        Faithfulness,
        LLMContextPrecisionWithReference,
        LLMContextRecall,
        ResponseRelevancy,
    )

    factories: dict[str, Callable[[], Any]] = {
        "faithfulness": lambda: Faithfulness(llm=judge.llm),
        # strictness=1: one generated question per answer; each costs a judge call on a CPU.
        "answer_relevancy": lambda: ResponseRelevancy(
            llm=judge.llm, embeddings=judge.embeddings, strictness=1
        ),
        "context_precision": lambda: LLMContextPrecisionWithReference(llm=judge.llm),
        "context_recall": lambda: LLMContextRecall(llm=judge.llm),
        "factual_correctness": lambda: FactualCorrectness(llm=judge.llm),
    }
    unknown = [n for n in names if n not in factories]
    if unknown:
        raise ValueError(f"unknown judged metric(s) {unknown}; choose from {', '.join(factories)}")
    return {n: factories[n]() for n in names}


def _judge_errors() -> tuple[type[BaseException], ...]:
    # The judge misbehaving (unparseable JSON, schema violations) -> NaN; our own bugs still raise.
    from langchain_core.exceptions import OutputParserException
    from pydantic import ValidationError
    from ragas.exceptions import RagasException

    return (RagasException, OutputParserException, ValidationError, ValueError, json.JSONDecodeError)


def _sample_fields(ex: ExampleResult, max_contexts: int, max_context_chars: int) -> dict[str, Any]:
    contexts = [c.text[:max_context_chars] for c in ex.context[:max_contexts] if c.text]
    return {
        "user_input": ex.question,
        "response": ex.answer,
        "retrieved_contexts": contexts,
        "reference": ex.reference_answer or "",
    }


async def judge_examples(
    examples: Sequence[ExampleResult],
    judge: JudgeSetup,
    cache: VerdictCache,
    *,
    metrics: Sequence[str] = JUDGED_METRICS,
    repeats: int = 1,
    max_contexts: int = 3,
    max_context_chars: int = 1200,
    progress: Callable[[str], None] | None = None,
    metric_objects: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Score each example with each judged metric ``repeats`` times; returns the ``judged`` section.

    Examples without an answer, contexts or reference skip the metrics that need them (counted as
    missing, not NaN). Per-example scores are written into ``example.metrics['judged.<name>']``.
    """
    from ragas.dataset_schema import SingleTurnSample

    if repeats < 1:
        raise ValueError("repeats must be >= 1")
    objs = metric_objects or build_metrics(judge, metrics)
    errors = _judge_errors()
    per_repeat: dict[str, list[list[float | None]]] = {m: [[] for _ in range(repeats)] for m in metrics}
    failures: list[str] = []
    calls_before = cache.misses
    for ex in examples:
        fields = _sample_fields(ex, max_contexts, max_context_chars)
        for name in metrics:
            applicable = _applicable(name, fields)
            scores: list[float | None] = []
            for r in range(repeats):
                if not applicable:
                    scores.append(None)
                    continue
                key = cache.key(
                    metric=name, judge=judge.judge_id, emb=judge.embeddings_id, repeat=r, **fields
                )
                score = cache.get(key)
                if score is None:
                    sample = SingleTurnSample(**fields)
                    score = await _judge_once(objs[name], sample, errors, failures, f"{ex.id}/{name}")
                    cache.put(key, score)
                scores.append(score)
                per_repeat[name][r].append(score)
            ex.metrics[f"judged.{name}"] = _example_score(scores)
        if progress:
            progress(f"judged {ex.id}: " + ", ".join(f"{m}={ex.metrics.get(f'judged.{m}')}" for m in metrics))
    out: dict[str, Any] = {
        "judge": judge.judge_id,
        "embeddings": judge.embeddings_id,
        "repeats": repeats,
        "metrics": {name: _pooled(name, per_repeat[name], examples) for name in metrics},
    }
    out["cache_hits"] = cache.hits
    out["judge_runs"] = cache.misses - calls_before
    out["failures"] = failures
    return out


async def _judge_once(
    metric: Any, sample: Any, errors: tuple[type[BaseException], ...], failures: list[str], label: str
) -> float:
    """One judge call; a judge that misbehaves is noted in ``failures`` and scores NaN."""
    try:
        return float(await metric.single_turn_ascore(sample))
    except errors as exc:
        failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:120]}")
        return math.nan


def _example_score(scores: list[float | None]) -> float | None:
    """Mean of an example's valid repeats; NaN when all failed, None when the metric did not apply."""
    valid = [s for s in scores if s is not None and not math.isnan(s)]
    return statistics.fmean(valid) if valid else (math.nan if scores and scores[0] is not None else None)


_NEEDS_REFERENCE = {"context_precision", "context_recall", "factual_correctness"}
_NEEDS_CONTEXT = {"faithfulness", "context_precision", "context_recall"}


def _applicable(name: str, fields: dict[str, Any]) -> bool:
    """Whether the sample has what metric ``name`` reads (an answer, and a reference or contexts)."""
    return bool(fields["response"]) and not (
        (name in _NEEDS_REFERENCE and not fields["reference"])
        or (name in _NEEDS_CONTEXT and not fields["retrieved_contexts"])
    )


def _pooled(
    name: str, per_repeat: list[list[float | None]], examples: Sequence[ExampleResult]
) -> dict[str, Any]:
    """One metric's summary over all repeats, with the spread of the per-repeat means."""
    pooled: dict[str, Any] = dict(summarise(s for rep in per_repeat for s in rep))
    rep_means = [summarise(rep)["mean"] for rep in per_repeat]
    valid_means = [m for m in rep_means if m is not None]
    pooled["repeat_means"] = rep_means
    pooled["repeat_spread"] = (max(valid_means) - min(valid_means)) if valid_means else None
    pooled["repeat_stdev"] = (
        statistics.stdev(valid_means) if len(valid_means) > 1 else 0.0 if valid_means else None
    )
    pooled["n_missing"] = sum(1 for ex in examples if ex.metrics.get(f"judged.{name}") is None)
    return pooled
