"""Settings precedence: flags > FILINGS_* env > TOML file > defaults; Context overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import DEFAULT_CHAT_MODEL, Context, Settings


def _write_toml(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_defaults_are_offline_local_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILINGS_DATA_DIR", str(tmp_path))
    s = Settings.load()
    assert s.chat_model == DEFAULT_CHAT_MODEL == "local:qwen2.5-coder-1.5b"
    assert s.embeddings_model == "local:all-minilm-l6-v2"
    assert s.chroma_host is None and s.n_threads == 2
    assert s.index_dir == tmp_path / "index"


def test_precedence_flag_over_env_over_file_over_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _write_toml(
        tmp_path / "f.toml", 'chat_model = "from-file"\ncollection = "filecoll"\nn_threads = 7\n'
    )
    monkeypatch.setenv("FILINGS_CONFIG", str(cfg))
    monkeypatch.setenv("FILINGS_CHAT_MODEL", "from-env")
    monkeypatch.setenv("FILINGS_N_CTX", "2048")

    s = Settings.load()
    assert s.chat_model == "from-env"  # env beats file
    assert s.collection == "filecoll"  # file beats default
    assert s.n_threads == 7
    assert s.n_ctx == 2048

    s = Settings.load(chat_model="from-flag", n_threads=None)
    assert s.chat_model == "from-flag"  # flag beats env
    assert s.n_threads == 7  # a flag left unset (None) does not clobber lower sources


def test_toml_in_data_dir_is_picked_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_toml(tmp_path / "filings.toml", 'reranker_model = "none"\n')
    monkeypatch.setenv("FILINGS_DATA_DIR", str(tmp_path))
    assert Settings.load().reranker_model == "none"


def test_context_roles_fall_back_to_chat_model(tmp_path: Path) -> None:
    s = Settings.load(data_dir=tmp_path, chat_model="local:smollm2-135m", judge_model="openai:gpt-4o-mini")
    ctx = s.context(max_revisions=1)
    assert ctx.planner_model == ctx.drafter_model == "local:smollm2-135m"
    assert ctx.judge_model == "openai:gpt-4o-mini"
    assert ctx.max_revisions == 1


def test_context_rejects_unknown_override() -> None:
    with pytest.raises(ValueError, match="unknown Context field"):
        Context().with_overrides(max_revision=3)
    assert Context().with_overrides(max_llm_calls=3).max_llm_calls == 3
