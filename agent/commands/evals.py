"""`filings eval run|baseline|judge|report|upload` (issue 6)."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from agent.commands._common import JSON_OBJECT_HELP, console, err_console, print_json, settings_from
from agent.terminal import escape, safe

TIER_HELP = "deterministic (no judge; the CI gate), judged (adds RAGAS LLM metrics) or all."


def _progress(line: str) -> None:
    # Progress lines quote dataset questions and model output: printed literally.
    err_console.print(safe(line, multiline=False), markup=False, highlight=False, emoji=False)


def _run(ctx: typer.Context, suite: str, tier: str, limit: int | None, sets: list[str] | None,
         judge_model: str | None, repeats: int, critic: bool, critic_limit: int | None,
         judged_limit: int | None, chat_model: str | None, answers: bool = True,
         stride: int = 1) -> tuple[Any, Any]:  # fmt: skip
    from evals.datasets import DatasetError
    from evals.orchestrate import evaluate_suite, parse_overrides

    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
    settings = settings_from(ctx, chat_model=chat_model)
    try:
        overrides = parse_overrides(sets)
        return asyncio.run(
            evaluate_suite(
                suite, settings, tier=tier, limit=limit, stride=stride, context_overrides=overrides, judge_model=judge_model,  # type: ignore[arg-type]
                repeats=repeats, critic=critic, critic_limit=critic_limit, judged_limit=judged_limit, answers=answers,
                progress=_progress,
            )
        ), settings  # fmt: skip
    except (DatasetError, ValueError, RuntimeError) as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=2) from None


def _summary(result: Any, **paths: Path | None) -> dict[str, Any]:
    """What `eval run|judge|baseline --json` print: the suite, its tier, the files written and the
    flat metric means (``null`` for a metric without a value)."""
    from evals.gate import flat_means

    return {
        "suite": result.suite,
        "tier": result.tier,
        **{name: None if path is None else str(path) for name, path in paths.items()},
        "questions": len(result.examples),
        "wall_seconds": result.wall_seconds,
        "metrics": flat_means(result),
    }


def _gate_json(gate: Any) -> dict[str, Any] | None:
    """The ``gate`` key of `eval run|report --json`: ``null`` without a baseline."""
    return None if gate is None else {"passed": gate.passed, "rows": gate.rows, "notes": gate.notes}


def _json_option(keys: str) -> Any:
    return typer.Option(False, "--json", help=f"{JSON_OBJECT_HELP} Keys: {keys}.")


def _load_results(path: Path) -> Any:
    """A results/baseline JSON, or a clear one-line error and exit code 2."""
    from evals.results import SuiteResult

    try:
        return SuiteResult.load(path)
    except (FileNotFoundError, ValueError) as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=2) from None


# Options shared by several `eval` commands.
SUITE_OPT = typer.Option(
    "bundled", "--suite", help="bundled | financebench-dev | sec10q | path to a dataset file."
)
TIER_OPT = typer.Option("deterministic", "--tier", help=TIER_HELP)
LIMIT_OPT = typer.Option(None, "--limit", min=1, help="Only the first N questions.")
SET_OPT = typer.Option(None, "--set", help="Context override FIELD=VALUE (repeatable), e.g. --set dense_k=1.")
JUDGE_OPT = typer.Option(
    None, "--judge-model", help="Model string for the RAGAS judge (default: the judge role's)."
)
REPEATS_OPT = typer.Option(
    1, "--repeats", min=1, help="Judged tier: score each sample N times; mean and spread."
)
CRITIC_OPT = typer.Option(
    True, "--critic/--no-critic", help="Also evaluate the critic on planted-error answers."
)
CRITIC_LIMIT_OPT = typer.Option(
    None, "--critic-limit", min=1, help="Planted-error sets from the first N questions."
)
JUDGED_LIMIT_OPT = typer.Option(None, "--judged-limit", min=1, help="Judge only the first N answers (CPU!).")
CHAT_OPT = typer.Option(
    None, "--chat-model", help="Model string for every chat role of the graph under test."
)
RESULTS_ARG = typer.Argument(..., help="A results.json written by `filings eval run`.")


def _gate_against(result: Any, baseline: Path | None) -> tuple[Path, Any, Any]:
    """The baseline file `eval run` gates against (--baseline, else the suite's default), the
    baseline loaded and the gate; both ``None`` when no baseline was given and none exists."""
    from evals.gate import gate_results
    from evals.suites import baseline_path

    base_file = baseline or baseline_path(result.suite)
    base = gate = None
    if baseline is not None or base_file.exists():
        base = _load_results(base_file)
        gate = gate_results(result, base)
    return base_file, base, gate


def _print_gate(gate: Any, base_file: Path) -> None:
    """The human view of `eval run`'s gate; exit code 1 when it failed."""
    if gate is None:
        console.print(
            f"[yellow]no baseline at {base_file}: nothing to gate (record one with `filings eval baseline`)[/yellow]"
        )
        return
    for row in gate.failures:
        err_console.print(
            f"[red]REGRESSED {row.metric}: {row.baseline} -> {row.current} ({row.tolerance})[/red]"
        )
    if not gate.passed:
        err_console.print(f"[red]regression gate FAILED against {base_file}[/red]")
        raise typer.Exit(code=1)
    console.print(f"[green]regression gate passed against {base_file}[/green]")


def run_cmd(
    ctx: typer.Context,
    suite: str = SUITE_OPT,
    baseline: Path | None = typer.Option(
        None,
        "--baseline",
        help="Baseline results JSON (default: evals/baselines/<suite>.json if it exists).",
    ),
    tier: str = TIER_OPT,
    limit: int | None = LIMIT_OPT,
    sets: list[str] | None = SET_OPT,
    judge_model: str | None = JUDGE_OPT,
    repeats: int = REPEATS_OPT,
    critic: bool = CRITIC_OPT,
    critic_limit: int | None = CRITIC_LIMIT_OPT,
    judged_limit: int | None = JUDGED_LIMIT_OPT,
    chat_model: str | None = CHAT_OPT,
    out: Path | None = typer.Option(
        None, "--out", help="Output folder (default: <data-dir>/evals/<suite>-<time>)."
    ),
    answers: bool = typer.Option(
        True,
        "--answers/--no-answers",
        help="--no-answers: retrieval + critic only, no LLM drafting (large suites).",
    ),
    stride: int = typer.Option(
        1,
        "--stride",
        min=1,
        help="Every Nth question only (a sample spread over the set), before --limit.",
    ),
    as_json: bool = _json_option(
        "suite, tier, results, report, baseline (paths; baseline null without one), questions, "
        "wall_seconds, metrics (flat means), gate (null without a baseline, else passed, rows: "
        "metric, baseline, current, delta, tolerance, status; notes); the exit code is the same"
    ),
) -> None:
    from evals.report import write_report

    result, settings = _run(ctx, suite, tier, limit, sets, judge_model, repeats, critic, critic_limit,
                            judged_limit, chat_model, answers, stride)  # fmt: skip
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = out or settings.data_dir / "evals" / f"{result.suite}-{stamp}"
    base_file, base, gate = _gate_against(result, baseline)
    result.save(out_dir / "results.json")
    report = write_report(result, out_dir, baseline=base, gate=gate)
    if as_json:
        summary = _summary(
            result,
            results=out_dir / "results.json",
            report=report,
            baseline=base_file if gate is not None else None,
        )
        summary["gate"] = _gate_json(gate)
        print_json(summary)
        raise typer.Exit(code=0 if gate is None or gate.passed else 1)
    console.print(f"results: {escape(out_dir / 'results.json')}\nreport:  {escape(report)}")
    _print_gate(gate, base_file)


def baseline_cmd(
    ctx: typer.Context,
    suite: str = SUITE_OPT,
    from_: Path | None = typer.Option(None, "--from", help="An existing results.json to promote."),
    out: Path | None = typer.Option(
        None, "--out", help="Baseline file (default: evals/baselines/<suite>.json)."
    ),
    tier: str = TIER_OPT,
    limit: int | None = LIMIT_OPT,
    sets: list[str] | None = SET_OPT,
    judge_model: str | None = JUDGE_OPT,
    repeats: int = REPEATS_OPT,
    critic: bool = CRITIC_OPT,
    critic_limit: int | None = CRITIC_LIMIT_OPT,
    judged_limit: int | None = JUDGED_LIMIT_OPT,
    chat_model: str | None = CHAT_OPT,
    as_json: bool = _json_option(
        "suite, tier, baseline (the file written), questions, wall_seconds, metrics"
    ),
) -> None:
    from evals.orchestrate import slim
    from evals.suites import baseline_path

    if from_ is not None:
        result = _load_results(from_)
    else:
        result, _ = _run(ctx, suite, tier, limit, sets, judge_model, repeats, critic, critic_limit,
                         judged_limit, chat_model)  # fmt: skip
    path = slim(result).save(out or baseline_path(result.suite))
    if as_json:
        print_json(_summary(result, baseline=path))
        return
    console.print(f"baseline written: {escape(path)}")


def judge_cmd(
    ctx: typer.Context,
    results: Path = RESULTS_ARG,
    judge_model: str | None = JUDGE_OPT,
    repeats: int = REPEATS_OPT,
    judged_limit: int | None = JUDGED_LIMIT_OPT,
    out: Path | None = typer.Option(
        None, "--out", help="Output folder (default: the results file's folder, updated in place)."
    ),
    as_json: bool = _json_option("suite, tier, results, report, questions, wall_seconds, metrics"),
) -> None:
    from evals.orchestrate import judge_result
    from evals.report import write_report

    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
    result = _load_results(results)
    settings = settings_from(ctx)
    try:
        asyncio.run(
            judge_result(
                result, settings, judge_model=judge_model, repeats=repeats, judged_limit=judged_limit,
                progress=_progress,
            )
        )  # fmt: skip
    except (ValueError, RuntimeError) as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=2) from None
    out_dir = out or results.parent
    result.save(out_dir / "results.json")
    report = write_report(result, out_dir)
    if as_json:
        print_json(_summary(result, results=out_dir / "results.json", report=report))
        return
    console.print(f"results: {escape(out_dir / 'results.json')}\nreport:  {escape(report)}")


