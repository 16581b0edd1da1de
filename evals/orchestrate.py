"""One evaluation end to end: suite -> graph runs (deterministic tier) -> judged tier -> critic."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import fields
from typing import TYPE_CHECKING, Any, Literal

from agent.config import Context, Settings
from evals.results import SuiteResult
from evals.suites import Suite, get_suite

if TYPE_CHECKING:
    from evals.datasets import EvalExample

Tier = Literal["deterministic", "judged", "all"]


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """``["dense_k=1", "reranker_model=none"]`` -> typed Context overrides; unknown keys are an error."""
    types = {f.name: type(getattr(Context(), f.name)) for f in fields(Context)}
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in types:
            raise ValueError(
                f"bad --set {item!r}: expected FIELD=VALUE with FIELD one of {', '.join(sorted(types))}"
            )
        kind = types[key]
        try:
            out[key] = kind(value) if kind is not bool else value.lower() in ("1", "true", "yes")
        except ValueError as exc:
            raise ValueError(f"bad --set {item!r}: {key} needs a {kind.__name__}") from exc
    return out


async def evaluate_suite(
    suite_name: str,
    settings: Settings,
    *,
    tier: Tier = "deterministic",
    limit: int | None = None,
    stride: int = 1,
    context_overrides: dict[str, Any] | None = None,
    judge_model: str | None = None,
    repeats: int = 1,
    judged_limit: int | None = None,
    critic: bool = True,
    critic_limit: int | None = None,
    graph: Any | None = None,
    resources: Any | None = None,
    judge: Any | None = None,
    answers: bool = True,
    progress: Callable[[str], None] | None = None,
) -> SuiteResult:
    """Run ``suite_name`` and the requested tiers; returns the full :class:`SuiteResult`.

    ``stride`` > 1 takes every Nth question (a sample spread over the whole set), then ``limit``."""
    from evals.runner import run_suite

    if tier not in ("deterministic", "judged", "all"):
        raise ValueError(f"unknown tier {tier!r}: deterministic, judged or all")
    suite = get_suite(suite_name)
    if stride < 1:
        raise ValueError(f"stride must be at least 1, not {stride}")
    examples = suite.load(limit=limit) if stride == 1 else suite.load()[::stride][: limit or None]
    if not answers:
        return await _evaluate_retrieval_only(
            suite, examples, settings, tier=tier, resources=resources, context_overrides=context_overrides,
            critic=critic, critic_limit=critic_limit, progress=progress,
        )  # fmt: skip
    if graph is None:
        graph, resources = _research_graph(suite, settings, resources)
    result = await run_suite(
        suite.name,
        examples,
        settings=settings,
        graph=graph,
        context_overrides=context_overrides,
        progress=progress,
    )
    result.tier = tier
    result.config["suite_description"] = suite.description
    result.tier_seconds["answers"] = result.wall_seconds
    context = settings.context(**(context_overrides or {}))
    if tier in ("judged", "all") and not any(e.answer for e in result.examples):
        if progress:
            progress("judged tier skipped: no question was answered")
    elif tier in ("judged", "all"):
        await judge_result(
            result, settings, judge_model=judge_model or context.judge_model, repeats=repeats,
            judged_limit=judged_limit, judge=judge, progress=progress,
        )  # fmt: skip
    if critic:
        await _critic_tier(result, settings, resources, context, critic_limit, progress)
    return result


async def _evaluate_retrieval_only(
    suite: Suite,
    examples: list[EvalExample],
    settings: Settings,
    *,
    tier: Tier,
    resources: Any | None,
    context_overrides: dict[str, Any] | None,
    critic: bool,
    critic_limit: int | None,
    progress: Callable[[str], None] | None,
) -> SuiteResult:
    """The ``answers=False`` run: retrieval metrics (and the critic) without generating answers."""
    from agent.nodes.resources import resources_for
    from evals.runner import run_retrieval_suite

    resources = resources if resources is not None else resources_for(settings)
    _require_index(resources, suite.documents())
    if tier != "deterministic":
        raise ValueError("--no-answers runs the deterministic tier only (the judged tier needs answers)")
    result = await run_retrieval_suite(
        suite.name, examples, settings=settings, resources=resources,
        context_overrides=context_overrides, progress=progress,
    )  # fmt: skip
    result.config["suite_description"] = suite.description
    result.tier_seconds["retrieval"] = result.wall_seconds
    if critic:
        context = settings.context(**(context_overrides or {}))
        await _critic_tier(result, settings, resources, context, critic_limit, progress)
    return result


def _research_graph(suite: Suite, settings: Settings, resources: Any | None) -> tuple[Any, Any]:
    """The research graph over the index (checked to hold documents), and the resources it uses."""
    from agent.nodes.resources import resources_for
    from graphs.research import build_research_graph

    resources = resources if resources is not None else resources_for(settings)
    _require_index(resources, suite.documents())
    return build_research_graph(settings=settings, resources=resources), resources


async def _critic_tier(
    result: SuiteResult,
    settings: Settings,
    resources: Any | None,
    context: Context,
    critic_limit: int | None,
    progress: Callable[[str], None] | None,
) -> None:
    """Score the critic on the run's examples, in place, timed as its own tier."""
    from evals.critic_eval import evaluate_critic

    if resources is None:
        from agent.nodes.resources import resources_for

        resources = resources_for(settings)
    t0 = time.perf_counter()
    result.critic = await evaluate_critic(
        result.examples, resources=resources, context=context, limit=critic_limit, progress=progress
    )
    result.tier_seconds["critic"] = round(time.perf_counter() - t0, 3)


