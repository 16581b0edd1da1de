"""Per-node wall time, added to the node's partial update, and the node's trace metadata."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from langgraph.config import get_stream_writer

from agent.progress import Progress, progress_for, started
from agent.schemas import Usage
from agent.state import Reset, RetrieveTask
from agent.tracing import annotate, node_metadata

Node = Callable[..., Awaitable[dict[str, Any]]]


def timed(name: str) -> Callable[[Node], Node]:
    """Record the node's wall time under ``node_seconds[name]`` (summed over visits) and append
    its typed :class:`~agent.progress.Progress` record to ``progress`` (what clients stream)."""

    def wrap(fn: Node) -> Node:
        @functools.wraps(fn)  # keeps the signature so LangGraph still injects ``runtime``
        async def run(*args: Any, **kwargs: Any) -> dict[str, Any]:
            start = time.perf_counter()
            _announce(name)
            update = await fn(*args, **kwargs)
            update = dict(update or {})
            # Sub-questions, chunk ids/scores, verdicts, stop reason onto the node's LangSmith run.
            annotate(**node_metadata(update))
            seconds = {name: round(time.perf_counter() - start, 4)}
            previous = update.get("node_seconds")
            if isinstance(previous, Reset):  # first node of a turn: start the clock afresh
                update["node_seconds"] = Reset({**(previous.value or {}), **seconds})
            else:
                update["node_seconds"] = {**(previous or {}), **seconds}
            update["progress"] = _with_progress(name, update, args, seconds[name])
            usage = update.get("usage")
            if isinstance(usage, Usage) and usage.llm_calls and not usage.node_calls:
                # Whose calls these were: the draft prompt's size is read per node.
                update["usage"] = usage.model_copy(
                    update={
                        "node_calls": {name: usage.llm_calls},
                        "node_prompt_tokens": {name: usage.prompt_tokens},
                    }
                )
            return update

        return run

    return wrap


def _announce(name: str) -> None:
    """Tell streaming clients (``stream_mode="custom"``) that the node has begun: the first node's
    own record only arrives once it is done. A no-op for clients that did not ask for it."""
    try:
        writer = get_stream_writer()
    except RuntimeError:  # called outside a graph run (a node's unit test)
        return
    writer(started(name).model_dump())


def _with_progress(name: str, update: dict[str, Any], args: tuple[Any, ...], seconds: float) -> Any:
    """The node's own ``Progress`` (it may build a richer one) or one read off its update."""
    items = update.get("progress")
    task = args[0] if args and isinstance(args[0], RetrieveTask) else None
    record = items[0] if items and isinstance(items[0], Progress) else progress_for(name, update, task)
    record = record.model_copy(update={"seconds": seconds})
    return [record]
