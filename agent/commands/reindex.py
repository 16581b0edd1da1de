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
        "Ctrl-C), and searches keep using the old vectors until every chunk is re-embedded. --add keeps "
        "the index's vectors and searches the new model's beside them (a model from filings tune finds "
        "what it ranks high without losing what the base model finds); --remove drops an added set."
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
        add: Annotated[
            bool,
            typer.Option(
                "--add",
                help="Keep the index's own vectors and add this model's, searched beside them (each a "
                "vote in the fusion; every later ingest embeds with both).",
            ),
        ] = False,
        remove: Annotated[
            bool,
            typer.Option(
                "--remove", help="Stop searching the vectors --add made with this model; delete them."
            ),
        ] = False,
    ) -> None:
        from agent.commands.ask import require_index
        from agent.retrieval.index import IndexBusyError
        from agent.retrieval.reindex import ReindexInterrupted, remove_added
        from agent.retrieval.reindex import reindex as run

        if add and remove:
            err_console.print("[red]error:[/red] --add and --remove exclude each other")
            raise typer.Exit(code=2)
        model_overrides(embeddings_model=embeddings)  # a malformed model string: one line, exit 1
        settings = settings_from(ctx)
        require_index(settings)
        try:
            if remove:
                gone = remove_added(settings, embeddings)
                if gone is None:
                    err_console.print(
                        f"[red]error:[/red] the index has no vectors added with {escape(embeddings)}",
                        highlight=False,
                        soft_wrap=True,
                    )
                    raise typer.Exit(code=1)
                console.print(
                    f"removed the vectors added with {escape(embeddings)}", highlight=False, soft_wrap=True
                )
                return
            result = run(settings, embeddings, batch=batch, force=force, progress=ProgressLines(), add=add)
        except IndexBusyError as exc:
            err_console.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(code=3) from None
        except ValueError as exc:
            err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=1) from None
        except ReindexInterrupted as exc:
            err_console.print(escape(str(exc)), style="yellow", highlight=False, soft_wrap=True)
            raise typer.Exit(code=130) from None
        model = escape(result.new_model)
        if result.status == "unchanged":
            role = "searches vectors added with" if result.added else "is already embedded with"
            console.print(
                f"the index {role} {model}; nothing to do (--force re-embeds)",
                highlight=False,
                soft_wrap=True,
            )
            return
        kept = f", {result.kept:,} kept from an earlier run" if result.kept else ""
        how = (
            f"searched beside the index's own ({escape(result.old_model or 'unrecorded')})"
            if result.added
            else f"was {escape(result.old_model or 'unrecorded')}"
        )
        console.print(
            f"[green]re-embedded[/green] {result.total:,} chunks with {model} ({result.embedded:,} embedded"
            f"{kept}) in {result.seconds:.1f}s; {how}",
            highlight=False,
            soft_wrap=True,
        )
