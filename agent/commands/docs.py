"""`filings docs list|remove` (issue 3)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agent.commands._common import (
    JSON_LIST_HELP,
    clip_left,
    compact_table,
    console,
    err_console,
    print_json,
    settings_from,
)
from agent.terminal import cell, escape, safe

if TYPE_CHECKING:
    from agent.retrieval.manifest import DocumentRecord


def _short(doc_id: str) -> str:
    """sha256 ids are long; `docs remove` accepts this unambiguous prefix."""
    return doc_id[:23] + "…" if doc_id.startswith("sha256:") else doc_id


def _records(path: Path, stale: bool) -> tuple[list[DocumentRecord], dict[str, str]]:
    """The committed documents of the manifest at ``path`` and, with ``stale``, only those whose
    file is gone or changed, with why (by doc id)."""
    from agent.retrieval.manifest import Manifest

    # The manifest alone answers this: no need to open Chroma or load a model.
    manifest = Manifest(path)
    try:
        records = manifest.committed()
    finally:
        manifest.close()
    why: dict[str, str] = {}
    if stale:
        from loaders.discover import stale_reason

        why = {r.doc_id: reason for r in records if (reason := stale_reason(r.source_path, r.sha256))}
        records = [r for r in records if r.doc_id in why]
    return records, why


def _print_table(index_dir: Path, records: list[DocumentRecord], why: dict[str, str], stale: bool) -> None:
    """The human view of `docs list`: one table row per document."""
    title = "stale " if stale else ""
    table = compact_table(title=f"{len(records)} {title}document(s) in {escape(index_dir)}")
    # Sized to the terminal: ids, numbers and paths stay on one line (a path is cut at its start,
    # keeping the file name); only company, form and the stale reason wrap, at word boundaries.
    # A period's end date goes under its label, so 80 columns leave room for the path.
    ids = [_short(r.doc_id) for r in records]
    forms = [(r.form_type or "?") + (f" (amends {r.amends})" if r.amends else "") for r in records]
    id_w = min(max(map(len, ids), default=6), 24 if console.width >= 120 else 16)
    form_w = min(max(map(len, forms), default=4), 10)
    company_w = min(max((len(r.company or "?") for r in records), default=7), 24)
    why_w = 24 if stale else 0
    ncols = 7 + bool(stale)
    fixed = id_w + form_w + 10 + 5 + 6 + why_w + 2 * (ncols - 1)
    company_w = max(10, min(company_w, (console.width - fixed) // 2))
    source_w = max(12, console.width - fixed - company_w)
    table.add_column("doc id", no_wrap=True, overflow="ellipsis", max_width=id_w)
    table.add_column("company", overflow="ellipsis", max_width=company_w)
    table.add_column("form", overflow="ellipsis", max_width=form_w)
    table.add_column("period", no_wrap=True)
    table.add_column("pages", no_wrap=True, justify="right")
    table.add_column("chunks", no_wrap=True, justify="right")
    table.add_column("source", no_wrap=True, overflow="ellipsis", max_width=source_w)
    if stale:
        table.add_column("why stale", overflow="fold", max_width=why_w)
    for r, doc_id, form in zip(records, ids, forms, strict=True):
        period = r.period_label + (f"\n{r.period_end}" if r.period_end else "")
        # Company, form and path come from the filings and their file names: shown literally.
        table.add_row(
            cell(doc_id),
            cell(r.company or "?"),
            cell(form),
            cell(period, multiline=True),
            cell(str(r.pages)),
            cell(str(r.chunks)),
            cell(clip_left(safe(r.source_path, multiline=False), source_w)),
            *([cell(why[r.doc_id])] if stale else []),
        )
    console.print(table)


def list_(
    ctx: typer.Context,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help=JSON_LIST_HELP + " Keys: the manifest record's fields (doc_id, source_path, sha256, "
            "company, form_type, fiscal_year, period_end, pages, chunks, ...), plus 'stale' (why) "
            "with --stale.",
        ),
    ] = False,
    stale: Annotated[
        bool,
        typer.Option(
            "--stale",
            help="Only documents whose file is gone or changed since ingest (reads every file).",
        ),
    ] = False,
) -> None:
    from dataclasses import asdict

    settings = settings_from(ctx)
    path = settings.index_dir / "manifest.sqlite"
    if not path.exists():
        note = f"no index at {settings.index_dir} (run `filings ingest PATH` first)"
        if as_json:  # stdout stays JSON: an empty list; the note goes to stderr
            print_json([])
            err_console.print(note, markup=False, highlight=False, soft_wrap=True)
            return
        console.print(note, markup=False, highlight=False)
        return
    records, why = _records(path, stale)
    if as_json:
        print_json([{**asdict(r), **({"stale": why[r.doc_id]} if stale else {})} for r in records])
        return
    _print_table(settings.index_dir, records, why, stale)


def remove(ctx: typer.Context, doc: str) -> None:
    from agent.retrieval.index import FilingIndex, IndexBusyError

    settings = settings_from(ctx)
    index = FilingIndex.open(settings)
    try:
        removed = index.remove(doc)
    except IndexBusyError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=3) from None
    finally:
        index.close()
    if removed is None:
        err_console.print(f"[red]error:[/red] no document with id or path {doc!r} (see `filings docs list`)")
        raise typer.Exit(code=1)
    console.print(
        f"removed {escape(removed.doc_id)} ({escape(removed.source_path)}, {removed.chunks} chunks)"
    )


def register(app: typer.Typer) -> None:
    docs = typer.Typer(help="List or remove the filings held in the index.", no_args_is_help=True)
    docs.command("list", help="List ingested documents with company, form, period, pages and chunks.")(list_)
    docs.command("remove", help="Remove a document (by doc id or source path) and all its chunks.")(remove)
    app.add_typer(docs, name="docs")
