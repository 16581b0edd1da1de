"""`filings ask` shows live node progress on stderr when it is a terminal; stdout keeps only the
answer (issue 15, point 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.commands import _common
from agent.schemas import Answer, Scope

UPDATES = [
    {"resolve_scope": {"scope": Scope(status="ok", reason="1 filing(s): Apple Inc. 10-Q FY2023 Q3")}},
    {"decompose_question": {"subquestions": ["Apple total net sales Q3 2023"]}},
    {"finalize_answer": {"answer": Answer(question="q", text="Total net sales were $81,797 million.")}},
]


class FakeGraph:
    """Streams the updates above; ainvoke is what a non-terminal run uses."""

    async def astream(self, inputs: dict[str, Any], **kwargs: Any):
        assert kwargs.get("stream_mode") == "updates"
        for update in UPDATES:
            yield update

    async def ainvoke(self, inputs: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {"answer": UPDATES[-1]["finalize_answer"]["answer"]}


@pytest.fixture
def fake_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.commands.ask as ask
    import graphs.research as research

    monkeypatch.setenv("FILINGS_CHECKPOINTER", "memory")
    monkeypatch.setenv("FILINGS_TRACE_LOCAL", "false")
    monkeypatch.setattr(ask, "_check_index", lambda settings: None)
    monkeypatch.setattr(research, "build_research_graph", lambda **kwargs: FakeGraph())


def _ask(tmp_path: Path, *extra: str):
    return CliRunner().invoke(
        app, ["--data-dir", str(tmp_path), "ask", *extra, "What were Apple's net sales in Q3 2023?"]
    )


def test_progress_goes_to_stderr_when_it_is_a_terminal(tmp_path: Path, fake_ask, monkeypatch) -> None:
    monkeypatch.setattr(_common.err_console, "_force_terminal", True)
    with _common.err_console.capture() as err:
        result = _ask(tmp_path, "--json")
    assert result.exit_code == 0, result.output
    progress = err.get()
    assert "resolve_scope: scope ok: 1 filing(s)" in progress and "1 sub-question(s)" in progress
    assert "resolve_scope" not in result.stdout and '"text": "Total net sales' in result.stdout  # clean JSON


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path, fake_ask, monkeypatch) -> None:
    monkeypatch.setattr(_common.err_console, "_force_terminal", False)
    with _common.err_console.capture() as err:
        result = _ask(tmp_path)
    assert result.exit_code == 0, result.output
    assert "resolve_scope" not in err.get() and "resolve_scope" not in result.output
    assert "Total net sales were $81,797 million." in result.output


def test_markdown_prints_a_report_with_sources_and_no_progress(tmp_path: Path, fake_ask, monkeypatch) -> None:
    monkeypatch.setattr(_common.err_console, "_force_terminal", False)
    result = _ask(tmp_path, "--markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# ") and "Total net sales were $81,797 million." in result.stdout
    assert _ask(tmp_path, "--markdown", "--json").exit_code == 2  # one output format at a time


def test_model_flags_reach_the_run_context(tmp_path: Path, fake_ask, monkeypatch) -> None:
    import agent.commands.ask as ask

    seen: dict[str, Any] = {}
    real = ask._ask

    async def spy(settings, context, question, thread, *, live):
        seen["context"] = context
        return await real(settings, context, question, thread, live=live)

    monkeypatch.setattr(ask, "_ask", spy)
    result = _ask(tmp_path, "--model", "local:smollm2-135m", "--judge-model", "openai:gpt-4o-mini")
    assert result.exit_code == 0, result.output
    context = seen["context"]
    assert context.drafter_model == context.planner_model == "local:smollm2-135m"
    assert context.judge_model == "openai:gpt-4o-mini"
    bad = _ask(tmp_path, "--drafter-model", "local:no-such-model")
    assert bad.exit_code == 1 and "unknown local chat model" in bad.output


def test_chat_takes_the_model_flags(tmp_path: Path, monkeypatch) -> None:
    import agent.commands.chat as chat

    seen: dict[str, Any] = {}
    monkeypatch.setattr(chat, "_check_index", lambda settings: None)
    monkeypatch.setattr(chat, "chat_loop", lambda settings, context, thread: seen.update(context=context))
    result = CliRunner().invoke(
        app, ["--data-dir", str(tmp_path), "chat", "--model", "local:smollm2-135m", "--thread", "t9"]
    )
    assert result.exit_code == 0, result.output
    assert seen["context"].drafter_model == "local:smollm2-135m" and "t9" in result.output
