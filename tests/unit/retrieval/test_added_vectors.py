"""`filings reindex --add`: a second vector set searched beside the index's own (real Chroma + SQLite
with fake embedders): it is filled resumably, every later write and removal reaches it, hybrid
search fuses its ranking as another dense vote, and `--remove` deletes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from embedding_fakes import CountingEmbeddings, WordEmbeddings, collections, fake16, two_documents, write_doc
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings
from typer.testing import CliRunner

import agent.models
from agent.cli import app
from agent.config import DEFAULT_EMBEDDINGS, Settings
from agent.retrieval.hybrid import HybridRetriever
from agent.retrieval.index import FilingIndex
from agent.retrieval.reindex import collection_name, reindex, remove_added
from agent.schemas import Scope

WORDS = "hf:/models/words"
OTHER = "hf:/models/other"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """2 documents (4 chunks) embedded by the 16-d fake under the default model name; model strings
    load as: WORDS -> the bag-of-words fake, OTHER -> an 8-d fake, anything else -> the 16-d fake."""

    def make_embeddings(spec: str, settings: Settings | None = None) -> Embeddings:
        if spec == WORDS:
            return WordEmbeddings()
        return DeterministicFakeEmbedding(size=8) if spec == OTHER else fake16()

    monkeypatch.setattr(agent.models, "make_embeddings", make_embeddings)
    return two_documents(tmp_path)


def _lane(index: FilingIndex) -> set[str]:
    """The chunk ids the added WORDS set holds."""
    ((_, store, model, _),) = index.added_vectors()
    assert model == WORDS
    return set(store.ids())


def test_added_vectors_are_searched_beside_the_index_own(settings: Settings) -> None:
    reader = FilingIndex.open(settings)  # opened before: sees the added set on its next search
    assert reader.added_dense_search("liquidity capital", 1) == {}
    result = reindex(settings, WORDS, batch=3, add=True)
    assert (result.status, result.added, result.total, result.embedded) == ("done", True, 4, 4)
    assert result.collection == collection_name("filings", WORDS)

    index = FilingIndex.open(settings)
    assert (index.embeddings_model, index.store.name) == (DEFAULT_EMBEDDINGS, "filings")  # type: ignore[attr-defined]
    assert index.manifest.added_vectors() == [(result.collection, WORDS, 11)]
    assert collections(index) == {"filings", result.collection}
    lanes = reader.added_dense_search("liquidity capital", 1)
    assert [h.id for h in lanes["dense2"]] == ["d-bolt::1"]  # the words model answered
    assert set(lanes["dense2"][0].stage_scores) == {"dense2"}
    # Scoped like the index's own vectors: a document filter holds in the added set too.
    scoped = reader.added_dense_search("liquidity capital", 4, {"doc_id": ["d-acme"]})
    assert {h.id for h in scoped["dense2"]} == {"d-acme::0", "d-acme::1"}

    hits = HybridRetriever(reader).search("liquidity capital", Scope())
    by_id = {h.id: h for h in hits}
    assert by_id["d-bolt::1"].stage_scores["dense2_rank"] == 1.0
    assert all(
        "dense" in h.stage_scores or "dense2" in h.stage_scores or "bm25" in h.stage_scores for h in hits
    )


def test_the_fusion_counts_the_added_ranking_as_a_dense_vote(settings: Settings) -> None:
    reader = FilingIndex.open(settings)
    hybrid = HybridRetriever(reader)
    before = {h.id: h.score for h in hybrid.search("liquidity capital", Scope())}
    reindex(settings, WORDS, add=True)
    after = {h.id: h for h in hybrid.search("liquidity capital", Scope())}
    context = hybrid.context
    added_vote = context.dense_weight / (context.fusion_k + 1)  # rank 1 in the added set
    assert after["d-bolt::1"].score == pytest.approx(before["d-bolt::1"] + added_vote)


def test_later_writes_and_removals_reach_the_added_set(settings: Settings) -> None:
    reindex(settings, WORDS, add=True)
    index = FilingIndex.open(settings)
    write_doc(index, "d-cat", ["Cat revenue from widget sales", "Cat supply risk"])
    assert _lane(index) == {"d-acme::0", "d-acme::1", "d-bolt::0", "d-bolt::1", "d-cat::0", "d-cat::1"}
    stored = index.added_vectors()[0][1].vectors(["d-cat::0"])
    assert stored["d-cat::0"] == pytest.approx(WordEmbeddings().embed_query("Cat revenue from widget sales"))
    assert index.remove("d-cat") is not None
    assert _lane(index) == {"d-acme::0", "d-acme::1", "d-bolt::0", "d-bolt::1"}
    assert index.store.count() == 4


def test_a_crashed_write_is_purged_from_the_added_set(settings: Settings) -> None:
    from agent.retrieval.index import DocumentRecord
    from agent.schemas import Chunk, ChunkMetadata

    reindex(settings, WORDS, add=True)
    index = FilingIndex.open(settings, embeddings=fake16())
    rec = DocumentRecord(doc_id="d-dead", source_path="/x/d-dead.pdf", sha256="d-dead", chunks=1)
    chunk = Chunk(
        id="d-dead::0", text="dead revenue", metadata=ChunkMetadata(doc_id="d-dead", source_path="/x")
    )
    with index.writer():  # the process dies before the commit
        index.begin(rec)
        index.add([chunk], fake16().embed_documents([chunk.text]))
    assert "d-dead::0" in _lane(index)
    with FilingIndex.open_for_write(settings, embeddings=fake16()) as writer:  # the next writer purges
        assert "d-dead::0" not in _lane(writer)
        assert writer.store.count() == 4


def test_a_crashed_add_resumes_and_searches_nothing_half_filled(settings: Settings) -> None:
    first = CountingEmbeddings(WordEmbeddings(), fail_at=3)
    with pytest.raises(RuntimeError, match="the embedder died"):
        reindex(settings, WORDS, batch=1, embeddings=first, add=True)
    index = FilingIndex.open(settings)
    assert index.added_dense_search("revenue", 4) == {}  # not searched until every chunk is in
    second = CountingEmbeddings(WordEmbeddings())
    result = reindex(settings, WORDS, batch=1, embeddings=second, add=True)
    assert (result.embedded, result.kept) == (2, 2)
    assert len(first.texts) + len(second.texts) == 4  # each chunk embedded once
    assert _lane(index) == {"d-acme::0", "d-acme::1", "d-bolt::0", "d-bolt::1"}


def test_roles_are_kept_apart_and_force_replaces_the_set(settings: Settings) -> None:
    with pytest.raises(ValueError, match="made this index's own vectors already; --add is for another"):
        reindex(settings, DEFAULT_EMBEDDINGS, add=True)
    first = reindex(settings, WORDS, add=True)
    with pytest.raises(ValueError, match="remove them first"):
        reindex(settings, WORDS)  # the added model cannot also become the index's own
    again = reindex(settings, WORDS, add=True)
    assert (again.status, again.collection) == ("unchanged", first.collection)
    forced = reindex(settings, WORDS, add=True, force=True)
    assert forced.collection == f"{first.collection}-b"
    index = FilingIndex.open(settings)
    assert collections(index) == {"filings", forced.collection}
    assert index.manifest.added_vectors() == [(forced.collection, WORDS, 11)]
    # Re-embedding the index's own vectors keeps the added set.
    switched = reindex(settings, OTHER)
    assert collections(index) == {switched.collection, forced.collection}
    assert [h.id for h in index.added_dense_search("liquidity capital", 1)["dense2"]] == ["d-bolt::1"]


def test_remove_deletes_the_added_set(settings: Settings) -> None:
    added = reindex(settings, WORDS, add=True)
    assert remove_added(settings, OTHER) is None
    assert remove_added(settings, WORDS) == added.collection
    index = FilingIndex.open(settings)
    assert collections(index) == {"filings"}
    assert index.manifest.added_vectors() == [] and index.manifest.retired_collections() == []
    assert index.added_dense_search("revenue", 4) == {}


def test_cli_add_and_remove(settings: Settings) -> None:
    base = ["--data-dir", str(settings.data_dir), "reindex", "--embeddings", WORDS]
    added = CliRunner().invoke(app, [*base, "--add"])
    assert added.exit_code == 0, added.output
    assert "re-embedded 4 chunks with hf:/models/words (4 embedded) in " in added.output
    assert f"searched beside the index's own ({DEFAULT_EMBEDDINGS})" in added.output
    same = CliRunner().invoke(app, [*base, "--add"])
    assert "the index searches vectors added with hf:/models/words; nothing to do" in same.output
    both = CliRunner().invoke(app, [*base, "--add", "--remove"])
    assert both.exit_code == 2 and both.output.strip() == "error: --add and --remove exclude each other"
    switch = CliRunner().invoke(app, base)
    assert switch.exit_code == 1 and len(switch.output.strip().splitlines()) == 1, switch.output
    assert "remove them first" in switch.output
    removed = CliRunner().invoke(app, [*base, "--remove"])
    assert removed.exit_code == 0 and "removed the vectors added with hf:/models/words" in removed.output
    gone = CliRunner().invoke(app, [*base, "--remove"])
    assert gone.exit_code == 1
    assert gone.output.strip() == "error: the index has no vectors added with hf:/models/words"