async def judge_result(
    result: SuiteResult,
    settings: Settings,
    *,
    judge_model: str | None = None,
    repeats: int = 1,
    judged_limit: int | None = None,
    judge: Any | None = None,
    progress: Callable[[str], None] | None = None,
) -> SuiteResult:
    """Add the judged (RAGAS) tier to ``result`` in place: its first ``judged_limit`` answers.

    Used by ``evaluate_suite`` and by ``filings eval judge`` on a saved results file, so the graph
    answers need not be produced again to judge them (or to judge them with another model).
    """
    from evals.judged import VerdictCache, judge_examples, make_judge

    chosen = [e for e in result.examples if e.answer][: judged_limit or None]
    if not chosen:
        raise ValueError("no answers to judge: the results hold none (a --no-answers run?)")
    setup = (
        judge if judge is not None else make_judge(judge_model or settings.context().judge_model, settings)
    )
    cache = VerdictCache(settings.data_dir / "eval-cache" / "verdicts.sqlite")
    t0 = time.perf_counter()
    result.judged = await judge_examples(chosen, setup, cache, repeats=repeats, progress=progress)
    result.tier_seconds["judged"] = round(time.perf_counter() - t0, 3)
    if result.tier == "deterministic":
        result.tier = "judged"
    return result


def _require_index(resources: Any, documents: Any) -> None:
    """Fail early with the command to run when the index is empty."""
    try:
        count = len(resources.documents())
    except FileNotFoundError:
        count = 0
    if count == 0:
        raise RuntimeError(
            f"the index at {resources.settings.index_dir} holds no documents; ingest the suite's filings first: "
            f"filings --data-dir {resources.settings.data_dir} ingest {documents}"
        )


def slim(result: SuiteResult) -> SuiteResult:
    """A copy fit for committing as a baseline: metrics kept; chunk texts, the retrieved-id lists and
    planted cases dropped (the gate reads metrics only)."""
    copy = result.model_copy(deep=True)
    for e in copy.examples:
        for c in e.context:
            c.text = ""
        e.claims = []
        e.retrieved_ids = []
    copy.critic = {k: v for k, v in copy.critic.items() if k != "cases"}
    return copy
