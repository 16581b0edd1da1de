"""`filings docs list|remove` (issue 3)."""

from __future__ import annotations

from typing import Annotated

import typer

from agent.commands._common import console, err_console, settings_from
from agent.terminal import cell, escape


def _short(doc_id: str) -> str:
    """sha256 ids are long; `docs remove` accepts this unambiguous prefix."""
    return doc_id[:23] + "…" if doc_id.startswith("sha256:") else doc_id


def register(app: typer.Typer) -> None:
    docs = typer.Typer(help="List or remove the filings held in the index.", no_args_is_help=True)

    @docs.command("list", help="List ingested documents with company, form, period, pages and chunks.")
    def list_(
        ctx: typer.Context,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the records as JSON (for scripts).")
        ] = False,
        stale: Annotated[
            bool,
            typer.Option(
                "--stale",
                help="Only documents whose file is gone or changed since ingest (reads every file).",
            ),
        ] = False,
    ) -> None:
        import json
        from dataclasses import asdict

        from rich.table import Table

        from agent.retrieval.manifest import Manifest

        settings = settings_from(ctx)
        path = settings.index_dir / "manifest.sqlite"
        if not path.exists():
            console.print(f"no index at {settings.index_dir} (run `filings ingest PATH` first)")
            return
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
        if as_json:
            print(
                json.dumps(
                    [{**asdict(r), **({"stale": why[r.doc_id]} if stale else {})} for r in records], indent=2
                )
            )
            return
        title = "stale " if stale else ""
        table = Table(title=f"{len(records)} {title}document(s) in {settings.index_dir}")
        columns = ["doc id", "company", "form", "period", "period end", "pages", "chunks", "source"]
        for col in [*columns, *(["why stale"] if stale else [])]:
            table.add_column(col, overflow="fold")
        for r in records:
            form = r.form_type or "?"
            if r.amends:
                form += f" (amends {r.amends})"
            # Company, form and path come from the filings and their file names: shown literally.
            table.add_row(
                *map(
                    cell,
                    (
                        _short(r.doc_id),
                        r.company or "?",
                        form,
                        r.period_label,
                        r.period_end or "",
                        str(r.pages),
                        str(r.chunks),
                        r.source_path,
                        *([why[r.doc_id]] if stale else []),
                    ),
                )
            )
        console.print(table)

    @docs.command("remove", help="Remove a document (by doc id or source path) and all its chunks.")
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
            err_console.print(
                f"[red]error:[/red] no document with id or path {doc!r} (see `filings docs list`)"
            )
            raise typer.Exit(code=1)
        console.print(
            f"removed {escape(removed.doc_id)} ({escape(removed.source_path)}, {removed.chunks} chunks)"
        )

    app.add_typer(docs, name="docs")
