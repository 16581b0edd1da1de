"""``retrieve``: hybrid search for ONE query (the graph runs one branch per query via ``Send``)."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.runtime import Runtime

from agent.config import Context
from agent.nodes.resources import Resources
from agent.nodes.timing import timed
from agent.state import RetrieveTask


def make_retrieve(resources: Resources):
    @timed("retrieve")
    async def retrieve(task: RetrieveTask, runtime: Runtime[Context]) -> dict[str, Any]:
        # The index and embedder are synchronous; a thread keeps parallel branches from blocking the loop.
        ctx = runtime.context
        # Later rounds dig deeper: the first round's candidates did not hold the evidence.
        k = ctx.rerank_candidates + ctx.retrieval_widening * (task.round - 1)
        hits = await asyncio.to_thread(resources.search, task.query, task.scope, k, ctx)
        return {"retrieved": hits, "query_hits": {task.query: [h.id for h in hits]}}

    return retrieve
