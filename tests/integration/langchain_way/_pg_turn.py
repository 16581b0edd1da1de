"""One conversation turn in its own process, persisted by the configured checkpointer.

Run as ``python _pg_turn.py <thread_id> <message>``; prints the thread's turns as JSON. The
checkpointer comes from ``FILINGS_CHECKPOINTER`` only, as a deployment would set it."""

from __future__ import annotations

import asyncio
import json
import operator
import os
import sys
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph

from agent.checkpointers import make_checkpointer
from agent.config import Settings


class Turns(TypedDict):
    turns: Annotated[list[str], operator.add]


def reply(state: Turns) -> dict:
    return {"turns": [f"pid {os.getpid()} saw {len(state['turns'])} turns"]}


async def main(thread_id: str, message: str) -> None:
    builder = StateGraph(Turns)
    builder.add_node("reply", reply)
    builder.add_edge(START, "reply")
    builder.add_edge("reply", END)
    async with make_checkpointer(Settings()) as saver:
        graph = builder.compile(checkpointer=saver)
        out = await graph.ainvoke({"turns": [message]}, {"configurable": {"thread_id": thread_id}})
    print(json.dumps({"pid": os.getpid(), "turns": out["turns"]}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
