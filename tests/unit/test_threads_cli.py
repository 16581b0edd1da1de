"""`filings threads list|show|delete` over a real SQLite checkpointer (issue 15, point 11)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from langgraph.graph import END, START, StateGraph
from typer.testing import CliRunner

from agent.checkpointers import make_checkpointer
from agent.cli import app
from agent.commands import _common
from agent.config import Settings
from agent.schemas import Answer, Citation, Scope
from agent.state import State, Turn

ESC = "\x1b[2J\x1b]0;pwned\x07"


def _answer(question: str) -> Answer:
    if "Klingon" in question:
        return Answer(question=question, text="Questions must be in English.", stop_reason="invalid question")
    return Answer(
        question=question,
        text=f"Net sales were $81.8 billion [1]. ({question}) {ESC}",
        citations=[
            Citation(
                n=1, chunk_id="aapl::3", doc_id="aapl", company="Apple Inc.", form_type="10-Q",
                period="FY2023 Q3", section="Item 2", page=4, source_path="/f/aapl.pdf",
                quote="Total net sales $81,797",
            )
        ],
        faithfulness=1.0,
    )  # fmt: skip


def _graph() -> Any:
    """The research graph's shape, minus the models: the first node clears the answer channel, the
    last writes the turn's Answer (and a Turn, unless the question is refused)."""

    async def resolve_scope(state: State) -> dict[str, Any]:
        return {"answer": None, "scope": Scope()}

    async def finalize_answer(state: State) -> dict[str, Any]:
        answer = _answer(state.question)
        if answer.stop_reason == "invalid question":
            return {"answer": answer}
        turn = Turn(question=state.question, standalone=state.question, answer=answer.text, scope=Scope())
        return {"answer": answer, "turns": [turn]}

    g = StateGraph(State)
    g.add_node("resolve_scope", resolve_scope)
    g.add_node("finalize_answer", finalize_answer)
    g.add_edge(START, "resolve_scope")
    g.add_edge("resolve_scope", "finalize_answer")
    g.add_edge("finalize_answer", END)
    return g


def _converse(settings: Settings, conversations: list[tuple[str, str]]) -> None:
    async def go() -> None:
        async with make_checkpointer(settings) as saver:
            graph = _graph().compile(checkpointer=saver)
            for thread, question in conversations:
                await graph.ainvoke({"question": question}, {"configurable": {"thread_id": thread}})

    asyncio.run(go())


@pytest.fixture
def data(tmp_path: Path) -> Path:
    _converse(
        Settings(data_dir=tmp_path),
        [
            ("a1b2c3d4e5f6", "What was Apple's net sales in Q3 2023?"),
            ("a1b2c3d4e5f6", "And in Q2?"),
            ("a1b2c3d4e5f6", "Was ist das auf Klingon?"),
            ("a1ffee001122", f"What was Amazon's operating income in 2022? {ESC}"),
        ],
    )
    return tmp_path


@pytest.fixture(autouse=True)
def natural_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_common.console, "_width", None)
    monkeypatch.setattr(_common.err_console, "_width", None)


def invoke(data: Path, *args: str, **kwargs: Any) -> Any:
    return CliRunner().invoke(
        app, ["--data-dir", str(data), "threads", *args], env={"COLUMNS": "80"}, **kwargs
    )


