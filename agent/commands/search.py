"""`filings search` (issue 4): the retrieval stack on its own, for inspecting what the agent would read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from agent.commands._common import (
    JSON_OBJECT_HELP,
    EmbeddingsModelFlag,
    console,
    err_console,
    model_overrides,
    print_json,
    settings_from,
)
from agent.terminal import escape, safe

if TYPE_CHECKING:
    from agent.config import Settings
    from agent.retrieval.protocols import Reranker
    from agent.schemas import Scope, ScoredChunk

SNIPPET_CHARS = 240


def _rank(
    settings: Settings, question: str, k: int, candidates: int | None, no_scope: bool
) -> tuple[Scope, Reranker, list[ScoredChunk]]:
    """The resolved scope, the reranker and the top ``k`` chunks; exits 1 on an empty index and 2
    on a bad reranker spec."""
    from agent.commands.ask import refuse_bad_question, require_index
    from agent.retrieval.hybrid import HybridRetriever
    from agent.retrieval.index import FilingIndex
    from agent.retrieval.rerankers import make_reranker
    from agent.retrieval.scope import resolve_scope
    from agent.schemas import Scope

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
        chosen = make_reranker(settings.reranker_model, settings, index=index)
    except ValueError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=2) from None
    context = settings.context()
    if candidates:
        context = context.with_overrides(rerank_candidates=candidates)
    hybrid = HybridRetriever(index, context, chosen)
    scope = Scope() if no_scope else resolve_scope(question, documents)
    return scope, chosen, hybrid.rerank(question, hybrid.search(question, scope), top_n=k, scope=scope)


def _print_scope(scope: Scope) -> None:
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


def _print_chunk(n: int, item: ScoredChunk) -> None:
    from rich.padding import Padding
    from rich.text import Text

    from agent.injection import instruction_cue

    meta = item.chunk.metadata
    chunk_id = item.id if len(item.id) <= 24 else "…" + item.id[-16:]  # sha256 doc ids are long
    where = [meta.company or "?", meta.form_type or "?", meta.period_label]
    where += [f"Item {meta.item}"] if meta.item else []
    where += [f"page {meta.page_number}", f"score {item.score:.4f}", chunk_id]
    header = Text(f"[{n}] ", style="bold", no_wrap=True, overflow="ellipsis")
    # Company names, ids and text come from the filings: shown literally, never as markup.
    header.append(" · ".join(safe(w, multiline=False) for w in where))
    console.print(header, no_wrap=True, overflow="ellipsis", crop=True)
    text = safe(item.chunk.text, multiline=False)
    snippet = text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else "")
    # Text that addresses the reader or a model is shown, labelled: it is never evidence.
    flagged = meta.flagged or instruction_cue(item.chunk.text)
    if flagged:
        snippet = f"[flagged: {safe(flagged, multiline=False)}; not evidence] {snippet}"
    console.print(Padding(Text(snippet, style="dim" if flagged else ""), (0, 0, 0, 4), expand=False))


def search(
    ctx: typer.Context,
    question: str,
    k: Annotated[int, typer.Option("--k", min=1, help="Chunks to show.")] = 10,
    reranker: Annotated[
        str | None,
        typer.Option(
            "--reranker",
            "--reranker-model",
            help="'none', 'local:mpnet-rescore', 'index-rescore', 'hf:<cross-encoder>', 'llm' (default: settings).",
        ),
    ] = None,
    embeddings_model: EmbeddingsModelFlag = None,
    planner_model: Annotated[
        str | None,
        typer.Option("--planner-model", help="Model string of the 'llm' reranker (its only LLM)."),
    ] = None,
    candidates: Annotated[
        int | None, typer.Option("--candidates", min=1, help="Fused candidates before reranking.")
    ] = None,
    no_scope: Annotated[
        bool, typer.Option("--no-scope", help="Search every filing (no scope pre-filter).")
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help=JSON_OBJECT_HELP + " Keys: scope, reranker, chunks (ranked; each with chunk "
            "{id, text, metadata}, score, stage_scores).",
        ),
    ] = False,
) -> None:
    overrides = model_overrides(
        planner_model=planner_model, embeddings_model=embeddings_model, reranker_model=reranker
    )
    settings = settings_from(ctx, **overrides)
    scope, chosen, ranked = _rank(settings, question, k, candidates, no_scope)

    if as_json:
        print_json({"scope": scope, "reranker": chosen.name, "chunks": ranked})
        raise typer.Exit(code=1 if not ranked and scope.status == "no_match" else 0)
    _print_scope(scope)
    if not ranked:
        console.print(
            "[yellow]No chunks.[/yellow]"
            + (" (scope matched no filing)" if scope.status == "no_match" else "")
        )
        raise typer.Exit(code=1 if scope.status == "no_match" else 0)
    # One header line per chunk (truncated with an ellipsis, never wrapped) and the passage below
    # it as a paragraph: readable at 80 columns and in a pipe, unlike a table whose text column
    # narrows to a word per line.
    console.print(f"\n[bold]Top {len(ranked)} chunks[/bold] (reranker: {escape(chosen.name)})")
    for n, item in enumerate(ranked, start=1):
        _print_chunk(n, item)


def register(app: typer.Typer) -> None:
    app.command(
        "search",
        help="Show the resolved scope and the ranked chunks (company, form, period, Item, page, score).",
    )(search)
