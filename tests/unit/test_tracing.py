"""Local trace sink: spans, timings, tokens and annotations of a real (small) LangGraph run."""

from __future__ import annotations

import json
import operator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send
from typer.testing import CliRunner

from agent.cli import app
from agent.config import Settings
from agent.tracing import LocalTraceHandler, TraceStore, annotate, run_config, summarise_value


class _S(TypedDict, total=False):
    question: str
    subs: list[str]
    found: Annotated[list[str], operator.add]
    answer: str


def build_graph(fail_in_draft: bool = False) -> Any:
    model = GenericFakeChatModel(
        messages=iter(
            [
                AIMessage(
                    content="Sales were $5.",
                    usage_metadata={"input_tokens": 40, "output_tokens": 6, "total_tokens": 46},
                )
            ]
        )
    )

    async def decompose(state: _S) -> dict[str, Any]:
        annotate(sub_questions=["sales 2023", "sales 2022"])
        return {"subs": ["sales 2023", "sales 2022"]}

    async def retrieve(state: dict[str, Any]) -> dict[str, Any]:
        annotate(chunk_ids=[f"{state['q']}::1"], scores=[0.75])
        return {"found": [state["q"]]}

    async def draft(state: _S) -> dict[str, Any]:
        reply = await model.ainvoke("draft please")
        if fail_in_draft:
            raise RuntimeError("drafter exploded")
        annotate(stop_reason="accepted")
        return {"answer": reply.content}

    g = StateGraph(_S)
    g.add_node("decompose", decompose)
    g.add_node("retrieve", retrieve)
    g.add_node("draft", draft)
    g.add_edge(START, "decompose")
    g.add_conditional_edges(
        "decompose", lambda s: [Send("retrieve", {"q": q}) for q in s["subs"]], ["retrieve"]
    )
    g.add_edge("retrieve", "draft")
    g.add_edge("draft", END)
    return g.compile()


async def test_local_sink_records_node_spans(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    config = run_config(settings, metadata={"drafter_model": "fake"}, tags=["unit"])
    out = await build_graph().ainvoke({"question": "What were sales?"}, config=config)
    assert out["answer"] == "Sales were $5."

    store = TraceStore(settings.traces_path)
    [run] = store.list_runs()
    assert run.run_id == str(config["run_id"])
    assert run.question == "What were sales?" and run.status == "ok"
    assert run.metadata["drafter_model"] == "fake"
    assert (run.llm_calls, run.prompt_tokens, run.completion_tokens) == (1, 40, 6)
    _, spans = store.get_run(run.run_id[:8])
    assert [s.node for s in spans] == ["decompose", "retrieve", "retrieve", "draft"]
    assert [s.seq for s in spans] == [1, 2, 3, 4]
    assert all(s.seconds is not None and s.seconds >= 0 and s.status == "ok" for s in spans)
    assert spans[0].metadata == {"sub_questions": ["sales 2023", "sales 2022"]}
    assert spans[0].summary == "subs: 2 items"
    assert sorted(s.metadata["chunk_ids"][0] for s in spans[1:3]) == ["sales 2022::1", "sales 2023::1"]
    draft = spans[3]
    assert (draft.llm_calls, draft.prompt_tokens, draft.completion_tokens) == (1, 40, 6)
    assert draft.metadata == {"stop_reason": "accepted"} and "Sales were $5." in draft.summary


async def test_failed_node_is_recorded_as_error(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "t.sqlite")
    with pytest.raises(RuntimeError, match="exploded"):
        await build_graph(fail_in_draft=True).ainvoke(
            {"question": "q"}, config={"callbacks": [LocalTraceHandler(store)]}
        )
    [run] = store.list_runs()
    assert run.status == "error"
    _, spans = store.get_run(run.run_id)
    assert spans[-1].node == "draft" and spans[-1].status == "error"
    assert "RuntimeError: drafter exploded" in (spans[-1].error or "")


def test_trace_local_off_adds_no_handler(tmp_path: Path) -> None:
    config = run_config(Settings(data_dir=tmp_path, trace_local=False))
    assert "callbacks" not in config
    on = run_config(Settings(data_dir=tmp_path), config={"callbacks": []})
    assert any(isinstance(h, LocalTraceHandler) for h in on["callbacks"])


def test_annotate_outside_a_run_is_a_no_op() -> None:
    annotate(anything=[1, 2])  # must not raise


def test_summarise_value() -> None:
    assert summarise_value({"chunks": [1, 2, 3], "answer": "x" * 100}).startswith(
        "chunks: 3 items; answer: xxx"
    )
    assert len(summarise_value("y" * 1000)) == 240


async def test_trace_cli_list_and_show(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    config = run_config(settings)
    await build_graph().ainvoke({"question": "What were sales?"}, config=config)
    runner = CliRunner()
    listed = runner.invoke(app, ["--data-dir", str(tmp_path), "trace", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    row = json.loads(listed.output)[0]  # a JSON array of runs, newest first
    assert row["run_id"] == str(config["run_id"]) and row["question"] == "What were sales?"
    shown = runner.invoke(app, ["--data-dir", str(tmp_path), "trace", "show", row["run_id"][:10], "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert [s["node"] for s in data["spans"]] == ["decompose", "retrieve", "retrieve", "draft"]
    table = runner.invoke(app, ["--data-dir", str(tmp_path), "trace", "show", row["run_id"]])
    assert table.exit_code == 0 and "decompose" in table.output
    missing = runner.invoke(app, ["--data-dir", str(tmp_path), "trace", "show", "nope"])
    assert missing.exit_code == 1 and "no traced run" in missing.output
    empty = runner.invoke(app, ["--data-dir", str(tmp_path / "empty"), "trace", "list"])
    assert empty.exit_code == 1 and "no trace store" in empty.output


async def test_research_graph_spans_carry_derived_metadata(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent / "graph"))
    from graph_fakes import FakeResources, ScriptedChatModel

    from graphs.research import build_research_graph

    model = ScriptedChatModel(
        scripts={
            "decompose": ['{"subquestions": ["Apple total net sales three months ended July 1, 2023"]}'],
            "draft": ["Apple's total net sales were $81,797 million [c1]."],
        }
    )
    graph = build_research_graph(resources=FakeResources(model))
    settings = Settings(data_dir=tmp_path)
    config = run_config(settings)
    question = "What were Apple's total net sales for the three months ended July 1, 2023?"
    from agent.config import Context

    out = await graph.ainvoke({"question": question}, config=config, context=Context())
    store = TraceStore(settings.traces_path)
    run, spans = store.get_run(str(config["run_id"]))
    assert run.stop_reason == out["answer"].stop_reason == "accepted"
    nodes = [s.node for s in spans]
    assert nodes[0] == "resolve_scope" and nodes[-1] == "finalize_answer"
    assert {"retrieve", "rerank_chunks", "draft_answer", "critique_draft"} <= set(nodes)
    meta = {s.node: s.metadata for s in spans}
    assert meta["resolve_scope"]["scope_status"] == "ok"
    assert meta["rerank_chunks"]["context_chunk_ids"][0] == "0000320193-23-000077::3"
    assert len(meta["rerank_chunks"]["context_chunk_scores"]) == len(
        meta["rerank_chunks"]["context_chunk_ids"]
    )
    assert meta["critique_draft"]["critic_verdicts"] == ["supported"] and meta["critique_draft"]["route"]
    assert meta["finalize_answer"]["stop_reason"] == "accepted"
    draft = next(s for s in spans if s.node == "draft_answer")
    assert draft.llm_calls == 1 and draft.prompt_tokens > 0
