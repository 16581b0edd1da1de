"""`filings trace list|show` (issue 6): read the local trace sink."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.table import Table

from agent.commands._common import console, err_console, settings_from
from agent.terminal import cell, escape


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def register(app: typer.Typer) -> None:
    tr = typer.Typer(help="Read the local trace sink: runs and their node spans.", no_args_is_help=True)

    @tr.command("list", help="List recorded runs (id, time, question, stop reason, seconds).")
    def list_(
        ctx: typer.Context,
        limit: int = typer.Option(20, "--limit", "-n", min=1, help="How many recent runs to show."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON lines instead of a table."),
    ) -> None:
        from agent.tracing import TraceStore

        store = TraceStore(settings_from(ctx).traces_path)
        try:
            runs = store.list_runs(limit)
        except FileNotFoundError as exc:
            err_console.print(f"[yellow]{exc}[/yellow]")
            raise typer.Exit(code=1) from None
        if as_json:
            for r in runs:
                typer.echo(json.dumps(r.__dict__, default=str))
            return
        table = Table(
            "run id", "started (UTC)", "question", "stop reason", "status", "s", "LLM calls", "tokens"
        )
        for r in runs:
            # Questions, summaries and errors may quote filings or model output: shown literally.
            table.add_row(*map(cell, (
                r.run_id[:13], _when(r.started_at), (r.question or r.name or "")[:60], r.stop_reason or "",
                r.status, f"{r.seconds:.2f}" if r.seconds is not None else "", str(r.llm_calls),
                str(r.prompt_tokens + r.completion_tokens),
            )))  # fmt: skip
        console.print(table)

    @tr.command("show", help="Show one run's node spans with timings, tokens and summaries.")
    def show(
        ctx: typer.Context,
        run_id: str = typer.Argument(..., help="Run id or a unique prefix of it (see `filings trace list`)."),
        as_json: bool = typer.Option(False, "--json", help="Print the run and its spans as JSON."),
    ) -> None:
        from agent.tracing import TraceStore

        store = TraceStore(settings_from(ctx).traces_path)
        try:
            run, spans = store.get_run(run_id)
        except (FileNotFoundError, KeyError) as exc:
            err_console.print(f"[red]{exc.args[0] if exc.args else exc}[/red]")
            raise typer.Exit(code=1) from None
        if as_json:
            typer.echo(
                json.dumps({"run": run.__dict__, "spans": [s.__dict__ for s in spans]}, default=str, indent=2)
            )
            return
        console.print(
            f"[bold]{run.run_id}[/bold]  {_when(run.started_at)}  {run.status}  {run.seconds or 0:.2f} s"
        )
        if run.question:
            console.print(f"question: {escape(run.question)}")
        console.print(f"stop reason: {run.stop_reason or '-'}   LLM calls: {run.llm_calls}   "
                      f"tokens: {run.prompt_tokens} in / {run.completion_tokens} out")  # fmt: skip
        table = Table("#", "node", "s", "LLM", "tokens in/out", "summary", "metadata")
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

    app.add_typer(tr, name="trace")
