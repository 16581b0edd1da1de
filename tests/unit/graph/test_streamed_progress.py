"""Streamed ``updates`` carry a typed, JSON-serialisable ``Progress`` for every node (issue 15,
point 5): what the CLI chat prints, and what SDK and web clients read."""

from __future__ import annotations

import json

from graph_fakes import APPLE_23

from agent.config import Context
from agent.progress import Progress, Started
from agent.state import OutputState

Q_SALES = "What were Apple's total net sales for the three months ended July 1, 2023?"
GOOD = "Apple's total net sales were $81,797 million for the three months ended July 1, 2023 [c1]."


async def _updates(h, question: str, thread: str | None = None) -> list[tuple[str, dict]]:
    config = {"configurable": {"thread_id": thread}} if thread else None
    out = []
    async for chunk in h.graph.astream(
        {"question": question}, config=config, context=Context(), stream_mode="updates"
    ):
        out.extend(chunk.items())
    return out


async def test_every_node_update_carries_one_typed_record(harness) -> None:
    h = harness({"draft": [GOOD]})
    updates = await _updates(h, Q_SALES)
    assert updates[0][0] == "resolve_scope" and updates[-1][0] == "finalize_answer"
    by_node: dict[str, Progress] = {}
    for node, update in updates:
        records = update["progress"]
        assert isinstance(records, list) and len(records) == 1, node  # a plain list, never a Reset
        record = records[0]
        assert isinstance(record, Progress) and record.node == node and record.message
        assert record.seconds >= 0
        # JSON-serialisable as is: what LangGraph Server sends to clients.
        assert json.loads(json.dumps(record.model_dump(mode="json")))["node"] == node
        by_node[node] = record

    scope = by_node["resolve_scope"]
    assert scope.step == "scope" and scope.scope_status == "ok"
    assert [f.doc_id for f in scope.filings] == [APPLE_23.doc_id]
    assert scope.filings[0].company == "Apple Inc." and scope.filings[0].period == "FY2023 Q3"

    assert by_node["decompose_question"].subquestions == [Q_SALES]

    retrieved = by_node["retrieve"]
    assert retrieved.query == Q_SALES and retrieved.passages
    assert all(p.page >= 1 and p.doc_id == APPLE_23.doc_id for p in retrieved.passages)
    assert by_node["rerank_chunks"].passages

    critique = by_node["critique_draft"]
    assert critique.route == "accept" and critique.faithfulness == 1.0
    assert critique.claims and critique.claims[0].verdict in ("supported", "calculation")
    assert "$81,797 million" in critique.claims[0].text
    assert by_node["finalize_answer"].stop_reason == "accepted"


async def test_the_final_values_hold_this_turns_records_only(harness) -> None:
    h = harness({"draft": [GOOD, GOOD]}, memory=True)
    await h.graph.ainvoke(
        {"question": Q_SALES}, config={"configurable": {"thread_id": "t"}}, context=Context()
    )
    out = await h.graph.ainvoke(
        {"question": "And Amazon's total net sales in 2022?"},
        config={"configurable": {"thread_id": "t"}},
        context=Context(),
    )
    nodes = [p.node for p in out["progress"]]
    assert nodes[0] == "resolve_scope" and nodes.count("resolve_scope") == 1
    assert nodes[-1] == "finalize_answer"
    assert "progress" in OutputState.__dataclass_fields__  # an output key: servers stream it


async def test_a_refused_question_still_reports_its_node(harness) -> None:
    h = harness({})
    updates = await _updates(h, "\x1b[31m")
    scope_record = updates[0][1]["progress"][0]
    assert scope_record.node == "resolve_scope" and scope_record.message == "question refused"
    assert updates[-1][1]["progress"][0].stop_reason == "invalid question"


async def test_each_node_announces_its_start_before_its_record(harness) -> None:
    """``custom`` events say a node has begun (the web app shows it at once); each comes before
    that node's ``updates`` record, and clients that do not ask for them get none."""
    h = harness({"draft": [GOOD]})
    events = []
    async for mode, chunk in h.graph.astream(
        {"question": Q_SALES}, context=Context(), stream_mode=["updates", "custom"]
    ):
        events.append((mode, chunk))
    assert events[0][0] == "custom", events[0]
    first = Started.model_validate(events[0][1])
    assert first.node == "resolve_scope" and first.step == "scope" and first.message.endswith("…")
    started_at = {}
    for i, (mode, chunk) in enumerate(events):
        if mode == "custom":
            started_at.setdefault(chunk["node"], i)
        else:
            for node in chunk:
                assert started_at.get(node, len(events)) < i, f"{node} finished before it started"
    plain = await _updates(h, Q_SALES)
    assert all(isinstance(update, dict) and "progress" in update for _node, update in plain)


async def test_usage_says_which_node_made_the_calls(harness) -> None:
    """Prompt tokens per node (the draft prompt's size is a benchmark figure, issue 18)."""
    h = harness({"draft": [GOOD]})
    answer = await h.ask(Q_SALES)
    usage = answer.usage
    assert usage.node_calls.get("draft_answer") == 1
    assert sum(usage.node_calls.values()) == usage.llm_calls
    assert sum(usage.node_prompt_tokens.values()) == usage.prompt_tokens
    per_call = usage.prompt_tokens_per_call("draft_answer")
    assert per_call is not None and per_call > 0
    assert usage.prompt_tokens_per_call("rewrite_queries") is None
