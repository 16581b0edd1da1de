"""`filings serve` (langgraph dev, in-memory runtime) on loopback, driven by the LangGraph SDK."""

from __future__ import annotations

import os

import pytest
from langgraph_sdk import get_client

from agent.schemas import Answer

from .servers import filings_serve
from .smoke import QUESTION, SMOKE_CONTEXT

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def server_url(apple_data_dir, tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGSMITH_") and k != "FILINGS_DATA_DIR"}
    env.update({"LANGSMITH_TRACING": "false", "LANGCHAIN_TRACING_V2": "false", "HF_HUB_OFFLINE": "1"})
    with filings_serve(apple_data_dir, log_dir=tmp_path_factory.mktemp("lgdev"), env=env) as url:
        yield url


async def test_streamed_run_on_a_thread_returns_a_cited_answer(server_url):
    client = get_client(url=server_url)
    # Context fields are the assistant's configuration: this one runs on the tiny model.
    assistant = await client.assistants.create(graph_id="research", context=SMOKE_CONTEXT, name="smoke")
    assert assistant["context"]["drafter_model"] == "local:smollm2-135m"
    thread = await client.threads.create()

    nodes_seen: list[str] = []
    final_values: dict | None = None
    async for part in client.runs.stream(
        thread["thread_id"],
        assistant["assistant_id"],
        input={"question": QUESTION},
        stream_mode=["updates", "values"],
    ):
        assert part.event != "error", part.data
        if part.event == "updates":
            nodes_seen.extend(part.data)
        elif part.event == "values":
            final_values = part.data

    # Streaming delivered node-by-node progress, in graph order, before the answer.
    assert nodes_seen[0] == "resolve_scope"
    assert {"retrieve", "draft_answer", "critique_draft"} <= set(nodes_seen)
    assert nodes_seen[-1] == "finalize_answer"

    assert final_values is not None and final_values.get("answer")
    answer = Answer.model_validate(final_values["answer"])
    assert answer.question == QUESTION
    assert answer.stop_reason in ("accepted", "abstained: budget", "abstained: no evidence")
    assert answer.citations, answer.text
    for citation in answer.citations:
        assert citation.company and "apple" in citation.company.lower()
        assert citation.page >= 1 and citation.quote
    assert answer.usage.llm_calls <= SMOKE_CONTEXT["max_llm_calls"]

    # The thread kept the run: its state holds the same typed answer.
    state = await client.threads.get_state(thread["thread_id"])
    assert Answer.model_validate(state["values"]["answer"]) == answer
