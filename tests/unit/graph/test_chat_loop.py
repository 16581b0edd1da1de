"""`filings chat`'s loop (issue 15, points 9 and 11): Ctrl-C cancels the running answer and the
conversation goes on (on the real SQLite checkpointer), /export writes Markdown, control characters
are refused without a run. The graph runs on the scripted model."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from graph_fakes import FakeResources, ScriptedChatModel, role_of

from agent.commands import chat
from agent.config import Settings
from graphs.research import build_research_graph

Q_SALES = "What were Apple's total net sales for the three months ended July 1, 2023?"
GOOD = "Apple's total net sales were $81,797 million for the three months ended July 1, 2023 [c1]."
STARTED = threading.Event()


class HangsOnFirstDraft(ScriptedChatModel):
    """The first draft call waits (like a long local generation) until it is cancelled."""

    hung: bool = False

    async def _agenerate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
        if role_of(messages) == "draft" and not self.hung:
            self.hung = True
            STARTED.set()
            await asyncio.sleep(60)
        return self._generate(messages, stop, run_manager, **kw)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FILINGS_TRACE_LOCAL", "false")
    monkeypatch.delenv("FILINGS_CHECKPOINTER", raising=False)  # the default: SQLite in the data dir
    return Settings.load(data_dir=tmp_path)


def _use(monkeypatch: pytest.MonkeyPatch, model: ScriptedChatModel) -> None:
    resources = FakeResources(model)
    monkeypatch.setattr(
        chat,
        "research_graph",
        lambda settings, cp: build_research_graph(resources=resources, checkpointer=cp),
    )


def _lines(*lines: str):
    pending = list(lines)

    def read(prompt: str) -> str:
        if not pending:
            raise EOFError
        return pending.pop(0)

    return read


def test_ctrl_c_cancels_the_running_answer_and_the_thread_goes_on(settings, monkeypatch, capsys) -> None:
    model = HangsOnFirstDraft(scripts={"draft": [GOOD]})
    _use(monkeypatch, model)
    STARTED.clear()

    def interrupt() -> None:
        assert STARTED.wait(30)
        os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C sends

    threading.Thread(target=interrupt, daemon=True).start()
    chat.chat_loop(settings, settings.context(), "t1", read=_lines(Q_SALES, Q_SALES, "exit"))
    out = capsys.readouterr()
    assert "cancelled" in out.err
    # The second question was answered on the same (SQLite-checkpointed) thread.
    assert "$81,797 million" in out.out and "accepted" in out.out
    assert model.hung and [r for r, _ in model.calls].count("draft") == 1  # the hung call never returned


def test_export_writes_the_last_answer_as_markdown(settings, monkeypatch, capsys, tmp_path) -> None:
    _use(monkeypatch, ScriptedChatModel(scripts={"draft": [GOOD]}))
    target = tmp_path / "answer.md"
    chat.chat_loop(
        settings,
        settings.context(),
        "t2",
        read=_lines("/export", Q_SALES, f"/export {target}", f"/export {target}", "\x1b[2J", "quit"),
    )
    err = capsys.readouterr().err
    assert "nothing to export yet" in err
    text = target.read_text()
    assert text.startswith("#") and "81,797" in text and "Sources" in text
    assert "exists" in err  # never overwritten
    assert "control character" in err.lower()  # refused before any run


def test_history_is_kept_in_the_data_dir_only_for_a_terminal(settings, monkeypatch) -> None:
    import sys

    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    with chat.line_editing(settings.data_dir / "chat_history"):
        pass
    assert not (settings.data_dir / "chat_history").exists()  # pipes and tests leave no history
