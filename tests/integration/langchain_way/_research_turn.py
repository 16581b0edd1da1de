"""One research-graph turn in its own process: ``python _research_turn.py <thread_id> <question>``.

Settings (data dir, checkpointer) come from ``FILINGS_*`` env vars only, as a deployment would set
them; the run uses the tests' small smoke context. Prints the typed Answer as JSON."""

from __future__ import annotations

import asyncio
import sys

# Run by path, so this folder is sys.path[0] and the shared smoke settings import directly.
from smoke import SMOKE_CONTEXT

from agent.checkpointers import make_checkpointer
from agent.config import Context, Settings
from graphs.research import build_research_graph


async def main(thread_id: str, question: str) -> None:
    settings = Settings()
    async with make_checkpointer(settings) as saver:
        graph = build_research_graph(settings=settings, checkpointer=saver)
        out = await graph.ainvoke(
            {"question": question},
            config={"configurable": {"thread_id": thread_id}},
            context=Context(**SMOKE_CONTEXT),
        )
    print(out["answer"].model_dump_json())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
