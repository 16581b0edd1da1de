"""`filings chat`: the interactive research assistant in a terminal.

Line editing and history (readline, when the input is a terminal; history kept in the data dir),
one line of progress per finished node, Ctrl-C cancels the running answer (the run and its model
stop) and returns to the prompt; Ctrl-C or Ctrl-D at the prompt quits. ``/export [FILE]`` writes
the last answer with its sources as Markdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from pathlib import Path
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
from agent.commands.ask import _check_index, answer_one, render_answer, research_graph
from agent.terminal import safe

if TYPE_CHECKING:
    from agent.config import Context, Settings
    from agent.schemas import Answer

EXIT_WORDS = {"exit", "quit", ":q", "bye", "/exit", "/quit"}
HISTORY_LINES = 1000
HELP = (
    "Ask a question about the ingested filings; follow-ups keep the scope of the conversation.\n"
    "  /export [FILE]  write the last answer and its sources as Markdown\n"
    "  /thread         show this conversation's thread id\n"
    "  exit            leave (or Ctrl-D); Ctrl-C cancels a running answer"
)


def _say(text: str, style: str = "yellow") -> None:
    err_console.print(text, style=style, markup=False, highlight=False, emoji=False, soft_wrap=True)


@contextlib.contextmanager
def line_editing(history: Path):
    """readline editing and history when stdin is a terminal; nothing otherwise (pipes, tests)."""
    if not sys.stdin.isatty():
        yield
        return
    try:
        import readline
    except ImportError:  # no GNU readline on this platform: plain input()
        yield
        return
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(HISTORY_LINES)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            readline.write_history_file(history)


def export_answer(answer: Answer | None, argument: str, thread: str, turn: int) -> None:
    """``/export [FILE]``: the last answer as Markdown; never overwrites an existing file."""
    from agent.commands.export import answer_markdown

    if answer is None:
        _say("nothing to export yet: ask a question first")
        return
    path = Path(argument.strip() or f"filings-answer-{thread}-{turn}.md").expanduser()
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write(answer_markdown(answer))
    except FileExistsError:
        _say(f"{safe(path, multiline=False)} exists: give another file name")
        return
    except OSError as exc:
        _say(f"cannot write {safe(path, multiline=False)}: {safe(exc.strerror or exc, multiline=False)}")
        return
    _say(f"wrote {safe(path, multiline=False)}", style="green")


def chat_loop(settings: Settings, context: Context, thread: str, read: Any = input) -> None:
    """Read questions until exit; each answer runs as a task that Ctrl-C cancels."""
    from agent.checkpointers import make_checkpointer
    from agent.question import check_question

    last: Answer | None = None
    turn = 0
    with asyncio.Runner() as runner, line_editing(settings.data_dir / "chat_history"):
        stack = contextlib.AsyncExitStack()
        graph = research_graph(settings, runner.run(stack.enter_async_context(make_checkpointer(settings))))
        try:
            while True:
                try:
                    line = read("\nyou> ").strip()
                except (EOFError, KeyboardInterrupt):
                    break
                command, _, argument = line.partition(" ")
                if line.lower() in EXIT_WORDS:
                    break
                if not line:
                    continue
                if command == "/export":
                    export_answer(last, argument, thread, turn)
                    continue
                if command == "/thread":
                    _say(f"thread {thread}", style="dim")
                    continue
                if command in ("/help", "/?"):
                    _say(HELP, style="dim")
                    continue
                problem = check_question(line, max_chars=context.max_question_chars)
                if problem:  # the graph would refuse it too; say so without a run
                    _say(problem)
                    continue
                try:
                    last = runner.run(answer_one(graph, settings, context, line, thread, progress=console))
                except KeyboardInterrupt:
                    _say("cancelled (the model stopped); ask again, or Ctrl-D to leave")
                    continue
                turn += 1
                render_answer(last)
        finally:
            runner.run(stack.aclose())


def register(app: typer.Typer) -> None:
    @app.command(
        help="Interactive research chat: streams node progress, then the answer with numbered sources. "
        "Arrow keys edit and recall questions; Ctrl-C cancels a running answer; /export [FILE] saves "
        "the last answer as Markdown; /help lists the commands."
    )
    def chat(
        ctx: typer.Context,
        thread: Annotated[
            str | None, typer.Option("--thread", help="Resume this conversation (thread id).")
        ] = None,
        model: ModelFlag = None,
        drafter_model: DrafterModelFlag = None,
        judge_model: JudgeModelFlag = None,
        planner_model: PlannerModelFlag = None,
    ) -> None:
        settings = settings_from(ctx, **model_overrides(model, drafter_model, judge_model, planner_model))
        _check_index(settings)
        thread_id = thread or uuid.uuid4().hex[:12]
        console.print(f"filings chat · thread {thread_id} · /help for commands, exit to leave", style="bold")
        chat_loop(settings, settings.context(), thread_id)
        err_console.print(f"thread: {thread_id} (resume with --thread {thread_id})", style="dim")
