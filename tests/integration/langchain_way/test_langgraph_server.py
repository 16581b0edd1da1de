"""`filings serve` (langgraph dev, in-memory runtime) on loopback, driven by the LangGraph SDK."""

from __future__ import annotations

import asyncio
import os
import time

import pytest
from langgraph_sdk import get_client

from agent.progress import Progress
from agent.schemas import Answer

from .servers import filings_serve, session_cpu_seconds
from .smoke import NARRATIVE, QUESTION, SMOKE_CONTEXT

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def served(apple_data_dir, tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGSMITH_") and k != "FILINGS_DATA_DIR"}
    env.update({"LANGSMITH_TRACING": "false", "LANGCHAIN_TRACING_V2": "false", "HF_HUB_OFFLINE": "1"})
    with filings_serve(apple_data_dir, log_dir=tmp_path_factory.mktemp("lgdev"), env=env) as at:
        yield at


async def test_streamed_run_on_a_thread_returns_a_cited_answer(served):
    client = get_client(url=served.url)
    # Context fields are the assistant's configuration: this one runs on the tiny model.
    assistant = await client.assistants.create(graph_id="research", context=SMOKE_CONTEXT, name="smoke")
    assert assistant["context"]["drafter_model"] == "local:smollm2-135m"
    thread = await client.threads.create()

    nodes_seen: list[str] = []
    records: list[dict] = []
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
            for node, update in part.data.items():
                # Every node's update carries its typed progress record, not just its name.
                assert update and isinstance(update.get("progress"), list), (node, update)
                records.extend(Progress.model_validate(r) for r in update["progress"])
        elif part.event == "values":
            final_values = part.data

    # Streaming delivered node-by-node progress, in graph order, before the answer.
    assert nodes_seen[0] == "resolve_scope"
    assert {"retrieve", "draft_answer", "critique_draft"} <= set(nodes_seen)
    assert nodes_seen[-1] == "finalize_answer"
    assert [r.node for r in records] == nodes_seen
    by_step = {r.step: r for r in records}
    assert [f.company for f in by_step["scope"].filings] == ["Apple Inc."]
    assert by_step["scope"].filings[0].period == "FY2023 Q3"
    assert by_step["retrieve"].passages and all(p.page >= 1 for p in by_step["retrieve"].passages)
    assert by_step["critique"].route and by_step["answer"].stop_reason

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


async def _seconds_to_idle(session: int, *, window: float = 0.5, limit: float = 60.0) -> float:
    """Seconds until the server's processes use under 20 % of one core over ``window``."""
    start = time.monotonic()
    before = session_cpu_seconds(session)
    while time.monotonic() - start < limit:
        await asyncio.sleep(window)
        now = session_cpu_seconds(session)
        if now - before < 0.2 * window:
            return time.monotonic() - start - window
        before = now
    return limit


async def test_cancelling_a_run_stops_the_local_model(served):
    """runs.cancel while the 1.5B drafts: the server goes idle within seconds (issue 15, point 4)."""
    client = get_client(url=served.url)
    # The server's default chat model (the local 1.5B): its draft keeps a core busy for a minute.
    assistant = await client.assistants.create(
        graph_id="research",
        context={
            "reranker_model": "none",
            "max_subquestions": 1,
            "max_revisions": 0,
            "max_answer_tokens": 400,
        },
        name="cancel",
    )
    thread = await client.threads.create()
    # A background run, watched through the thread's state (a stream left early would leave an
    # HTTP stream for the garbage collector): the draft starts once rerank_chunks has run.
    run = await client.runs.create(
        thread["thread_id"], assistant["assistant_id"], input={"question": NARRATIVE}
    )
    run_id = run["run_id"]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        values = (await client.threads.get_state(thread["thread_id"]))["values"] or {}
        if any(p.get("step") == "rerank" for p in values.get("progress") or []):
            break
        await asyncio.sleep(0.25)
    else:
        pytest.fail("the run never reached the draft")
    # The draft's prompt processing keeps a core busy; loading the model first can take seconds of
    # disk reads with little CPU (a cold page cache), so wait for a busy second, up to a minute.
    busy = 0.0
    for _ in range(60):
        busy_from = session_cpu_seconds(served.session)
        await asyncio.sleep(1)
        busy = session_cpu_seconds(served.session) - busy_from
        if busy > 0.5:
            break
    assert busy > 0.5, f"the model was not running before the cancel ({busy:.2f} CPU s in the last 1 s)"

    await client.runs.cancel(thread["thread_id"], run_id)
    seconds = await _seconds_to_idle(served.session)
    print(f"runs.cancel -> idle CPU: {seconds:.2f} s")
    assert seconds < 10, f"the model kept running {seconds:.1f} s after runs.cancel"
    run = await client.runs.get(thread["thread_id"], run_id)
    assert run["status"] in ("interrupted", "error", "cancelled"), run["status"]

    # The model was released: the next run on the same server answers.
    smoke = await client.assistants.create(graph_id="research", context=SMOKE_CONTEXT, name="after-cancel")
    thread2 = await client.threads.create()
    final = await client.runs.wait(thread2["thread_id"], smoke["assistant_id"], input={"question": QUESTION})
    assert Answer.model_validate(final["answer"]).question == QUESTION
