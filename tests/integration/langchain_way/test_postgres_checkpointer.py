"""Postgres checkpointer by configuration: a conversation continues across two processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.schemas import Answer

from .smoke import QUESTION

HERE = Path(__file__).resolve().parent
# The scripted-model conversation of the unit tests (tests/unit/graph/_two_turns.py).
UNIT_GRAPH = HERE.parents[1] / "unit" / "graph"

pytestmark = pytest.mark.integration


def _turn(url: str, thread: str, message: str, tmp_path: Path) -> dict:
    env = {**os.environ, "FILINGS_CHECKPOINTER": url, "FILINGS_DATA_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, str(HERE / "_pg_turn.py"), thread, message],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_thread_continues_in_a_second_process(postgres_url, tmp_path):
    first = _turn(postgres_url, "analyst-1", "q1", tmp_path)
    second = _turn(postgres_url, "analyst-1", "q2", tmp_path)
    other = _turn(postgres_url, "analyst-2", "q1", tmp_path)

    assert first["pid"] != second["pid"]
    assert second["turns"][:2] == first["turns"]
    assert second["turns"][2:] == ["q2", f"pid {second['pid']} saw 3 turns"]
    assert other["turns"] == ["q1", f"pid {other['pid']} saw 1 turns"]  # threads stay apart
    # Nothing fell back to the SQLite default.
    assert not (tmp_path / "checkpoints.sqlite").exists()


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "default"])
def test_research_thread_resumes_without_unregistered_types(postgres_url, tmp_path, strict):
    """The research graph (scripted model, no real one) on Postgres: the follow-up deserializes
    only registered types, even under LANGGRAPH_STRICT_MSGPACK=true (issue 15, point 1)."""
    sys.path.insert(0, str(UNIT_GRAPH))
    try:
        from test_checkpoint_serde import assert_clean_resume, run_two_turns
    finally:
        sys.path.remove(str(UNIT_GRAPH))
    thread = f"serde-{'strict' if strict else 'default'}"
    assert_clean_resume(*run_two_turns(postgres_url, tmp_path, strict=strict, thread=thread))
    assert not (tmp_path / "checkpoints.sqlite").exists()


def _ask(data_dir: Path, url: str, thread: str, question: str) -> Answer:
    """One research turn in a fresh process; data dir and Postgres come from env vars alone."""
    env = {**os.environ, "FILINGS_CHECKPOINTER": url, "FILINGS_DATA_DIR": str(data_dir)}
    cmd = [sys.executable, str(HERE / "_research_turn.py"), thread, question]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Answer.model_validate_json(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_research_conversation_continues_in_a_second_process(postgres_url, apple_data_dir):
    first = _ask(apple_data_dir, postgres_url, "pg-chat", QUESTION)
    follow_up = _ask(apple_data_dir, postgres_url, "pg-chat", "And what were the iPhone net sales?")

    assert first.scope.status == "ok" and first.scope.doc_ids
    # The second process found the first turn in Postgres: the follow-up names no company or
    # period, and inherits both from the thread.
    assert follow_up.scope.doc_ids == first.scope.doc_ids
    assert follow_up.scope.source.get("companies") == "inherited"
    assert not (apple_data_dir / "checkpoints.sqlite").exists()

    # The thread itself, read back through the same configuration: two finished turns.
    from agent.checkpointers import make_sync_checkpointer
    from agent.config import Settings
    from graphs.research import build_research_graph

    with make_sync_checkpointer(Settings(data_dir=apple_data_dir, checkpointer=postgres_url)) as saver:
        state = build_research_graph(checkpointer=saver).get_state({"configurable": {"thread_id": "pg-chat"}})
    assert [t.question for t in state.values["turns"]] == [QUESTION, "And what were the iPhone net sales?"]
