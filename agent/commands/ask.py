"""`filings ask` and `filings chat` (issue 5)."""

from __future__ import annotations

import typer

from agent.commands._common import not_yet


def register(app: typer.Typer) -> None:
    @app.command(help="Answer one question with citations (--json prints the typed Answer; --thread continues).")
    def ask(ctx: typer.Context, question: str) -> None:
        not_yet("filings ask", 5)

    @app.command(help="Interactive research chat: streams node progress, then the answer with numbered sources.")
    def chat(ctx: typer.Context) -> None:
        not_yet("filings chat", 5)
