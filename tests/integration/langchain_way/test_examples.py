"""The three embedding examples (examples/*.py) against the real stack: real index of the bundled
Apple 10-Qs, real local models (the tiny one where answer quality is not the point)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, ToolMessage

from agent.config import Context, Settings
from agent.schemas import Answer

from .smoke import QUESTION, SMOKE_CONTEXT

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"filings_examples_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def settings(apple_data_dir) -> Settings:
    return Settings(data_dir=apple_data_dir, chat_model="local:smollm2-135m", reranker_model="none")


def _assert_cited_apple_answer(answer: Answer) -> None:
    assert answer.stop_reason in ("accepted", "abstained: budget", "abstained: no evidence")
    assert answer.citations, answer.text
    assert all(c.company and "apple" in c.company.lower() for c in answer.citations)


async def test_research_graph_as_a_subgraph_node(settings):
    app = load_example("subgraph_app")
    out = await app.run(QUESTION, settings, context=Context(**SMOKE_CONTEXT), reader="CFO office")

    answer = out["answer"]
    assert isinstance(answer, Answer) and answer.question == QUESTION
    _assert_cited_apple_answer(answer)
    # The subgraph honoured the host's runtime context (the tight LLM budget).
    assert answer.usage.llm_calls <= SMOKE_CONTEXT["max_llm_calls"]
    # The host's own node ran after the subgraph, on the subgraph's typed output.
    assert out["memo"].startswith("To: CFO office\nRe: " + QUESTION)
    assert f"[1] {answer.citations[0].company}" in out["memo"]


class _ToolCallingScript(GenericFakeChatModel):
    """The host agent's own model, scripted: the agent loop is theirs; the tool run below is real."""

    def bind_tools(self, tools, **kwargs):
        return self


async def test_research_graph_as_an_agent_tool(settings):
    app = load_example("agent_tool_app")
    script = iter(
        [
            AIMessage(
                "", tool_calls=[{"id": "call-1", "name": "research_filings", "args": {"question": QUESTION}}]
            ),
            AIMessage("Per the filing, see [1]."),
        ]
    )
    agent = app.build_agent(_ToolCallingScript(messages=script), settings, context=Context(**SMOKE_CONTEXT))
    result = await agent.ainvoke({"messages": [("user", "How did Apple do last quarter?")]})

    tool_messages = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert len(tool_messages) == 1 and tool_messages[0].status != "error", tool_messages
    # The model saw cited text; the app gets the typed Answer as the artifact.
    assert "Sources:" in tool_messages[0].content
    (answer,) = app.research_answers(result)
    assert answer.question == QUESTION
    _assert_cited_apple_answer(answer)
    assert result["messages"][-1].content == "Per the filing, see [1]."


def test_retriever_in_an_lcel_chain(settings):
    from agent.models import make_chat_model

    app = load_example("lcel_retriever_app")
    retriever = app.make_filings_retriever(settings, k=4)
    chain = app.build_chain(retriever, make_chat_model("local:smollm2-135m", settings, max_tokens=48))
    out = chain.invoke("Apple total net sales three months ended July 1, 2023")

    assert out["question"].startswith("Apple total net sales")
    assert len(out["docs"]) == 4
    # The scope resolved from the question kept retrieval on the fiscal 2023 Q3 10-Q.
    assert {d.metadata["fiscal_year"] for d in out["docs"]} == {2023}
    assert all(d.metadata["chunk_id"] == d.id for d in out["docs"])
    # Apple reported total net sales of $81,797 million for that quarter; a passage stating it ranks in the top 4.
    assert any("81,797" in d.page_content for d in out["docs"])
    assert isinstance(out["answer"], str) and out["answer"].strip()
