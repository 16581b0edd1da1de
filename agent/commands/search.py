"""`filings search` (issue 4): the retrieval stack on its own, for inspecting what the agent would read."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from agent.commands._common import console, err_console, settings_from
from agent.terminal import cell, escape, safe


def register(app: typer.Typer) -> None:
    @app.command(
        help="Show the resolved scope and the ranked chunks (company, form, period, Item, page, score)."
    )
    def search(
        ctx: typer.Context,
        question: str,
        k: Annotated[int, typer.Option("--k", min=1, help="Chunks to show.")] = 10,
        reranker: Annotated[
            str | None,
            typer.Option(
                "--reranker",
                help="'none', 'local:mpnet-rescore', 'hf:<cross-encoder>', 'llm' (default: settings).",
            ),
        ] = None,
        candidates: Annotated[
            int | None, typer.Option("--candidates", min=1, help="Fused candidates before reranking.")
        ] = None,
        no_scope: Annotated[
            bool, typer.Option("--no-scope", help="Search every filing (no scope pre-filter).")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print scope and chunks as JSON.")] = False,
    ) -> None:
        from rich.table import Table

        from agent.commands.ask import refuse_bad_question, require_index
        from agent.injection import instruction_cue
        from agent.retrieval.hybrid import HybridRetriever
        from agent.retrieval.index import FilingIndex
        from agent.retrieval.rerankers import make_reranker
        from agent.retrieval.scope import resolve_scope
        from agent.schemas import Scope

        settings = settings_from(ctx, reranker_model=reranker)
        refuse_bad_question(question, settings.context())
        require_index(settings)
        index = FilingIndex.open(settings)
        documents = index.documents()
        if not documents:
            err_console.print(
                f"[red]The index at {settings.index_dir} is empty: run `filings ingest <files>` first.[/red]"
            )
            raise typer.Exit(code=1)
        try:
            chosen = make_reranker(settings.reranker_model, settings)
        except ValueError as exc:
            err_console.print(f"[red]{exc}[/red]")
            raise typer.Exit(code=2) from None
        context = settings.context()
        if candidates:
            context = context.with_overrides(rerank_candidates=candidates)
        hybrid = HybridRetriever(index, context, chosen)
        scope = Scope() if no_scope else resolve_scope(question, documents)
        ranked = hybrid.rerank(question, hybrid.search(question, scope), top_n=k)

        if as_json:
            payload = {"scope": scope.model_dump(), "chunks": [c.model_dump() for c in ranked]}
            typer.echo(json.dumps(payload, indent=2))
            return
        colour = {"ok": "green", "unscoped": "yellow", "no_match": "red"}[scope.status]
        # Company names and reasons come from the filings: no markup, no escapes.
        console.print(f"[bold]Scope[/bold] [{colour}]{scope.status}[/{colour}]: {escape(scope.reason)}")
        parts: dict[str, list[str] | list[int]] = {
            "companies": scope.companies,
            "fiscal years": scope.fiscal_years,
            "quarters": scope.quarters,
            "forms": scope.form_types,
            "items": scope.items,
        }
        for label, values in parts.items():
            if values:
                console.print(f"  {label}: {escape(', '.join(map(str, values)))}")
        if not ranked:
            console.print(
                "[yellow]No chunks.[/yellow]"
                + (" (scope matched no filing)" if scope.status == "no_match" else "")
            )
            raise typer.Exit(code=1 if scope.status == "no_match" else 0)
        table = Table(title=f"Top {len(ranked)} chunks (reranker: {chosen.name})")
        for col in ("#", "company", "form", "period", "Item", "page", "score", "chunk", "text"):
            table.add_column(
                col, overflow="fold" if col == "text" else "ellipsis", max_width=60 if col == "text" else None
            )
        for n, item in enumerate(ranked, start=1):
            meta = item.chunk.metadata
            snippet = safe(item.chunk.text, multiline=False)[:160]
            # Text that addresses the reader or a model is shown, labelled: it is never evidence.
            flagged = meta.flagged or instruction_cue(item.chunk.text)
            snippet = f"[flagged: {flagged}; not evidence] {snippet}" if flagged else snippet
            table.add_row(
                *map(
                    cell,
                    (
                        str(n),
                        meta.company or "?",
                        meta.form_type or "?",
                        meta.period_label,
                        meta.item or "-",
                        str(meta.page_number),
                        f"{item.score:.4f}",
                        item.id if len(item.id) <= 24 else "…" + item.id[-16:],  # sha256 doc ids are long
                        snippet,
                    ),
                )
            )
        console.print(table)
