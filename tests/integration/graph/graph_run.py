"""Running one question through the graph and keeping every node's last update."""

from __future__ import annotations

from typing import Any


async def ask(research: Any, question: str) -> tuple[Any, dict[str, Any]]:
    """Run one question; returns the Answer and the last update of every node (for inspection)."""
    graph, context = research
    seen: dict[str, Any] = {}
    answer = None
    async for chunk in graph.astream({"question": question}, context=context, stream_mode="updates"):
        for node, update in chunk.items():
            seen[node] = update
            if isinstance(update, dict) and update.get("answer") is not None:
                answer = update["answer"]
    assert answer is not None
    return answer, seen
