"""The research graph: wiring only (nodes live in ``agent.nodes``, routing in ``agent.routing``).

resolve_scope -> decompose_question -> retrieve (one Send per query) -> rerank_chunks ->
draft_answer -> critique_draft -> accept | regenerate | re-retrieve | abstain -> finalize_answer
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from agent.config import Context, Settings
from agent.nodes.critique import make_critique
from agent.nodes.decompose import make_decompose
from agent.nodes.draft import make_draft
from agent.nodes.finalize import make_finalize
from agent.nodes.rerank import make_rerank
from agent.nodes.resolve_scope import make_resolve_scope
from agent.nodes.resources import Resources, resources_for
from agent.nodes.retrieve import make_retrieve
from agent.nodes.rewrite import make_rewrite
from agent.routing import fan_out_retrieval, route_after_critique, route_after_rerank, route_after_scope
from agent.state import InputState, OutputState, RetrieveTask, State


def build_research_graph(
    *,
    settings: Settings | None = None,
    resources: Resources | None = None,
    checkpointer: BaseCheckpointSaver | None = None,
) -> Any:
    """Compile the research graph. Heavy objects are built lazily on first use, not here."""
    res = resources if resources is not None else resources_for(settings)
    builder = StateGraph(State, context_schema=Context, input_schema=InputState, output_schema=OutputState)
    builder.add_node("resolve_scope", make_resolve_scope(res))
    builder.add_node("decompose_question", make_decompose(res))
    builder.add_node("retrieve", make_retrieve(res), input_schema=RetrieveTask)
    builder.add_node("rerank_chunks", make_rerank(res))
    builder.add_node("draft_answer", make_draft(res))
    builder.add_node("critique_draft", make_critique(res))
    builder.add_node("rewrite_queries", make_rewrite())
    builder.add_node("finalize_answer", make_finalize())

    builder.add_edge(START, "resolve_scope")
    builder.add_conditional_edges("resolve_scope", route_after_scope)
    builder.add_conditional_edges("decompose_question", fan_out_retrieval, ["retrieve"])
    builder.add_edge("retrieve", "rerank_chunks")
    builder.add_conditional_edges("rerank_chunks", route_after_rerank)
    builder.add_edge("draft_answer", "critique_draft")
    builder.add_conditional_edges("critique_draft", route_after_critique)
    builder.add_conditional_edges("rewrite_queries", fan_out_retrieval, ["retrieve"])
    builder.add_edge("finalize_answer", END)
    return builder.compile(checkpointer=checkpointer, name="research")


def __getattr__(name: str) -> Any:
    # ``graph`` for langgraph.json, built on first access so importing this module loads nothing.
    if name == "graph":
        compiled = build_research_graph()
        globals()["graph"] = compiled
        return compiled
    raise AttributeError(name)
