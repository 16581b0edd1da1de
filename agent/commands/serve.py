"""`filings serve` (issue 7)."""

from __future__ import annotations

import typer

from agent.commands._common import not_yet


def register(app: typer.Typer) -> None:
    @app.command(help="Serve the research graph with the LangGraph dev server (langgraph.json).")
    def serve(ctx: typer.Context) -> None:
        not_yet("filings serve", 7)
