"""An OpenAI-compatible model server instead of in-process llama.cpp, by configuration only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage

from agent.config import Context, Settings
from agent.local_models import ensure_local_model
from agent.models import make_chat_model

from .servers import llama_server
from .smoke import QUESTION, SMOKE_CONTEXT

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def server_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("llama") / "llama-server.log"


@pytest.fixture(scope="module")
def smollm_server(server_log):
    """A real ``python -m llama_cpp.server`` serving SmolLM2-135M (the GGUF from its PyPI package)."""
    gguf = ensure_local_model("smollm2-135m", Settings().models_dir)
    with llama_server(gguf, alias="smollm2", log_dir=server_log.parent) as base_url:
        yield base_url


def test_chat_model_reaches_the_server_through_settings(smollm_server, monkeypatch):
    monkeypatch.setenv("FILINGS_OPENAI_BASE_URL", smollm_server)
    model = make_chat_model("openai:smollm2", Settings(), max_tokens=16)
    reply = model.invoke("Name one fruit.")
    assert isinstance(reply, AIMessage)
    assert reply.content.strip()
    # The reply came from the loopback server: it echoes the alias we served under.
    assert reply.response_metadata["model_name"] == "smollm2"
    assert reply.usage_metadata["output_tokens"] > 0


def test_research_graph_runs_every_role_on_the_server(smollm_server, server_log, apple_data_dir, monkeypatch):
    """The whole graph with planner, drafter and judge served over HTTP: only configuration changes."""
    from graphs.research import build_research_graph

    monkeypatch.setenv("FILINGS_OPENAI_BASE_URL", smollm_server)
    served = {role: "openai:smollm2" for role in ("planner_model", "drafter_model", "judge_model")}
    before = server_log.read_text().count("/v1/chat/completions")
    graph = build_research_graph(settings=Settings(data_dir=apple_data_dir))
    # Every role on the server: the figure is drafted by the model, not computed from the facts.
    context = Context(**{**SMOKE_CONTEXT, **served, "computed_answers": False})
    out = asyncio.run(graph.ainvoke({"question": QUESTION}, context=context))
    answer = out["answer"]
    assert answer.usage.llm_calls >= 1 and answer.usage.completion_tokens > 0, answer.usage
    assert answer.stop_reason in ("accepted", "abstained: budget", "abstained: no evidence"), (
        answer.stop_reason
    )
    assert answer.citations and all(c.company == "Apple Inc." for c in answer.citations), answer.citations
    # Every one of those calls reached the loopback server (none ran in-process).
    assert server_log.read_text().count("/v1/chat/completions") - before == answer.usage.llm_calls
