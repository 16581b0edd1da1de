"""The served research graph takes its default models from the settings, as the CLI does
(issue 15, point 2). Inspected, never run: no model is loaded."""

from __future__ import annotations

import importlib
from dataclasses import asdict

import pytest

from agent.config import DEFAULT_CHAT_MODEL, Context, Settings

SMALL = "local:smollm2-135m"
ROLES = ("planner_model", "drafter_model", "judge_model")


@pytest.fixture
def small_chat_model(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("FILINGS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FILINGS_CHAT_MODEL", SMALL)


def test_served_graph_defaults_follow_the_chat_model_env(small_chat_model) -> None:
    import graphs.server

    graph = importlib.reload(graphs.server).graph  # the attribute langgraph.json serves
    # A run without context: LangGraph builds ``context_schema(**{})``.
    context = graph.context_schema()
    assert isinstance(context, Context)
    assert {getattr(context, role) for role in ROLES} == {SMALL}
    # What the server's assistant schema (and Studio) shows as the defaults.
    properties = graph.get_context_jsonschema()["properties"]
    assert {properties[role]["default"] for role in ROLES} == {SMALL}


def test_run_context_still_wins_and_other_knobs_keep_their_defaults(small_chat_model) -> None:
    from graphs.server import build_server_graph

    context = build_server_graph().context_schema(drafter_model="openai:gpt-4o-mini", dense_k=5)
    assert context.drafter_model == "openai:gpt-4o-mini" and context.dense_k == 5
    assert context.planner_model == context.judge_model == SMALL
    assert context.bm25_k == Context().bm25_k


def test_env_beats_file_and_the_file_beats_defaults(small_chat_model, monkeypatch, tmp_path) -> None:
    from graphs.server import build_server_graph

    toml = tmp_path / "filings.toml"
    toml.write_text('chat_model = "local:from-file"\njudge_model = "local:judge-from-file"\n')
    monkeypatch.setenv("FILINGS_CONFIG", str(toml))
    context = build_server_graph().context_schema()
    assert context.planner_model == context.drafter_model == SMALL  # env over file
    assert context.judge_model == "local:judge-from-file"  # file over the chat_model fallback


def test_without_settings_the_defaults_are_the_builtin_ones(tmp_path) -> None:
    schema = Settings(data_dir=tmp_path).context_schema()
    assert schema().planner_model == DEFAULT_CHAT_MODEL
    assert asdict(schema()) == asdict(Context())
