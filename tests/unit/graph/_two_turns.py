"""Two turns of one research conversation on the configured checkpointer, in their own process.

Run as ``python _two_turns.py [thread_id]``: the research graph with the scripted model and in-memory
filings of ``graph_fakes``, persisted by ``make_checkpointer(Settings())`` (so
``FILINGS_CHECKPOINTER`` picks the backend). Prints the two answers' scopes as JSON on the last
line. Used to check that resuming a thread deserializes only registered types
(``LANGGRAPH_STRICT_MSGPACK=true``)."""

from __future__ import annotations

import asyncio
import json
import sys

from graph_fakes import FakeResources, ScriptedChatModel

from agent.checkpointers import make_checkpointer
from agent.config import Context, Settings
from graphs.research import build_research_graph

Q_SALES = "What were Apple's total net sales for the three months ended July 1, 2023?"
DRAFTS = [
    "Apple's total net sales were $81,797 million for the three months ended July 1, 2023 [c1].",
    "Apple's total net sales were $82,959 million for the three months ended June 25, 2022 [c1].",
]


async def main(thread_id: str) -> None:
    resources = FakeResources(ScriptedChatModel(scripts={"draft": DRAFTS}))
    config = {"configurable": {"thread_id": thread_id}}
    async with make_checkpointer(Settings()) as saver:
        graph = build_research_graph(resources=resources, checkpointer=saver)
        answers = []
        for question in (Q_SALES, "And the year before?"):
            out = await graph.ainvoke({"question": question}, config=config, context=Context())
            answers.append(out["answer"])
        state = await graph.aget_state(config)
        # Read back by the saver alone too, as a server or another tool does: no graph schema
        # widens the allow-list here.
        saved = await saver.aget_tuple(config)
    assert saved is not None
    raw_turns = saved.checkpoint["channel_values"]["turns"]
    print(
        json.dumps(
            {
                "doc_ids": [a.scope.doc_ids for a in answers],
                "stop_reasons": [a.stop_reason for a in answers],
                "turns": [t.question for t in state.values["turns"]],
                "saved_types": sorted(
                    {type(v).__name__ for v in [*raw_turns, saved.checkpoint["channel_values"]["answer"]]}
                ),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "two-turns"))
