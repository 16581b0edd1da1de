"""`filings ingest` (issue 3)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agent.commands._common import console, err_console, settings_from
from agent.terminal import escape

if TYPE_CHECKING:
    from agent.config import Settings
    from loaders.pipeline import FileResult, IngestReport


def _progress_ui():  # imported lazily: keeps `filings --help` instant
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from loaders.pipeline import Progress as Hooks

    class RichProgress(Hooks):
        def __init__(self) -> None:
            self.bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[extra]}"),
                TimeElapsedColumn(),
                console=err_console,
                transient=True,
            )
            self.files = self.bar.add_task("files", total=0, extra="")
            self.pages = 0
            self.chunks = 0

        def start(self, files: list[Path]) -> None:
            self.bar.update(self.files, total=len(files))
            self.bar.start()

        def file_started(self, path: Path) -> None:
            self.bar.update(
                self.files, extra=f"{escape(path.name)}  pages {self.pages}  chunks {self.chunks}"
            )

        def advance(self, pages: int = 0, chunks: int = 0) -> None:
            self.pages += pages
            self.chunks += chunks
            extra = self.bar.tasks[0].fields.get("extra", "").split("  pages")[0]
            self.bar.update(self.files, extra=f"{extra}  pages {self.pages}  chunks {self.chunks}")

        def file_done(self, result: FileResult) -> None:
            if result.path:
                self.bar.advance(self.files)
            line = _result_line(result)
            if line:
                self.bar.console.print(line, soft_wrap=True, highlight=False)

        def warning(self, message: str) -> None:
            err_console.print(f"[yellow]warning:[/yellow] {escape(message)}", soft_wrap=True, highlight=False)

        def stop(self) -> None:
            self.bar.stop()

    return RichProgress()


def _result_line(r: FileResult) -> str:
    # File names and parser messages may carry escapes or markup: escaped (rich markup line).
    path, message = escape(r.path), escape(r.message)
    if r.status == "failed":
        return f"[red]failed[/red]  {path}: {message}"
    if r.status == "skipped":
        return f"[dim]skipped[/dim] {path} ({message})"
    if r.status == "removed":
        return f"[yellow]removed[/yellow] {path} ({message})"
    extra = f" [yellow]({message})[/yellow]" if r.message else ""
    return f"[green]{r.status}[/green] {path}: {r.pages} pages, {r.chunks} chunks, {r.seconds:.1f}s{extra}"


def _summary(report: IngestReport) -> None:
    from rich.table import Table

    from loaders.pipeline import summary_rows

    table = Table(title="ingest summary")
    row = summary_rows(report)
    for key in row:
        table.add_column(key, justify="right")
    table.add_row(*(str(v) for v in row.values()))
    console.print(table)


def _ingest(
    paths: list[Path], settings: Settings, *, chunk_tokens: int, overlap: int, force: bool, prune: bool
) -> IngestReport:
    """Run the pipeline with the progress bar; a busy index ends the command (exit 3)."""
    from agent.retrieval.index import IndexBusyError
    from loaders.pipeline import ingest_paths

    ui = _progress_ui()
    try:
        return ingest_paths(
            paths,
            settings,
            progress=ui,
            chunk_tokens=chunk_tokens,
            overlap=overlap,
            force=force,
            prune=prune,
        )
    except IndexBusyError as exc:
        ui.stop()
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=3) from None
    finally:
        ui.stop()


def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders.", readable=False)],
    chunk_tokens: Annotated[
        int, typer.Option("--chunk-tokens", help="Max tokens per chunk (embedding tokenizer).")
    ] = 256,
    overlap: Annotated[int, typer.Option("--overlap", help="Token overlap between prose chunks.")] = 32,
    embeddings_model: Annotated[
        str | None, typer.Option("--embeddings", help="Embedding model string (default from settings).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Keep files that do not look like filings (no cover, Items or figures)."
        ),
    ] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune", help="Also remove documents indexed from under these folders whose files are gone."
        ),
    ] = False,
    max_file_mb: Annotated[
        float | None,
        typer.Option("--max-file-mb", min=0.001, help="Refuse files larger than this (default 100 MB)."),
    ] = None,
    max_pages: Annotated[
        int | None,
        typer.Option("--max-pages", min=1, help="Refuse documents with more pages (default 2000)."),
    ] = None,
) -> None:
    settings = settings_from(
        ctx, embeddings_model=embeddings_model, max_file_mb=max_file_mb, max_pages=max_pages
    )
    report = _ingest(paths, settings, chunk_tokens=chunk_tokens, overlap=overlap, force=force, prune=prune)
    _summary(report)
    if not report.ok:
        err_console.print(f"[red]{report.failed} file(s) failed[/red] (see the lines above)")
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command(
        "ingest",
        help="Ingest filings (PDF, EDGAR HTML/iXBRL, text): files or folders, recursive, idempotent.",
    )(ingest)
