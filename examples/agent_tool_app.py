"""Embedding way 2: the research graph as a tool for your own agent.

``make_research_tool`` wraps the compiled graph in a ``StructuredTool`` with a typed argument
schema (``ResearchQuestion``). The agent's model sees the cited answer as text; the typed
``Answer`` rides along as the ``ToolMessage.artifact``.

The agent model must support tool calling (``bind_tools``): a hosted model such as
``openai:gpt-4o-mini`` / ``anthropic:...``, ``ollama:<model>``, or an OpenAI-compatible server that
implements tools. The research tool itself uses the models of ``Settings`` (local by default).

    python examples/agent_tool_app.py --data-dir .data --agent-model openai:gpt-4o-mini "..."
"""

from __future__ import annotations

import argparse
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import ToolMessage

from agent.config import Context, Settings
from agent.schemas import Answer
from graphs.research import build_research_graph
from graphs.research_tool import make_research_tool

SYSTEM_PROMPT = (
    "You are an equity analyst's assistant. For any question about a company's reported figures, call "
    "research_filings and base your reply on its cited answer; keep its [n] source markers."
)


def build_agent(model: BaseChatModel, settings: Settings, context: Context | None = None) -> Any:
    """An agent (``langchain.agents.create_agent``) whose one tool is the research graph."""
    tool = make_research_tool(build_research_graph(settings=settings), context=context)
    return create_agent(model, tools=[tool], system_prompt=SYSTEM_PROMPT)


def research_answers(result: dict[str, Any]) -> list[Answer]:
    """The typed answers the tool returned during an agent run (from the ToolMessage artifacts)."""
    return [
        Answer.model_validate(m.artifact)
        for m in result["messages"]
        if isinstance(m, ToolMessage) and m.name == "research_filings" and m.artifact
    ]


def main(argv: list[str] | None = None) -> None:
    from agent.models import make_chat_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("question")
    parser.add_argument("--data-dir")
    parser.add_argument(
        "--agent-model", required=True, help="a tool-calling model string, e.g. openai:gpt-4o-mini"
    )
    args = parser.parse_args(argv)
    settings = Settings.load(data_dir=args.data_dir)
    agent = build_agent(make_chat_model(args.agent_model, settings), settings)
    result = agent.invoke({"messages": [("user", args.question)]})
    print(result["messages"][-1].content)


if __name__ == "__main__":
    main()
