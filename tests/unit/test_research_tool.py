"""The research graph as a LangChain tool: typed schema, text for the model, Answer as artifact."""

from __future__ import annotations

import pytest
from langchain_core.messages import ToolMessage
from pydantic import ValidationError

from agent.schemas import Answer, Citation
from graphs.research_tool import make_research_tool, render_answer

QUESTION = "What was Apple's total net sales for the three months ended July 1, 2023?"


def _answer(stop_reason: str = "accepted") -> Answer:
    citation = Citation(
        n=1, chunk_id="d1::7", doc_id="d1", company="Apple Inc.", form_type="10-Q", period="FY2023 Q3",
        section="Item 2", page=4, quote="Total net sales 81,797",
    )  # fmt: skip
    return Answer(question=QUESTION, text="Total net sales were $81,797 million [1].", citations=[citation],
                  stop_reason=stop_reason)  # fmt: skip


class _RecordingGraph:
    """Stands in for the compiled graph: records what the tool sends, returns a fixed Answer."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.calls: list[tuple[dict, dict]] = []

    async def ainvoke(self, payload: dict, **kwargs: object) -> dict:
        self.calls.append((payload, kwargs))
        return {"answer": self.answer}


def test_render_lists_sources_and_flags_non_accepted_runs():
    text = render_answer(_answer())
    assert text.splitlines()[0] == "Total net sales were $81,797 million [1]."
    assert "[1] Apple Inc. 10-Q FY2023 Q3, Item 2, page 4 (d1::7)" in text
    assert "stop reason" not in text
    assert render_answer(_answer("abstained: budget")).endswith("(stop reason: abstained: budget)")


def test_schema_is_typed_and_validated():
    tool = make_research_tool(graph=_RecordingGraph(_answer()))
    schema = tool.tool_call_schema.model_json_schema()
    assert schema["required"] == ["question"]
    assert schema["properties"]["question"]["type"] == "string"
    with pytest.raises(ValidationError):
        tool.invoke({"query": QUESTION})
    with pytest.raises(ValidationError):
        tool.invoke({"question": ""})


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_tool_call_returns_text_and_typed_artifact(mode):
    graph = _RecordingGraph(_answer())
    tool = make_research_tool(graph=graph)
    call = {"type": "tool_call", "id": "c1", "name": tool.name, "args": {"question": QUESTION}}
    message = tool.invoke(call) if mode == "sync" else await tool.ainvoke(call)
    assert isinstance(message, ToolMessage)
    assert message.content == render_answer(graph.answer)
    assert Answer.model_validate(message.artifact) == graph.answer
    assert graph.calls == [({"question": QUESTION}, {})]  # no context given: the graph's defaults apply
