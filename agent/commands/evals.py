"""`filings eval run|baseline|report` (issue 6)."""

from __future__ import annotations

import typer

from agent.commands._common import not_yet


def register(app: typer.Typer) -> None:
    ev = typer.Typer(help="Evaluation suites (deterministic tier + RAGAS) and the regression gate.", no_args_is_help=True)

    @ev.command("run", help="Run a suite; exits non-zero when a metric regresses beyond tolerance from the baseline.")
    def run(ctx: typer.Context, suite: str = typer.Option("bundled", "--suite")) -> None:
        not_yet("filings eval run", 6)

    @ev.command("baseline", help="Record the current results as the baseline for the regression gate.")
    def baseline(ctx: typer.Context) -> None:
        not_yet("filings eval baseline", 6)

    @ev.command("report", help="Render a markdown report with PNG charts from eval results.")
    def report(ctx: typer.Context) -> None:
        not_yet("filings eval report", 6)

    app.add_typer(ev, name="eval")
