"""The checkpointer factory picks its backend from configuration alone."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from agent.checkpointers import (
    CheckpointerConfigError,
    make_checkpointer,
    make_sync_checkpointer,
    parse_checkpointer,
    redact_url,
)
from agent.config import Settings


class _Turns(TypedDict):
    turns: Annotated[list[str], operator.add]


def _echo_graph():
    def remember(state: _Turns) -> dict:
        return {"turns": [f"seen {len(state['turns'])}"]}

    builder = StateGraph(_Turns)
    builder.add_node("remember", remember)
    builder.add_edge(START, "remember")
    builder.add_edge("remember", END)
    return builder


def test_default_is_sqlite_under_data_dir(tmp_path):
    spec = parse_checkpointer(Settings(data_dir=tmp_path))
    assert spec.kind == "sqlite"
    assert spec.target == str(tmp_path / "checkpoints.sqlite")


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("memory", "memory"),
        ("MEMORY", "memory"),
        ("sqlite:///var/lib/filings/threads.sqlite", "sqlite"),
        ("postgres://u:p@db.internal:5432/filings", "postgres"),
        ("postgresql://u@127.0.0.1/filings", "postgres"),
        ("postgresql:///filings?host=/run/postgresql", "postgres"),
    ],
)
def test_known_specs_parse(tmp_path, value, kind):
    assert parse_checkpointer(Settings(data_dir=tmp_path, checkpointer=value)).kind == kind


def test_env_var_selects_backend(tmp_path, monkeypatch):
    monkeypatch.setenv("FILINGS_CHECKPOINTER", "postgres://u@h/db")
    assert parse_checkpointer(Settings(data_dir=tmp_path)).kind == "postgres"


@pytest.mark.parametrize(
    "value", ["redis://h", "sqlite:///", "sqlite:relative.db", "postgres://:5432/db", ""]
)
def test_bad_specs_fail_clearly(tmp_path, value):
    with pytest.raises(CheckpointerConfigError, match="checkpointer"):
        parse_checkpointer(Settings(data_dir=tmp_path, checkpointer=value))


def test_passwords_never_appear_in_errors(tmp_path):
    with pytest.raises(CheckpointerConfigError) as info:
        parse_checkpointer(Settings(data_dir=tmp_path, checkpointer="mysql://root:hunter2@h/db"))
    assert "hunter2" not in str(info.value)
    assert redact_url("postgres://u:hunter2@h:5432/db") == "postgres://u:***@h:5432/db"


def test_sync_sqlite_thread_survives_reopen(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    config = {"configurable": {"thread_id": "t1"}}
    with make_sync_checkpointer(settings) as saver:
        _echo_graph().compile(checkpointer=saver).invoke({"turns": ["q1"]}, config)
    assert settings.checkpoints_path.exists()
    with make_sync_checkpointer(settings) as saver:
        out = _echo_graph().compile(checkpointer=saver).invoke({"turns": ["q2"]}, config)
    assert out["turns"] == ["q1", "seen 1", "q2", "seen 3"]


async def test_async_sqlite_thread_survives_reopen(tmp_path):
    db = tmp_path / "elsewhere" / "threads.sqlite"
    settings = Settings(data_dir=tmp_path / "data", checkpointer=f"sqlite:///{db}")
    config = {"configurable": {"thread_id": "t1"}}
    async with make_checkpointer(settings) as saver:
        await _echo_graph().compile(checkpointer=saver).ainvoke({"turns": ["q1"]}, config)
    async with make_checkpointer(settings) as saver:
        out = await _echo_graph().compile(checkpointer=saver).ainvoke({"turns": ["q2"]}, config)
    assert db.exists()
    assert out["turns"] == ["q1", "seen 1", "q2", "seen 3"]


async def test_memory_is_in_process(tmp_path):
    async with make_checkpointer(Settings(data_dir=tmp_path, checkpointer="memory")) as saver:
        assert isinstance(saver, InMemorySaver)
    assert not (tmp_path / "checkpoints.sqlite").exists()


async def test_unreachable_postgres_is_a_clear_error(tmp_path):
    # Port 1 on loopback refuses at once; the error names the target without the password.
    settings = Settings(
        data_dir=tmp_path, checkpointer="postgresql://u:hunter2@127.0.0.1:1/db?connect_timeout=1"
    )
    with pytest.raises(ConnectionError, match="postgres checkpointer") as info:
        async with make_checkpointer(settings, connect_timeout=1.0):
            pass
    assert "hunter2" not in str(info.value)
