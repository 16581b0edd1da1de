"""model_overrides: the --model / --<role>-model flags as Settings overrides (issue 15, point 11)."""

from __future__ import annotations

import pytest

from agent.commands._common import model_overrides
from agent.config import Settings
from agent.models import ModelSpecError


def test_no_flags_override_nothing() -> None:
    assert model_overrides() == {}


def test_model_sets_every_chat_role_and_role_flags_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILINGS_DRAFTER_MODEL", "ollama:llama3.1")  # env: below a flag
    monkeypatch.setenv("FILINGS_EMBEDDINGS_MODEL", "local:all-mpnet-base-v2")
    flags = model_overrides("local:smollm2-135m", judge_model="openai:gpt-4o-mini")
    context = Settings.load(**flags).context()
    assert context.planner_model == "local:smollm2-135m"
    assert context.drafter_model == "local:smollm2-135m"  # --model beats FILINGS_DRAFTER_MODEL
    assert context.judge_model == "openai:gpt-4o-mini"
    assert context.embeddings_model == "local:all-mpnet-base-v2"  # not a chat role: untouched
    only_drafter = Settings.load(
        **model_overrides(drafter_model="anthropic:claude-3-5-haiku-latest")
    ).context()
    assert only_drafter.drafter_model == "anthropic:claude-3-5-haiku-latest"
    assert only_drafter.planner_model == Settings().chat_model


def test_retrieval_flags() -> None:
    flags = model_overrides(embeddings_model="hf:BAAI/bge-small-en-v1.5", reranker_model="none")
    assert flags == {"embeddings_model": "hf:BAAI/bge-small-en-v1.5", "reranker_model": "none"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "gpt-4o"}, "must look like '<provider>:<model>'"),
        ({"judge_model": "local:nope"}, "unknown local chat model 'nope'"),
        ({"planner_model": "local:all-minilm-l6-v2"}, "unknown local chat model"),
        ({"embeddings_model": "anthropic:x"}, "unknown provider 'anthropic'"),
        ({"drafter_model": "openai:"}, "names no model"),
    ],
)
def test_bad_model_strings_raise_the_one_line_error(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ModelSpecError, match=message):
        model_overrides(**kwargs)
