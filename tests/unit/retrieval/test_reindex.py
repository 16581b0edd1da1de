"""`filings reindex`: re-embed into a new collection, switch in one transaction, resume after a
crash, clean up after a crash past the switch, do nothing when the model is already the index's."""

from __future__ import annotations

from pathlib import Path

import pytest
from embedding_fakes import (
    TEXTS,
    CountingEmbeddings,
    WordEmbeddings,
    collections,
    fake16,
    two_documents,
)
from langchain_core.embeddings import Embeddings
from typer.testing import CliRunner

import agent.models
from agent.cli import app
from agent.config import DEFAULT_EMBEDDINGS, Settings
from agent.retrieval.index import FilingIndex
from agent.retrieval.reindex import ReindexInterrupted, collection_name, reindex

WORDS = "hf:/models/words"
ALL_TEXTS = sorted(t for texts in TEXTS.values() for t in texts)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """An index of 2 documents (4 chunks) embedded by the 16-d fake under the default model name."""
    return two_documents(tmp_path)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """agent.models.make_embeddings as a lookup: the default name -> the fake, WORDS -> words."""
    asked: list[str] = []

    def make_embeddings(spec: str, settings: Settings | None = None) -> Embeddings:
        asked.append(spec)
        return WordEmbeddings() if spec == WORDS else fake16()

    monkeypatch.setattr(agent.models, "make_embeddings", make_embeddings)
    return asked


def test_collection_names_are_valid_for_chroma() -> None:
    name = collection_name("filings", WORDS)
    assert name.startswith("filings-") and len(name) == len("filings-") + 8
    assert collection_name("filings", WORDS, avoid=name) == f"{name}-b"
    long = collection_name("x" * 600 + "-", WORDS)
    assert 3 <= len(long) <= 512 and long[0].isalnum() and long[-1].isalnum()


def test_reindex_switches_collection_and_model(settings: Settings, loads: list[str]) -> None:
    reader = FilingIndex.open(settings)  # opened before: follows the switch on its next search
    assert reader.dense_search("liquidity capital", 1)
    seen: list[tuple[str, str | None]] = []

    def progress(done: int, total: int, embedded: int, seconds: float) -> None:
        seen.append((reader.store.name, reader.embeddings_model))  # type: ignore[attr-defined]
        assert len(reader.dense_search("revenue", 4)) == 4  # readers keep the old vectors meanwhile

    result = reindex(settings, WORDS, batch=3, embeddings=WordEmbeddings(), progress=progress)
    assert (result.status, result.total, result.embedded, result.kept) == ("done", 4, 4, 0)
    assert seen == [("filings", DEFAULT_EMBEDDINGS)] * 2
    index = FilingIndex.open(settings)
    assert index.embeddings_model == WORDS
    assert index.manifest.embeddings_record() == (WORDS, 11)
    assert index.store.name == result.collection == collection_name("filings", WORDS)  # type: ignore[attr-defined]
    assert collections(index) == {result.collection}  # the old collection is gone
    assert [h.id for h in index.dense_search("liquidity capital", 1)] == ["d-bolt::1"]
    stored = index.store.collection.get(ids=["d-acme::0"], include=["embeddings"])  # type: ignore[attr-defined]
    assert list(stored["embeddings"][0]) == pytest.approx(WordEmbeddings().embed_query(TEXTS["d-acme"][0]))
    assert [h.id for h in reader.dense_search("liquidity capital", 1)] == ["d-bolt::1"]
    assert reader.store.name == result.collection  # type: ignore[attr-defined]
    assert loads == [DEFAULT_EMBEDDINGS, WORDS, WORDS]  # the reader reloaded the new model


def test_a_crashed_reindex_resumes_without_embedding_anything_twice(settings: Settings) -> None:
    first = CountingEmbeddings(WordEmbeddings(), fail_at=3)
    with pytest.raises(RuntimeError, match="the embedder died"):
        reindex(settings, WORDS, batch=1, embeddings=first)
    index = FilingIndex.open(settings, embeddings=fake16())
    assert (index.embeddings_model, index.store.name) == (DEFAULT_EMBEDDINGS, "filings")  # type: ignore[attr-defined]
    assert len(index.dense_search("revenue", 4)) == 4  # still searchable on the old vectors
    assert len(first.texts) == 2
    second = CountingEmbeddings(WordEmbeddings())
    result = reindex(settings, WORDS, batch=1, embeddings=second)
    assert (result.embedded, result.kept) == (2, 2)
    assert sorted(first.texts + second.texts) == ALL_TEXTS  # each chunk embedded exactly once
    done = FilingIndex.open(settings, embeddings=WordEmbeddings())
    assert done.store.count() == 4 and done.embeddings_model == WORDS
    assert [h.id for h in done.dense_search("liquidity capital", 1)] == ["d-bolt::1"]


