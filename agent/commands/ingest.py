"""`filings ingest` (issue 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.commands._common import not_yet


def register(app: typer.Typer) -> None:
    @app.command(help="Ingest filings (PDF, EDGAR HTML/iXBRL, text): files or folders, recursive, idempotent.")
    def ingest(ctx: typer.Context, paths: Annotated[list[Path], typer.Argument(help="Files or folders.")]) -> None:
        not_yet("filings ingest", 3)
