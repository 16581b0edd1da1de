"""`filings trace list|show` (issue 6): read the local trace sink."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

from agent.commands._common import (
    JSON_LIST_HELP,
    JSON_OBJECT_HELP,
    compact_table,
    console,
    err_console,
    print_json,
    settings_from,
)
from agent.terminal import cell, escape

if TYPE_CHECKING:
    from agent.trace_store import RunRecord, SpanRecord


def _when(ts: float, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime(fmt)


def _print_runs(runs: list[RunRecord]) -> None:
    """The human view of `trace list`: one table row per run."""
    # Sized to the terminal: every column but the stop reason stays on one line (ids are
    # prefixes `trace show` and `threads show` accept); the question gets what is left, cut
    # with an ellipsis.
    narrow = console.width < 110
    run_w, thread_w = (8, 8) if narrow else (13, 12)
    when_fmt = "%m-%d %H:%M" if narrow else "%Y-%m-%d %H:%M:%S"
    rows = []
    for r in runs:
        stop = r.stop_reason or ("" if r.status == "ok" else r.status)
        if r.stop_reason and r.status != "ok":
            stop += f" ({r.status})"
        rows.append((
            r.run_id[:run_w], _when(r.started_at, when_fmt), (r.thread_id or "-")[:thread_w], stop,
            f"{r.seconds:.1f}" if r.seconds is not None else "", str(r.llm_calls),
            str(r.prompt_tokens + r.completion_tokens), r.question or r.name or "",
        ))  # fmt: skip
    headers = ("run id", "started (UTC)", "thread", "stop reason", "s", "LLM", "tokens", "question")
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    widths[3] = min(widths[3], 12 if narrow else 22)  # the stop reason wraps at its words
    question_w = max(12, console.width - sum(widths[:-1]) - 2 * (len(headers) - 1))
    table = compact_table()
    for header in headers:
        if header == "stop reason":
            table.add_column(header, overflow="fold", max_width=widths[3])
        elif header == "question":
            table.add_column(header, no_wrap=True, overflow="ellipsis", max_width=question_w)
        else:
            justify = "right" if header in ("s", "LLM", "tokens") else "left"
            table.add_column(header, no_wrap=True, overflow="ellipsis", justify=justify)
    for row in rows:
        # Questions may quote filings or model output: shown literally.
        table.add_row(*map(cell, row))
    console.print(table)


def _print_run(run: RunRecord, spans: list[SpanRecord]) -> None:
    """The human view of `trace show`: the run's header lines, then a table of its spans."""
    import json

    console.print(
        f"[bold]{escape(run.run_id)}[/bold]  {_when(run.started_at)}  {escape(run.status)}  "
        f"{run.seconds or 0:.2f} s"
    )
    if run.thread_id:
        console.print(f"thread: {escape(run.thread_id)}")
    if run.question:
        console.print(f"question: {escape(run.question)}")
    console.print(f"stop reason: {escape(run.stop_reason or '-')}   LLM calls: {run.llm_calls}   "
                  f"tokens: {run.prompt_tokens} in / {run.completion_tokens} out")  # fmt: skip
    table = compact_table()
    table.add_column("#", no_wrap=True, justify="right")
    table.add_column("node", no_wrap=True, overflow="ellipsis")
    table.add_column("s", no_wrap=True, justify="right")
    table.add_column("LLM", no_wrap=True, justify="right")
    table.add_column("tokens", no_wrap=True, justify="right")
    table.add_column("summary", overflow="fold", min_width=16)
    table.add_column("metadata", overflow="fold", min_width=16)
    for s in spans:
        meta = json.dumps(s.metadata, default=str)
        node = cell(s.node)
        if s.status == "error":
            node.append(" (error)", style="red")
        table.add_row(
            cell(s.seq), node, cell(f"{s.seconds:.3f}" if s.seconds is not None else "…"),
            cell(s.llm_calls), cell(f"{s.prompt_tokens}/{s.completion_tokens}"),
            cell(s.error or s.summary), cell(meta if len(meta) <= 200 else meta[:199] + "…"),
        )  # fmt: skip
    console.print(table)


def list_(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="How many recent runs to show."),
    as_json: bool = typer.Option(
        False,
        "--json",
        help=JSON_LIST_HELP + " Keys: run_id, name, started_at (epoch s), seconds, question, "
        "stop_reason, status, llm_calls, prompt_tokens, completion_tokens, metadata, thread_id.",
    ),
) -> None:
    from agent.tracing import TraceStore

    store = TraceStore(settings_from(ctx).traces_path)
    try:
        runs = store.list_runs(limit)
    except FileNotFoundError as exc:
        err_console.print(f"[yellow]{escape(exc)}[/yellow]")
        raise typer.Exit(code=1) from None
    if as_json:
        print_json(runs)
        return
    _print_runs(runs)


def show(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Run id or a unique prefix of it (see `filings trace list`)."),
    as_json: bool = typer.Option(
        False,
        "--json",
        help=JSON_OBJECT_HELP + " Keys: run (as in `trace list --json`), spans (in execution order: "
        "seq, node, started_at, seconds, status, llm_calls, tokens, summary, metadata, error).",
    ),
) -> None:
    from agent.tracing import TraceStore

    store = TraceStore(settings_from(ctx).traces_path)
    try:
        run, spans = store.get_run(run_id)
    except (FileNotFoundError, KeyError) as exc:
        err_console.print(f"[red]{escape(exc.args[0] if exc.args else exc)}[/red]")
        raise typer.Exit(code=1) from None
    if as_json:
        print_json({"run": run, "spans": spans})
        return
    _print_run(run, spans)


def register(app: typer.Typer) -> None:
    tr = typer.Typer(help="Read the local trace sink: runs and their node spans.", no_args_is_help=True)
    tr.command(
        "list", help="List recorded runs, newest first (id, time, thread, stop reason, seconds, question)."
    )(list_)
    tr.command("show", help="Show one run's node spans with timings, tokens and summaries.")(show)
    app.add_typer(tr, name="trace")
