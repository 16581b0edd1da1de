"""`filings ask` (issue 5): one question through the research graph from the command line; the
helpers here (rendering, progress lines, index checks, :func:`answer_one`) serve `filings chat` too."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agent.commands._common import (
    DrafterModelFlag,
    JudgeModelFlag,
    ModelFlag,
    PlannerModelFlag,
    console,
    err_console,
    model_overrides,
    settings_from,
)
from agent.terminal import safe

if TYPE_CHECKING:
    from rich.console import Console

    from agent.config import Context, Settings
    from agent.schemas import Answer

_NOT_DRAFTED = ("out of scope", "invalid question")


def render_answer(answer: Answer) -> None:
    """The answer, its numbered sources and a one-line account of how it was reached.

    Everything that came from a filing or a model is printed through :func:`safe` with markup off.
    """
    colour = {
        "accepted": "green",
        "not reported": "yellow",
        "out of scope": "yellow",
        "invalid question": "yellow",
    }.get(answer.stop_reason, "red")
    console.print()
    console.print(safe(answer.text), markup=False, highlight=False, emoji=False)
    if answer.citations:
        console.print("\n[bold]Sources[/bold]")
        for c in answer.citations:
            parts = (c.company, c.form_type, c.period, c.section, f"page {c.page}")
            where = ", ".join(safe(p, multiline=False) for p in parts if p)
            console.print(f"  [{c.n}] {where}", markup=False, highlight=False, emoji=False)
            if c.source_path:  # so a terminal user can open the cited page
                file = safe(c.source_path, multiline=False)
                console.print(
                    f"      {file} (page {c.page})", style="dim", markup=False, highlight=False, emoji=False
                )
            if c.quote:
                quote = safe(c.quote, multiline=False)
                console.print(f'      "{quote}"', style="dim", markup=False, highlight=False, emoji=False)
    u = answer.usage
    seconds = sum(answer.node_seconds.values())
    # Refused and out-of-scope questions were never drafted: no faithfulness or revisions to report.
    checked = (
        ""
        if answer.stop_reason in _NOT_DRAFTED
        else f" · faithfulness {answer.faithfulness:.2f} · revisions {answer.revisions}"
    )
    console.print(
        f"\n[{colour}]{answer.stop_reason}[/{colour}]{checked} · "
        f"LLM calls {u.llm_calls} · tokens {u.prompt_tokens}+{u.completion_tokens} · {seconds:.1f}s"
    )
    if answer.fallbacks:
        fallbacks = "; ".join(safe(f, multiline=False) for f in answer.fallbacks)
        console.print("fallbacks: " + fallbacks, style="dim", markup=False, emoji=False)


def progress_line(node: str, update: dict[str, Any] | None) -> str:
    """One short line per finished node for the streaming REPL (print it with markup off)."""
    return safe(_progress_line(node, update), multiline=False)


def _progress_line(node: str, update: dict[str, Any] | None) -> str:
    """The node's streamed ``Progress`` message (the same record SDK and web clients get)."""
    from agent.progress import Progress, progress_for

    update = update or {}
    records = update.get("progress")
    if isinstance(records, list) and records and isinstance(records[-1], Progress):
        return records[-1].message
    return progress_for(node, update).message


def refuse_bad_question(question: str, context: Context) -> None:
    """Exit 2 with one line when the question is refused (empty, over-long, control characters,
    not English), before the index or any model is loaded."""
    from agent.question import check_question

    problem = check_question(question, max_chars=context.max_question_chars)
    if problem:
        err_console.print(problem, style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2)