def report_cmd(
    ctx: typer.Context,
    results: Path = RESULTS_ARG,
    baseline: Path | None = typer.Option(
        None, "--baseline", help="Compare against this baseline results JSON."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for report.md and the PNGs (default: beside results)."
    ),
    as_json: bool = _json_option(
        "report (the file written), gate (null without --baseline, else passed, rows, notes)"
    ),
) -> None:
    from evals.gate import gate_results
    from evals.report import write_report

    result = _load_results(results)
    base = _load_results(baseline) if baseline else None
    gate = gate_results(result, base) if base else None
    path = write_report(result, out or results.parent, baseline=base, gate=gate)
    if as_json:
        print_json({"report": str(path), "gate": _gate_json(gate)})
        return
    console.print(f"report: {escape(path)}")


def upload_cmd(
    results: Path = RESULTS_ARG,
    dataset: str | None = typer.Option(
        None, "--dataset", help="LangSmith dataset name (default: filings-<suite>)."
    ),
    experiment: str | None = typer.Option(None, "--experiment", help="Experiment name (default: generated)."),
) -> None:
    import os

    from evals.langsmith_upload import upload_experiment

    if not os.environ.get("LANGSMITH_API_KEY"):
        err_console.print("[red]LANGSMITH_API_KEY is not set: nothing to upload to[/red]")
        raise typer.Exit(code=2)
    result = _load_results(results)
    sent = upload_experiment(result, dataset_name=dataset, experiment_name=experiment)
    console.print(
        f"experiment {sent['experiment']} on dataset {sent['dataset']}: "
        f"{sent['runs']} runs, {sent['feedback']} feedback scores"
    )


def register(app: typer.Typer) -> None:
    ev = typer.Typer(
        help="Evaluation suites (deterministic tier + RAGAS) and the regression gate.", no_args_is_help=True
    )
    ev.command(
        "run", help="Run a suite; exits 1 when a metric regresses beyond tolerance from the baseline."
    )(run_cmd)
    ev.command(
        "baseline", help="Record results as the suite's baseline (runs the suite unless --from is given)."
    )(baseline_cmd)
    ev.command(
        "judge",
        help="Add the judged (RAGAS) tier to a saved results.json: its answers are judged, not re-run.",
    )(judge_cmd)
    ev.command("report", help="Render a markdown report with PNG charts from eval results.")(report_cmd)
    ev.command("upload", help="Upload eval results to LangSmith as an experiment (needs LANGSMITH_API_KEY).")(
        upload_cmd
    )
    app.add_typer(ev, name="eval")
