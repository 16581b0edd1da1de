"""Reports: markdown tables and PNG charts (per-node latency, metrics vs baseline, score distributions)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from evals.gate import GateReport, flat_means
from evals.results import SuiteResult


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return "NaN" if math.isnan(v) else f"{v:.3f}"
    return str(v)


def metrics_table(result: SuiteResult) -> str:
    lines = ["| metric | mean | stdev | n | NaN | n/a |", "|---|---:|---:|---:|---:|---:|"]
    for name, s in sorted(result.metrics.items()):
        lines.append(
            f"| {name} | {_fmt(s.get('mean'))} | {_fmt(s.get('stdev'))} | {s.get('n')} | {s.get('n_nan')} | {s.get('n_missing')} |"
        )
    return "\n".join(lines)


def judged_table(judged: dict[str, Any]) -> str:
    if not judged.get("metrics"):
        return ""
    lines = [
        f"Judge: `{judged.get('judge')}`, embeddings `{judged.get('embeddings')}`, repeats {judged.get('repeats')}, "
        f"cache hits {judged.get('cache_hits')}, judge runs {judged.get('judge_runs')}.",
        "",
        "| metric | mean | stdev | repeat spread | n | NaN (counted, not averaged) | n/a |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in judged["metrics"].items():
        lines.append(
            f"| {name} | {_fmt(s.get('mean'))} | {_fmt(s.get('stdev'))} | {_fmt(s.get('repeat_spread'))} | "
            f"{s.get('n')} | {s.get('n_nan')} | {s.get('n_missing')} |"
        )
    if judged.get("failures"):
        lines += ["", "Judge failures (scored NaN):", *[f"- {f}" for f in judged["failures"][:20]]]
    return "\n".join(lines)


def critic_table(critic: dict[str, Any]) -> str:
    if not critic:
        return ""
    lines = [
        f"{critic.get('n_cases', 0)} planted cases: precision {_fmt(critic.get('precision'))}, "
        f"recall {_fmt(critic.get('recall'))}.",
        "",
        "| kind | flagged rate |",
        "|---|---:|",
    ]
    for kind, rate in (critic.get("flag_rate_by_kind") or {}).items():
        lines.append(f"| {kind}{' (should pass)' if kind == 'control' else ''} | {_fmt(rate)} |")
    return "\n".join(lines)


def render_markdown(
    result: SuiteResult, gate: GateReport | None = None, charts: list[Path] | None = None
) -> str:
    """The whole report as markdown (gate first: it is what CI readers look for)."""
    cost = result.cost
    parts = [
        f"# Eval: `{result.suite}` ({result.tier})",
        "",
        f"{len(result.examples)} questions, {result.wall_seconds:.1f} s wall, created {result.created_at}. "
        f"Drafter `{result.config.get('context', {}).get('drafter_model')}`.",
        "",
    ]
    if result.tier_seconds:
        parts += [
            "Wall time per stage: "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.tier_seconds.items())
            + ".",
            "",
        ]
    if gate is not None:
        parts += [gate.markdown(), ""]
    parts += ["## Deterministic tier", "", metrics_table(result), ""]
    if cost.get("n"):
        parts += [
            "## Cost",
            "",
            f"Per question: {cost['llm_calls']:.1f} LLM calls, {cost['prompt_tokens']:.0f} prompt + "
            f"{cost['completion_tokens']:.0f} completion tokens, {cost.get('wall_seconds', 0):.1f} s.",
            "",
            "| node | mean s |",
            "|---|---:|",
            *[f"| {k} | {v:.2f} |" for k, v in cost.get("node_seconds", {}).items()],
            "",
        ]
    if result.judged:
        parts += ["## Judged tier (RAGAS)", "", judged_table(result.judged), ""]
    if result.critic:
        parts += ["## Critic (planted errors)", "", critic_table(result.critic), ""]
    failed = [e for e in result.examples if e.error]
    if failed:
        parts += ["## Failed questions", "", *[f"- `{e.id}`: {e.error}" for e in failed], ""]
    parts += ["## Answers", "", "| id | stop | numeric match | answer |", "|---|---|---:|---|"]
    for e in result.examples:
        text = " ".join(e.answer.split())[:160].replace("|", "\\|")
        parts.append(f"| {e.id} | {e.stop_reason} | {_fmt(e.metrics.get('answer.numeric_match'))} | {text} |")
    if charts:
        parts += ["", "## Charts", "", *[f"![{p.stem}]({p.name})" for p in charts]]
    return "\n".join(parts) + "\n"


def render_charts(result: SuiteResult, out_dir: Path, baseline: SuiteResult | None = None) -> list[Path]:
    """PNG charts next to the markdown: node latency, metrics vs baseline, per-question score spread."""
    import matplotlib

    matplotlib.use("Agg")  # headless: CI has no display
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    charts = [
        _latency_chart(plt, result, out_dir),
        _metrics_chart(plt, result, baseline, out_dir),
        _distribution_chart(plt, result, out_dir),
    ]
    return [p for p in charts if p is not None]


def _save(plt: Any, fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _latency_chart(plt: Any, result: SuiteResult, out_dir: Path) -> Path | None:
    """Mean seconds per graph node, when the run recorded them."""
    nodes = result.cost.get("node_seconds") or {}
    if not nodes:
        return None
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(nodes) + 1.2))
    names = list(nodes)
    ax.barh(names, [nodes[n] for n in names], color="#4c72b0")
    ax.set_xlabel("mean seconds per question")
    ax.set_title(f"Per-node latency — {result.suite}")
    ax.invert_yaxis()
    return _save(plt, fig, out_dir / "latency_per_node.png")


def _metrics_chart(plt: Any, result: SuiteResult, baseline: SuiteResult | None, out_dir: Path) -> Path | None:
    """Each metric's mean (costs left out), beside the baseline's when there is one."""
    current = {k: v for k, v in flat_means(result).items() if v is not None and not k.startswith("cost.")}
    if not current:
        return None
    base = flat_means(baseline) if baseline else {}
    names = sorted(current)
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(names) + 1.5))
    y = range(len(names))
    ax.barh([i + 0.2 for i in y], [current[n] for n in names], height=0.4, label="current", color="#55a868")
    if base:
        ax.barh(
            [i - 0.2 for i in y],
            [base.get(n) or 0.0 for n in names],
            height=0.4,
            label="baseline",
            color="#c4c4c4",
        )
    ax.set_yticks(list(y), names, fontsize=8)
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    ax.set_title("Metric means" + (" vs baseline" if base else ""))
    return _save(plt, fig, out_dir / "metrics_vs_baseline.png")


def _distribution_chart(plt: Any, result: SuiteResult, out_dir: Path) -> Path | None:
    """Box plots of each metric's per-question scores (NaN and missing values left out)."""
    dist_names = sorted(
        {
            k
            for e in result.examples
            for k, v in e.metrics.items()
            if v is not None and not k.startswith("cost.")
        }
    )
    data: list[tuple[str, list[float]]] = []
    for name in dist_names:
        vals = [v for e in result.examples if (v := e.metrics.get(name)) is not None and not math.isnan(v)]
        if vals:
            data.append((name, vals))
    if not data:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(data) + 1.5))
    ax.boxplot([v for _, v in data], vert=False, showmeans=True)
    ax.set_yticks(range(1, len(data) + 1), [n for n, _ in data], fontsize=8)
    ax.invert_yaxis()
    ax.set_title("Per-question score distributions")
    return _save(plt, fig, out_dir / "score_distributions.png")


def write_report(
    result: SuiteResult,
    out_dir: str | Path,
    *,
    baseline: SuiteResult | None = None,
    gate: GateReport | None = None,
) -> Path:
    """Write ``report.md`` plus its PNG charts into ``out_dir``; returns the markdown path."""
    out = Path(out_dir)
    charts = render_charts(result, out, baseline)
    path = out / "report.md"
    path.write_text(render_markdown(result, gate, charts))
    return path