def test_ctrl_c_reports_progress_and_resumes(settings: Settings) -> None:
    with pytest.raises(ReindexInterrupted) as stop:
        reindex(
            settings, WORDS, batch=1, embeddings=CountingEmbeddings(WordEmbeddings(), 2, KeyboardInterrupt)
        )
    assert (stop.value.done, stop.value.total) == (1, 4)
    assert str(stop.value) == "interrupted: 1 of 4 chunks re-embedded; run the same command to resume"
    assert reindex(settings, WORDS, batch=1, embeddings=WordEmbeddings()).kept == 1


def test_an_abandoned_reindex_to_another_model_is_deleted(settings: Settings) -> None:
    with pytest.raises(RuntimeError):
        reindex(settings, "hf:/models/abandoned", batch=1, embeddings=CountingEmbeddings(fake16(), 2))
    reindex(settings, WORDS, embeddings=WordEmbeddings())
    index = FilingIndex.open(settings, embeddings=WordEmbeddings())
    assert collections(index) == {collection_name("filings", WORDS)}
    assert index.manifest.get_kv("reindex_target") is None


def test_a_crash_after_the_switch_leaves_the_old_collection_to_the_next_writer(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:
        m.setattr(FilingIndex, "drop_retired_collections", lambda self: None)  # dies right after the switch
        result = reindex(settings, WORDS, embeddings=WordEmbeddings())
    index = FilingIndex.open(settings, embeddings=WordEmbeddings())
    assert collections(index) == {"filings", result.collection}
    assert index.manifest.retired_collections() == ["filings"]
    assert [h.id for h in index.dense_search("liquidity capital", 1)] == ["d-bolt::1"]  # already switched
    with FilingIndex.open_for_write(settings, embeddings=WordEmbeddings()):
        pass
    assert collections(index) == {result.collection}
    assert index.manifest.retired_collections() == []


def test_the_same_model_is_a_no_op_unless_forced(settings: Settings) -> None:
    counting = CountingEmbeddings(fake16())
    result = reindex(settings, DEFAULT_EMBEDDINGS, embeddings=counting)
    assert (result.status, counting.texts) == ("unchanged", [])
    forced = reindex(settings, DEFAULT_EMBEDDINGS, force=True, embeddings=counting)
    assert (forced.status, forced.embedded) == ("done", 4)
    again = reindex(settings, DEFAULT_EMBEDDINGS, force=True, embeddings=counting)
    assert again.collection == f"{forced.collection}-b"  # never written into the active collection
    assert collections(FilingIndex.open(settings, embeddings=fake16())) == {again.collection}


def test_documents_ingested_after_a_reindex_use_the_recorded_model(
    settings: Settings, loads: list[str], tmp_path: Path
) -> None:
    from loaders.pipeline import ingest_paths

    reindex(settings, WORDS, embeddings=WordEmbeddings())
    filing = tmp_path / "acme.txt"
    filing.write_text("Item 7. Management's Discussion\n" + "Acme revenue grew on widget demand.\n" * 8)
    assert ingest_paths([filing], Settings(data_dir=settings.data_dir), workers=0).ingested == 1
    assert loads == [WORDS]


def test_cli_reindex(settings: Settings, loads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    base = ["--data-dir", str(settings.data_dir), "reindex", "--embeddings"]
    same = CliRunner().invoke(app, [*base, DEFAULT_EMBEDDINGS])
    assert same.exit_code == 0, same.output
    assert "already embedded with local:all-minilm-l6-v2; nothing to do" in same.output
    dying = CountingEmbeddings(WordEmbeddings(), 3, KeyboardInterrupt)
    monkeypatch.setattr(agent.models, "make_embeddings", lambda spec, settings=None: dying)
    stopped = CliRunner().invoke(app, [*base, WORDS, "--batch", "1"])
    assert stopped.exit_code == 130, stopped.output
    assert "Traceback" not in stopped.output
    assert stopped.output.splitlines()[-1] == (
        "interrupted: 2 of 4 chunks re-embedded; run the same command to resume"
    )
    assert "2 of 4 chunks (50%)" in stopped.output  # a progress line per ~10 %
    monkeypatch.setattr(agent.models, "make_embeddings", lambda spec, settings=None: WordEmbeddings())
    done = CliRunner().invoke(app, [*base, WORDS, "--batch", "1"])
    assert done.exit_code == 0, done.output
    assert (
        "re-embedded 4 chunks with hf:/models/words (2 embedded, 2 kept from an earlier run)" in done.output
    )