def require_index(settings: Settings) -> None:
    """Exit 1 with one line when there is no index under the data dir; nothing is created."""
    if not (settings.index_dir / "manifest.sqlite").is_file():
        err_console.print(
            f"no index at {safe(settings.data_dir, multiline=False)} (run `filings ingest PATH` first)",
            style="red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=1)


def _check_index(settings: Settings) -> None:
    from agent.retrieval.index import FilingIndex

    require_index(settings)
    index = FilingIndex.open(settings)
    try:
        if not index.documents():
            err_console.print(
                f"[red]The index at {settings.index_dir} is empty: run `filings ingest <files>` first.[/red]"
            )
            raise typer.Exit(code=1)
    finally:
        index.close()


def research_graph(settings: Settings, checkpointer: Any) -> Any:
    from graphs.research import build_research_graph

    return build_research_graph(settings=settings, checkpointer=checkpointer)


async def answer_one(
    graph: Any,
    settings: Settings,
    context: Context,
    question: str,
    thread: str,
    *,
    progress: Console | None = None,
) -> Answer:
    """Run the graph on one question of ``thread``; with ``progress``, one line per finished node
    is printed there while it runs. Cancelling the awaiting task stops the run (and its model)."""
    from agent.tracing import run_config

    models = {"drafter_model": context.drafter_model, "judge_model": context.judge_model}
    # One run id per question: the local trace sink (and LangSmith, when configured) records it.
    config = run_config(
        settings, config={"configurable": {"thread_id": thread}}, run_name="research", metadata=models
    )
    answer = None
    if progress is not None:
        async for chunk in graph.astream(
            {"question": question}, config=config, context=context, stream_mode="updates"
        ):
            for node, update in chunk.items():
                if node == "finalize_answer":
                    answer = (update or {}).get("answer")
                else:
                    line = f"  · {node}: {progress_line(node, update)}"
                    progress.print(line, style="dim", markup=False, highlight=False, emoji=False)
    else:
        answer = (await graph.ainvoke({"question": question}, config=config, context=context))["answer"]
    if answer is None:
        err_console.print("[red]the graph ended without an answer[/red]")
        raise typer.Exit(code=1)
    return answer


async def _ask(settings: Settings, context: Context, question: str, thread: str, *, live: bool) -> Answer:
    from agent.checkpointers import make_checkpointer

    async with make_checkpointer(settings) as checkpointer:
        graph = research_graph(settings, checkpointer)
        return await answer_one(
            graph, settings, context, question, thread, progress=err_console if live else None
        )


def register(app: typer.Typer) -> None:
    @app.command(
        help="Answer one question with citations (--json prints the typed Answer, --markdown a "
        "Markdown report with its sources; --thread continues a conversation)."
    )
    def ask(
        ctx: typer.Context,
        question: str,
        as_json: Annotated[bool, typer.Option("--json", help="Print the typed Answer as JSON.")] = False,
        markdown: Annotated[
            bool, typer.Option("--markdown", help="Print the answer and its sources as Markdown.")
        ] = False,
        thread: Annotated[
            str | None, typer.Option("--thread", help="Continue this conversation (thread id).")
        ] = None,
        max_revisions: Annotated[
            int | None, typer.Option("--max-revisions", min=0, help="Budget: regenerations + re-retrievals.")
        ] = None,
        max_llm_calls: Annotated[
            int | None, typer.Option("--max-llm-calls", min=1, help="Budget: LLM calls for this question.")
        ] = None,
        model: ModelFlag = None,
        drafter_model: DrafterModelFlag = None,
        judge_model: JudgeModelFlag = None,
        planner_model: PlannerModelFlag = None,
    ) -> None:
        if as_json and markdown:
            err_console.print("choose one of --json and --markdown", style="red")
            raise typer.Exit(code=2)
        settings = settings_from(ctx, **model_overrides(model, drafter_model, judge_model, planner_model))
        context = settings.context(max_revisions=max_revisions, max_llm_calls=max_llm_calls)
        refuse_bad_question(question, context)
        _check_index(settings)
        thread_id = thread or uuid.uuid4().hex[:12]
        # Node progress on stderr when it is a terminal (minutes pass before the answer); stdout
        # keeps only the answer, so `--json`, `--markdown` and pipes stay clean.
        answer = asyncio.run(_ask(settings, context, question, thread_id, live=err_console.is_terminal))
        if as_json:
            typer.echo(answer.model_dump_json(indent=2))
        elif markdown:
            from agent.commands.export import answer_markdown

            typer.echo(answer_markdown(answer))
        else:
            render_answer(answer)
        if not as_json:
            err_console.print(f"thread: {thread_id} (continue with --thread {thread_id})", style="dim")
