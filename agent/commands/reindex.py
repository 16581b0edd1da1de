"""`filings reindex`: re-embed the index with another embedding model."""

from __future__ import annotations

from typing import Annotated

import typer

from agent.commands._common import console, err_console, model_overrides, settings_from
from agent.terminal import escape


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


class ProgressLines:
    """One stderr line per ~10 % of the chunks: how many, how fast, how long still."""

    def __init__(self) -> None:
        self.shown = 0  # tenths already reported

    def __call__(self, done: int, total: int, embedded: int, seconds: float) -> None:
        tenths = 10 * done // total if total else 10
        if tenths <= self.shown:
            return
        self.shown = tenths
        rate = embedded / seconds if seconds > 0 else 0.0
        eta = _clock((total - done) / rate) if rate > 0 and done < total else "-"
        err_console.print(
            f"[dim]reindex[/dim] {done:,} of {total:,} chunks ({100 * done // total}%)  "
            f"{rate:.1f} chunks/s  ETA {eta}",
            highlight=False,
            soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    @app.command(
        help="Re-embed the index with another embedding model; resumable (run it again after a crash or "
        "Ctrl-C), and searches keep using the old vectors until every chunk is re-embedded."
    )
    def reindex(
        ctx: typer.Context,
        embeddings: Annotated[
            str,
            typer.Option(
                "--embeddings", help="Embedding model string, e.g. 'local:all-minilm-l6-v2', 'hf:<path>'."
            ),
        ],
        batch: Annotated[int, typer.Option("--batch", min=1, help="Chunks embedded per batch.")] = 64,
        force: Annotated[
            bool, typer.Option("--force", help="Re-embed even when the index already records this model.")
        ] = False,
    ) -> None:
        from agent.commands.ask import require_index
        from agent.retrieval.index import IndexBusyError
        from agent.retrieval.reindex import ReindexInterrupted
        from agent.retrieval.reindex import reindex as run

        model_overrides(embeddings_model=embeddings)  # a malformed model string: one line, exit 1
        settings = settings_from(ctx)
        require_index(settings)
        try:
            result = run(settings, embeddings, batch=batch, force=force, progress=ProgressLines())
        except IndexBusyError as exc:
            err_console.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(code=3) from None
        except ReindexInterrupted as exc:
            err_console.print(escape(str(exc)), style="yellow", highlight=False, soft_wrap=True)
            raise typer.Exit(code=130) from None
        model = escape(result.new_model)
        if result.status == "unchanged":
            console.print(
                f"the index is already embedded with {model}; nothing to do (--force re-embeds)",
                highlight=False,
                soft_wrap=True,
            )
            return
        kept = f", {result.kept:,} kept from an earlier run" if result.kept else ""
        console.print(
            f"[green]re-embedded[/green] {result.total:,} chunks with {model} ({result.embedded:,} embedded"
            f"{kept}) in {result.seconds:.1f}s; was {escape(result.old_model or 'unrecorded')}",
            highlight=False,
            soft_wrap=True,
        )
