"""`filings threads list|show|delete` (issue 15, point 11): the conversations the checkpointer keeps.

Works on every checkpointer of :mod:`agent.checkpointers` (SQLite by default, Postgres, memory)
through the saver's public API only: ``alist`` (every checkpoint, or one thread's), ``aget_tuple``
and ``adelete_thread``. A thread's turns are the answers its checkpoints hold, in order: the research
graph writes each turn's :class:`~agent.schemas.Answer` to the ``answer`` channel (and clears it when
the next turn starts), so every change of that value is one answered question, refused ones included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import typer

from agent.commands._common import (
    JSON_LIST_HELP,
    JSON_OBJECT_HELP,
    compact_table,
    console,
    err_console,
    print_json,
    settings_from,
)
from agent.terminal import cell, safe

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple

    from agent.config import Settings
    from agent.schemas import Answer

TITLE_CHARS = 80


@dataclass
class Thread:
    """One conversation: its id, first question, answered turns and last checkpoint time."""

    thread_id: str
    title: str = ""
    updated: str = ""  # ISO 8601 (UTC) time of the newest checkpoint
    answers: list[Answer] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """What `threads list --json` prints for it."""
        return {
            "thread_id": self.thread_id,
            "title": self.title,
            "turns": len(self.answers),
            "updated": self.updated,
        }


def _answer(value: Any) -> Answer | None:
    from agent.schemas import Answer

    if value is None or isinstance(value, Answer):
        return value
    if isinstance(value, dict):  # a checkpoint written without the typed serializer
        try:
            return Answer.model_validate(value)
        except ValueError:
            return None
    return None


def _question(values: dict[str, Any]) -> str:
    question = values.get("question")
    if not question and isinstance(values.get("__start__"), dict):  # the input checkpoint of a run
        question = values["__start__"].get("question")
    return question if isinstance(question, str) else ""


def build_threads(tuples: Iterable[CheckpointTuple]) -> dict[str, Thread]:
    """Threads from their root-graph checkpoints (any order), newest-updated first."""
    by_thread: dict[str, list[CheckpointTuple]] = {}
    for t in tuples:
        conf = t.config.get("configurable") or {}
        if conf.get("checkpoint_ns"):  # a subgraph's checkpoint: not a turn of its own
            continue
        by_thread.setdefault(str(conf.get("thread_id")), []).append(t)
    threads: list[Thread] = []
    for thread_id, items in by_thread.items():
        # Checkpoint ids are time-ordered (uuid6): sorting them gives the thread's history in order.
        items.sort(key=lambda t: str(t.checkpoint.get("id", "")))
        thread = Thread(thread_id, updated=str(items[-1].checkpoint.get("ts", "")))
        previous: Answer | None = None
        first_question = ""
        for t in items:
            values = t.checkpoint.get("channel_values") or {}
            first_question = first_question or _question(values)
            answer = _answer(values.get("answer"))
            if answer is not None and answer != previous:
                thread.answers.append(answer)
            previous = answer
        question = thread.answers[0].question if thread.answers else first_question
        question = safe(question, multiline=False)
        thread.title = question if len(question) <= TITLE_CHARS else question[: TITLE_CHARS - 1] + "…"
        threads.append(thread)
    threads.sort(key=lambda t: t.updated, reverse=True)
    return {t.thread_id: t for t in threads}


class ThreadError(Exception):
    """An unknown or ambiguous thread id: one line for the user, exit code 1."""


async def all_threads(saver: BaseCheckpointSaver) -> dict[str, Thread]:
    return build_threads([t async for t in saver.alist(None)])


async def find_thread(saver: BaseCheckpointSaver, thread_id: str) -> Thread:
    """The thread with this id, or the only one whose id starts with it; :class:`ThreadError` else."""
    config = {"configurable": {"thread_id": thread_id}}
    if thread_id and await saver.aget_tuple(config) is not None:  # type: ignore[arg-type]
        return build_threads([t async for t in saver.alist(config)])[thread_id]  # type: ignore[arg-type]
    threads = await all_threads(saver)
    matches = [t for t in threads.values() if thread_id and t.thread_id.startswith(thread_id)]
    if not matches:
        raise ThreadError(f"no thread with id {thread_id!r} (see `filings threads list`)")
    if len(matches) > 1:
        raise ThreadError(
            f"thread id prefix {thread_id!r} is ambiguous ({len(matches)} threads start with it)"
        )
    return matches[0]


def _nothing_stored(settings: Settings) -> str | None:
    """Why there is nothing to read, without creating anything: a SQLite file not written yet, or
    the in-process memory checkpointer (its threads end with the process that made them)."""
    from pathlib import Path

    from agent.checkpointers import CheckpointerConfigError, parse_checkpointer

    try:
        spec = parse_checkpointer(settings)
    except CheckpointerConfigError as exc:
        err_console.print(f"error: {safe(exc, multiline=False)}", style="red", markup=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    if spec.kind == "memory":
        return "the 'memory' checkpointer keeps no threads between commands"
    if spec.kind == "sqlite" and not Path(spec.target).is_file():
        return f"no conversations yet ({spec.target} does not exist)"
    return None


def _run(settings: Settings, work: Any) -> Any:
    """Open the checkpointer and run ``work(saver)``; configuration and connection problems and
    unknown threads end the command with one line."""
    from agent.checkpointers import CheckpointerConfigError, make_checkpointer

    async def go() -> Any:
        async with make_checkpointer(settings) as saver:
            return await work(saver)

    try:
        return asyncio.run(go())
    except (CheckpointerConfigError, ConnectionError, ThreadError) as exc:
        err_console.print(f"error: {safe(exc, multiline=False)}", style="red", markup=False, soft_wrap=True)
        code = 2 if isinstance(exc, CheckpointerConfigError) else 1
        raise typer.Exit(code=code) from None


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _missing(settings: Settings, thread_id: str) -> None:
    """Exit 1 with one line when nothing is stored (so no thread can match)."""
    why = _nothing_stored(settings)
    if why is not None:
        err_console.print(
            f"error: no thread with id {safe(thread_id, multiline=False)!r}: {why}",
            style="red",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=1)


def _print_threads(threads: list[Thread]) -> None:
    ids = [t.thread_id for t in threads]
    id_w = min(max(len(i) for i in ids), 36)
    title_w = max(12, console.width - id_w - 5 - 16 - 2 * 3)
    table = compact_table()
    table.add_column("thread", no_wrap=True, overflow="ellipsis", max_width=id_w)
    table.add_column("turns", no_wrap=True, justify="right")
    table.add_column("updated (UTC)", no_wrap=True)
    table.add_column("first question", no_wrap=True, overflow="ellipsis", max_width=title_w)
    for t in threads:
        # Ids and questions are the user's (or a caller's) text: shown literally.
        table.add_row(cell(t.thread_id), cell(len(t.answers)), cell(_when(t.updated)), cell(t.title))
    console.print(table)


def list_(
    ctx: typer.Context,
    as_json: bool = typer.Option(
        False,
        "--json",
        help=JSON_LIST_HELP + " Keys: thread_id, title (the first question), turns, updated (ISO 8601).",
    ),
) -> None:
    settings = settings_from(ctx)
    why = _nothing_stored(settings)
    threads = [] if why else list(_run(settings, all_threads).values())
    if as_json:
        print_json([t.summary() for t in threads])
        return
    if not threads:
        console.print(why or "no conversations yet", markup=False, highlight=False)
        return
    _print_threads(threads)


def show(
    ctx: typer.Context,
    thread_id: str = typer.Argument(
        ..., help="Thread id or a unique prefix of it (see `filings threads list`)."
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help=JSON_OBJECT_HELP + " Keys: thread_id, title, updated, turns (each the typed Answer, as "
        "`ask --json` prints it: question, text, citations, stop_reason, ...).",
    ),
) -> None:
    from agent.commands.ask import render_answer

    settings = settings_from(ctx)
    _missing(settings, thread_id)
    thread: Thread = _run(settings, lambda saver: find_thread(saver, thread_id))
    if as_json:
        print_json({**thread.summary(), "turns": thread.answers})
        return
    console.print(f"thread {safe(thread.thread_id, multiline=False)} · {len(thread.answers)} turn(s) · "
                  f"updated {_when(thread.updated)} UTC", style="bold", markup=False, highlight=False)  # fmt: skip
    for n, answer in enumerate(thread.answers, start=1):
        console.print(f"\n── turn {n} ──", style="dim", markup=False)
        console.print(f"you> {safe(answer.question, multiline=False)}", markup=False, highlight=False)
        render_answer(answer)


def delete(
    ctx: typer.Context,
    thread_id: str = typer.Argument(
        ..., help="Thread id or a unique prefix of it (see `filings threads list`)."
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    settings = settings_from(ctx)
    _missing(settings, thread_id)
    thread: Thread = _run(settings, lambda saver: find_thread(saver, thread_id))
    label = f"{thread.thread_id} ({len(thread.answers)} turn(s): {thread.title or '-'})"
    if not yes and not typer.confirm(f"Delete thread {label}?", default=False):
        err_console.print("not deleted", markup=False)
        raise typer.Exit(code=1)

    async def drop(saver: BaseCheckpointSaver) -> None:
        await saver.adelete_thread(thread.thread_id)

    _run(settings, drop)
    console.print(f"deleted thread {label}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    th = typer.Typer(
        help="Conversation threads kept by the checkpointer (`ask --thread`, `chat`): list, show, delete.",
        no_args_is_help=True,
    )
    th.command(
        "list", help="List threads, most recently updated first (id, turns, updated, first question)."
    )(list_)
    th.command("show", help="Show a thread's conversation: each question, its answer with numbered sources.")(
        show
    )
    th.command("delete", help="Delete a thread and all its checkpoints (asks first unless --yes).")(delete)
    app.add_typer(th, name="threads")
