"""Per-node wall time, added to the node's partial update, and the node's trace metadata."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from agent.state import Reset
from agent.tracing import annotate, node_metadata

Node = Callable[..., Awaitable[dict[str, Any]]]


def timed(name: str) -> Callable[[Node], Node]:
    """Record the node's wall time under ``node_seconds[name]`` (summed over visits)."""

    def wrap(fn: Node) -> Node:
        @functools.wraps(fn)  # keeps the signature so LangGraph still injects ``runtime``
        async def run(*args: Any, **kwargs: Any) -> dict[str, Any]:
            start = time.perf_counter()
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
            return update

        return run

    return wrap
