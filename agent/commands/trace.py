"""`filings trace list|show` (issue 6)."""

from __future__ import annotations

import typer

from agent.commands._common import not_yet


def register(app: typer.Typer) -> None:
    tr = typer.Typer(help="Read the local trace sink: runs and their node spans.", no_args_is_help=True)

    @tr.command("list", help="List recorded runs (id, time, question, stop reason, seconds).")
    def list_(ctx: typer.Context) -> None:
        not_yet("filings trace list", 6)

    @tr.command("show", help="Show one run's node spans with timings, tokens and summaries.")
    def show(ctx: typer.Context, run_id: str) -> None:
        not_yet("filings trace show", 6)

    app.add_typer(tr, name="trace")
