"""`filings search` (issue 4)."""

from __future__ import annotations

import typer

from agent.commands._common import not_yet


def register(app: typer.Typer) -> None:
    @app.command(help="Show the resolved scope and the ranked chunks (company, form, period, Item, page, score).")
    def search(ctx: typer.Context, question: str) -> None:
        not_yet("filings search", 4)
