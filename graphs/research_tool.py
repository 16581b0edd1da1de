"""The research graph as a LangChain tool, for other people's agents.

``make_research_tool()`` wraps a compiled research graph in a ``StructuredTool`` with a typed
argument schema. The model sees a compact text (answer, numbered sources, stop reason); the full
typed :class:`~agent.schemas.Answer` travels as the tool message's ``artifact`` so the calling app
can render citations without re-parsing text.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from agent.config import Context
from agent.schemas import Answer
from agent.terminal import safe

DESCRIPTION = (
    "Research question over the ingested SEC filings (10-K, 10-Q, 8-K, earnings releases). Returns an "
    "answer whose every sentence is cited to a filing page, or says the filings do not contain it. "
    "Ask one self-contained question that names the company and the period."
)


class ResearchQuestion(BaseModel):
    """Arguments of the research tool."""

    question: str = Field(
        min_length=3,
        description="A self-contained question naming the company and period, e.g. "
        "'What was Apple's total net sales in the quarter ended July 1, 2023?'",
    )


def render_answer(answer: Answer) -> str:
    """Answer text, its numbered sources and, unless accepted, why the run stopped.

    Filing and model text is passed through :func:`~agent.terminal.safe`: the calling agent may
    print it, and escape sequences or bidi controls planted in a filing must not travel with it.
    """
    lines = [safe(answer.text).strip()]
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            where = " ".join(safe(p, multiline=False) for p in (c.company, c.form_type, c.period) if p)
            section = f", {safe(c.section, multiline=False)}" if c.section else ""
            chunk_id = safe(c.chunk_id, multiline=False)
            lines.append(f"[{c.n}] {where}{section}, page {c.page} ({chunk_id})")
    if answer.stop_reason != "accepted":
        lines.append(f"(stop reason: {answer.stop_reason})")
    return "\n".join(lines)


def make_research_tool(
    graph: Any | None = None,
    *,
    context: Context | None = None,
    name: str = "research_filings",
    description: str = DESCRIPTION,
) -> BaseTool:
    """A tool that runs ``graph`` (default: ``build_research_graph()``) on one question.

    ``context`` fixes the run's models and budgets (default: from Settings). The tool returns
    ``(text, artifact)``: ``ToolMessage.content`` is :func:`render_answer`, ``ToolMessage.artifact``
    the ``Answer`` as a dict.
    """
    if graph is None:
        from graphs.research import build_research_graph

        graph = build_research_graph()

    async def _arun(question: str) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"context": context} if context is not None else {}
        out = await graph.ainvoke({"question": question}, **kwargs)
        answer = Answer.model_validate(out["answer"])
        return render_answer(answer), answer.model_dump()

    def _run(question: str) -> tuple[str, dict[str, Any]]:
        # The graph's nodes are async. A sync caller may itself be inside a running event loop
        # (e.g. a sync tool node in an async server), where asyncio.run would fail: use a worker thread.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, _arun(question)).result()

    return StructuredTool.from_function(
        func=_run,
        coroutine=_arun,
        name=name,
        description=description,
        args_schema=ResearchQuestion,
        response_format="content_and_artifact",
    )
