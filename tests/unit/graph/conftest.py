"""Fixtures for the research graph's control-flow tests (scripted model, in-memory resources)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from graph_fakes import FakeResources, ScriptedChatModel
from langgraph.checkpoint.memory import InMemorySaver

from agent.config import Context
from agent.state import checkpoint_serde
from graphs.research import build_research_graph


class Harness:
    def __init__(self, scripts: dict[str, list[str]], checkpointer: Any = None) -> None:
        self.model = ScriptedChatModel(scripts=scripts)
        self.resources = FakeResources(self.model)
        self.graph = build_research_graph(resources=self.resources, checkpointer=checkpointer)

    async def ask(self, question: str, thread: str | None = None, **context: Any) -> Any:
        config = {"configurable": {"thread_id": thread}} if thread else None
        out = await self.graph.ainvoke({"question": question}, config=config, context=Context(**context))
        return out["answer"]

    def roles(self) -> list[str]:
        return [role for role, _ in self.model.calls]


@pytest.fixture
def harness() -> Callable[..., Harness]:
    def make(scripts: dict[str, list[str]], memory: bool = False) -> Harness:
        return Harness(scripts, InMemorySaver(serde=checkpoint_serde()) if memory else None)

    return make