def test_list_newest_first_with_title_turns_and_time(data: Path) -> None:
    listed = invoke(data, "list", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [r["thread_id"] for r in rows] == ["a1ffee001122", "a1b2c3d4e5f6"]
    amazon, apple = rows
    assert apple["title"] == "What was Apple's net sales in Q3 2023?"
    assert apple["turns"] == 3  # the refused question is a turn too
    assert amazon["turns"] == 1 and amazon["title"] == "What was Amazon's operating income in 2022?"
    assert apple["updated"] < amazon["updated"]

    table = invoke(data, "list")
    assert table.exit_code == 0, table.output
    assert "\x1b" not in table.output and "\x07" not in table.output
    row = next(ln for ln in table.output.splitlines() if "a1b2c3d4e5f6" in ln)
    assert " 3 " in row and "What was Apple's net sales" in row


def test_show_prints_the_conversation(data: Path) -> None:
    shown = invoke(data, "show", "a1b2")  # a unique prefix is enough
    assert shown.exit_code == 0, shown.output
    out = shown.output
    assert "\x1b" not in out and "pwned\x07" not in out
    assert out.index("you> What was Apple's net sales in Q3 2023?") < out.index("you> And in Q2?")
    assert "Net sales were $81.8 billion [1]." in out and "[1] Apple Inc., 10-Q, FY2023 Q3" in out
    assert "accepted" in out and "invalid question" in out

    data_json = json.loads(invoke(data, "show", "a1b2c3d4e5f6", "--json").output)
    assert data_json["thread_id"] == "a1b2c3d4e5f6" and len(data_json["turns"]) == 3
    first = data_json["turns"][0]
    assert first["question"] == "What was Apple's net sales in Q3 2023?"
    assert first["citations"][0]["source_path"] == "/f/aapl.pdf" and first["stop_reason"] == "accepted"
    assert first["text"].endswith(ESC)  # kept as data in JSON


@pytest.mark.parametrize("command", ["show", "delete"])
def test_unknown_or_ambiguous_id_is_one_line(data: Path, command: str) -> None:
    unknown = invoke(data, command, "zzz", "--yes" if command == "delete" else "--json")
    assert unknown.exit_code == 1 and "no thread with id 'zzz'" in unknown.output
    assert len(unknown.output.strip().splitlines()) == 1
    ambiguous = invoke(data, command, "a1")
    assert ambiguous.exit_code == 1 and "ambiguous" in ambiguous.output
    assert "Traceback" not in unknown.output + ambiguous.output


def test_delete_asks_first_and_removes_every_checkpoint(data: Path) -> None:
    kept = invoke(data, "delete", "a1ff", input="n\n")
    assert kept.exit_code == 1 and "not deleted" in kept.output
    assert len(json.loads(invoke(data, "list", "--json").output)) == 2
    confirmed = invoke(data, "delete", "a1ff", input="y\n")
    assert confirmed.exit_code == 0 and "deleted thread a1ffee001122" in confirmed.output
    assert [r["thread_id"] for r in json.loads(invoke(data, "list", "--json").output)] == ["a1b2c3d4e5f6"]
    forced = invoke(data, "delete", "a1b2c3d4e5f6", "--yes")
    assert forced.exit_code == 0, forced.output
    assert json.loads(invoke(data, "list", "--json").output) == []
    gone = invoke(data, "show", "a1b2c3d4e5f6")
    assert gone.exit_code == 1 and "no thread" in gone.output


def test_nothing_stored_yet_creates_nothing(tmp_path: Path) -> None:
    listed = invoke(tmp_path, "list", "--json")
    assert listed.exit_code == 0 and json.loads(listed.output) == []
    assert "no conversations yet" in invoke(tmp_path, "list").output
    missing = invoke(tmp_path, "show", "abc")
    assert missing.exit_code == 1 and "no thread with id 'abc'" in missing.output
    assert not (tmp_path / "checkpoints.sqlite").exists()


def test_bad_checkpointer_setting_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--data-dir", str(tmp_path), "threads", "list"], env={"FILINGS_CHECKPOINTER": "redis://h"}
    )
    assert result.exit_code == 2 and "unknown checkpointer" in result.output
    assert "Traceback" not in result.output


def test_threads_is_a_listed_command_with_help() -> None:
    assert "threads" in CliRunner().invoke(app, ["--help"]).output
    for sub in ("list", "show", "delete"):
        result = CliRunner().invoke(app, ["threads", sub, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
