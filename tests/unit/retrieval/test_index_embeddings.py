"""The index records which embedding model made its vectors; readers use it unless they name
another, which is refused with one clear line (EmbeddingsMismatchError)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from embedding_fakes import fake16, write_doc
from langchain_core.embeddings import Embeddings
from typer.testing import CliRunner

import agent.models
from agent.cli import app
from agent.config import DEFAULT_EMBEDDINGS, Settings
from agent.retrieval.index import EmbeddingsMismatchError, FilingIndex, effective_embeddings_model

OTHER = "hf:BAAI/bge-small-en-v1.5"


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The model strings the index asks agent.models to load (each gets a 16-d fake)."""
    asked: list[str] = []

    def make_embeddings(spec: str, settings: Settings | None = None) -> Embeddings:
        asked.append(spec)
        return fake16()

    monkeypatch.setattr(agent.models, "make_embeddings", make_embeddings)
    return asked


def _built(data_dir: Path, **settings: str) -> None:
    index = FilingIndex.open(Settings(data_dir=data_dir, **settings), embeddings=fake16())
    write_doc(index, "d-acme")
    index.close()


def test_the_first_write_records_the_model_and_dimension(tmp_path: Path) -> None:
    index = FilingIndex.open(Settings(data_dir=tmp_path), embeddings=fake16())
    assert index.embeddings_model is None
    write_doc(index, "d-acme")
    assert index.embeddings_model == DEFAULT_EMBEDDINGS
    assert index.manifest.embeddings_record() == (DEFAULT_EMBEDDINGS, 16)
    write_doc(index, "d-bolt")  # later writes leave the record alone
    assert index.manifest.embeddings_record() == (DEFAULT_EMBEDDINGS, 16)


def test_a_legacy_index_adopts_the_configured_model_with_a_note(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, loads: list[str]
) -> None:
    index = FilingIndex.open(Settings(data_dir=tmp_path), embeddings=fake16())
    write_doc(index, "d-acme")
    index.manifest.set_kv("embeddings_model", None)  # as an index built before the record existed
    index.manifest.set_kv("embeddings_dim", None)
    index.close()
    legacy = FilingIndex.open(Settings(data_dir=tmp_path, embeddings_model=OTHER))
    assert legacy.embeddings_model is None
    assert legacy.dense_search("revenue", 2)  # no record: the configured model, no error
    assert loads == [OTHER]
    with caplog.at_level(logging.WARNING):
        write_doc(legacy, "d-bolt")
    assert legacy.embeddings_model == OTHER
    notes = [r.getMessage() for r in caplog.records if "did not record" in r.getMessage()]
    assert notes == [f"note: this index did not record its embedding model; recording {OTHER}"]


def test_an_index_uses_its_recorded_model_when_none_is_named(
    tmp_path: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _built(tmp_path, embeddings_model=OTHER)
    settings = Settings(data_dir=tmp_path)  # the default model, not chosen by the user
    assert settings.embeddings_model == DEFAULT_EMBEDDINGS
    assert effective_embeddings_model(settings) == OTHER
    index = FilingIndex.open(settings)
    assert [h.id for h in index.dense_search("revenue", 1)]
    assert loads == [OTHER]
    monkeypatch.setenv("FILINGS_EMBEDDINGS_MODEL", OTHER)  # naming the recorded model is fine
    assert FilingIndex.open(Settings(data_dir=tmp_path)).dense_search("revenue", 1)


@pytest.mark.parametrize("how", ["flag", "env", "config file"])
def test_naming_another_model_is_refused_for_searches_and_writes(
    tmp_path: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    _built(tmp_path)
    if how == "flag":
        settings = Settings.load(data_dir=tmp_path, embeddings_model=OTHER)
    elif how == "env":
        monkeypatch.setenv("FILINGS_EMBEDDINGS_MODEL", OTHER)
        settings = Settings(data_dir=tmp_path)
    else:
        (tmp_path / "filings.toml").write_text(f'embeddings_model = "{OTHER}"\n')
        monkeypatch.setenv("FILINGS_CONFIG", str(tmp_path / "filings.toml"))
        settings = Settings(data_dir=tmp_path)
    index = FilingIndex.open(settings)
    with pytest.raises(EmbeddingsMismatchError) as err:
        index.dense_search("revenue", 2)
    assert isinstance(err.value, ValueError)
    assert str(err.value) == (
        f"this index's vectors were made with {DEFAULT_EMBEDDINGS}; you asked for {OTHER}: drop "
        f"--embeddings, or re-embed with filings reindex --embeddings {OTHER}"
    )
    with pytest.raises(EmbeddingsMismatchError):
        write_doc(index, "d-bolt")
    assert loads == []  # refused before any model was loaded
    assert index.bm25_search("revenue", 2)  # lexical search needs no vectors


def test_vectors_of_another_size_are_refused(tmp_path: Path) -> None:
    _built(tmp_path)
    index = FilingIndex.open(Settings(data_dir=tmp_path), embeddings=fake16())
    index._embeddings = type(fake16())(size=8)  # a model other than the recorded one, same name
    with pytest.raises(EmbeddingsMismatchError, match="have 16 dimensions"):
        write_doc(index, "d-bolt")


def test_an_emptied_index_adopts_a_named_model(tmp_path: Path) -> None:
    _built(tmp_path)
    index = FilingIndex.open(Settings(data_dir=tmp_path, embeddings_model=OTHER), embeddings=fake16())
    index.remove("d-acme")
    write_doc(index, "d-bolt")
    assert index.embeddings_model == OTHER


def test_the_cli_shows_a_mismatch_as_one_line(tmp_path: Path, loads: list[str]) -> None:
    _built(tmp_path / "data")
    args = ["--data-dir", str(tmp_path / "data"), "search", "Acme revenue", "--reranker", "none"]
    result = CliRunner().invoke(app, [*args, "--embeddings-model", OTHER])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert lines[-1] == (
        f"error: this index's vectors were made with {DEFAULT_EMBEDDINGS}; you asked for {OTHER}: "
        f"drop --embeddings, or re-embed with filings reindex --embeddings {OTHER}"
    )
    assert loads == []
