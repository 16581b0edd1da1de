"""`filings docs list|remove` (issue 3)."""

from __future__ import annotations

import typer

from agent.commands._common import not_yet


def register(app: typer.Typer) -> None:
    docs = typer.Typer(help="List or remove the filings held in the index.", no_args_is_help=True)

    @docs.command("list", help="List ingested documents with company, form, period, pages and chunks.")
    def list_(ctx: typer.Context) -> None:
        not_yet("filings docs list", 3)

    @docs.command("remove", help="Remove a document (by doc id or source path) and all its chunks.")
    def remove(ctx: typer.Context, doc: str) -> None:
        not_yet("filings docs remove", 3)

    app.add_typer(docs, name="docs")
