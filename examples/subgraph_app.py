"""Embedding way 1: the compiled research graph as a subgraph node in your own ``StateGraph``.

Your graph shares two keys with the research graph — ``question`` (its input) and ``answer`` (its
typed output) — so the compiled graph is added as a node as it is. Runtime context (models,
budgets) passed to your graph reaches the research subgraph too.

    python examples/subgraph_app.py --data-dir .data "What was Apple's total net sales ...?"
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph

from agent.config import Context, Settings
from agent.schemas import Answer
from graphs.research import build_research_graph
from graphs.research_tool import render_answer


class MemoState(TypedDict, total=False):
    """The host app's own state: a research memo for a reader."""

    reader: str
    question: str  # shared with the research graph's input
    answer: Answer  # written by the research subgraph
    memo: str


def write_memo(state: MemoState) -> dict[str, Any]:
    answer = state["answer"]
    status = "Verified" if answer.stop_reason == "accepted" else f"Not fully verified ({answer.stop_reason})"
    return {
        "memo": f"To: {state.get('reader', 'team')}\nRe: {state['question']}\n{status}.\n\n{render_answer(answer)}"
    }


def build_memo_app(research_graph: Any) -> Any:
    """Host graph: research (the compiled subgraph) -> write_memo."""
    builder = StateGraph(MemoState, context_schema=Context)
    builder.add_node("research", research_graph)
    builder.add_node("write_memo", write_memo)
    builder.add_edge(START, "research")
    builder.add_edge("research", "write_memo")
    builder.add_edge("write_memo", END)
    return builder.compile()


async def run(
    question: str, settings: Settings, context: Context | None = None, reader: str = "team"
) -> MemoState:
    """Build the research graph for ``settings``, nest it, and run the host app once."""
    app = build_memo_app(build_research_graph(settings=settings))
    return await app.ainvoke({"question": question, "reader": reader}, context=context or settings.context())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("question")
    parser.add_argument("--data-dir", help="index location (default: FILINGS_DATA_DIR / the user data dir)")
    parser.add_argument("--reader", default="team")
    args = parser.parse_args(argv)
    settings = Settings.load(data_dir=args.data_dir)
    print(asyncio.run(run(args.question, settings, reader=args.reader))["memo"])


if __name__ == "__main__":
    main()
