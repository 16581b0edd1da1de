"""The ``filings`` command line. Each command group lives in ``agent/commands/<name>.py`` and
registers itself here; imports of heavy libraries (torch, chromadb, llama.cpp) happen inside the
commands so that ``filings --help`` stays instant."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from agent import __version__
from agent.commands import (
    ask,
    chat,
    docs,
    evals,
    facts,
    ingest,
    models,
    reindex,
    search,
    serve,
    threads,
    trace,
    tune,
)
from agent.commands._common import CliState, ReportingGroup

app = typer.Typer(
    name="filings",
    help="Research assistant for SEC filings: answers cited to the page, never an invented number.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    cls=ReportingGroup,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Index, traces and threads live here (env FILINGS_DATA_DIR)."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="TOML settings file (env FILINGS_CONFIG; default <data-dir>/filings.toml)."
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", help="Also show the model libraries' progress bars and logs (env FILINGS_VERBOSE=1)."
        ),
    ] = False,
) -> None:
    """Global options; precedence is flags > FILINGS_* env > TOML file > defaults."""
    if verbose:
        os.environ["FILINGS_VERBOSE"] = "1"  # read where models load, and by our subprocesses
    ctx.obj = CliState(data_dir=data_dir, config=config)


for _module in (ingest, reindex, docs, facts, search, ask, chat, threads, evals, trace, serve, models, tune):
    _module.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
