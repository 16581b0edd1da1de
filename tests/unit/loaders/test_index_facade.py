"""FilingIndex on a real Chroma + bm25s in tmp dirs, with a deterministic fake embedding
(the real embedding model is exercised in tests/integration/ingest)."""

from __future__ import annotations

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from agent.config import Settings
from agent.retrieval.index import DocumentRecord, FilingIndex
from agent.schemas import Chunk, ChunkMetadata

TEXTS = {
    "acme": ["Acme revenue grew on strong widget demand", "Acme risk factors include supply chain"],
    "bolt": ["Bolt revenue fell as bolts sold poorly", "Bolt liquidity and capital resources remain strong"],
}


def _write(index: FilingIndex, doc_id: str, company: str, year: int, commit: bool = True) -> None:
    rec = DocumentRecord(
        doc_id=doc_id,
        source_path=f"/x/{doc_id}.pdf",
        sha256=doc_id,
        company=company,
        fiscal_year=year,
        form_type="10-K",
        pages=1,
        chunks=2,
    )
    index.begin(rec)
    chunks = [
        Chunk(
            id=f"{doc_id}::{i}",
            text=t,
            metadata=ChunkMetadata(
                doc_id=doc_id,
                source_path=rec.source_path,
                company=company,
                fiscal_year=year,
                form_type="10-K",
                item="7" if i == 0 else "1A",
                chunk_index=i,
            ),
        )
        for i, t in enumerate(TEXTS[company.lower()])
    ]
    index.add(chunks, index.embeddings.embed_documents([c.text for c in chunks]))
    if commit:
        index.commit(rec)


@pytest.fixture
def index(tmp_path):
    idx = FilingIndex.open(Settings(data_dir=tmp_path), embeddings=DeterministicFakeEmbedding(size=16))
    with idx.writer():
        _write(idx, "d-acme", "Acme", 2022)
        _write(idx, "d-bolt", "Bolt", 2023)
    yield idx
    idx.close()


def test_filters_and_fail_closed(index: FilingIndex) -> None:
    assert index.count() == 4
    assert {d.doc_id for d in index.documents()} == {"d-acme", "d-bolt"}
    hits = index.bm25_search("revenue", 5, {"company": ["Bolt"]})
    assert [h.id for h in hits] == ["d-bolt::0"]
    assert index.bm25_search("revenue", 5, {"doc_id": []}) == []
    assert index.dense_search("revenue", 5, {"doc_id": []}) == []
    dense = index.dense_search("revenue", 5, {"fiscal_year": ["2022"], "item": ["7"]})
    assert [h.id for h in dense] == ["d-acme::0"]
    assert len(index.dense_search("revenue", 10)) == 4


def test_bm25_filters_before_top_k(index: FilingIndex) -> None:
    # "strong" occurs in both docs; k=1 within Bolt must still return the Bolt chunk
    hits = index.bm25_search("strong", 1, {"doc_id": ["d-bolt"]})
    assert [h.id for h in hits] == ["d-bolt::1"]


def test_pending_documents_are_invisible_and_purged(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path)
    idx = FilingIndex.open(settings, embeddings=DeterministicFakeEmbedding(size=16))
    with idx.writer():
        _write(idx, "d-acme", "Acme", 2022)
        _write(idx, "d-bolt", "Bolt", 2023, commit=False)  # "crash" before commit
    assert idx.store.count() == 4
    assert idx.count() == 2
    assert all(h.chunk.metadata.doc_id == "d-acme" for h in idx.dense_search("bolt revenue", 10))
    assert idx.bm25_search("bolts", 10) == []
    idx.close()
    idx = FilingIndex.open(settings, embeddings=DeterministicFakeEmbedding(size=16))
    with idx.writer():
        pass
    assert idx.store.count() == 2
    assert idx.remove("d-acme") is not None
    assert idx.count() == 0 and idx.store.count() == 0 and idx.bm25_search("revenue", 3) == []


def test_amendment_points_at_the_original(index: FilingIndex) -> None:
    from loaders.pipeline import _amends

    amendment = DocumentRecord(
        doc_id="d-acme-a",
        source_path="/x/a.pdf",
        sha256="z",
        company="Acme",
        fiscal_year=2022,
        form_type="10-K/A",
    )
    assert _amends(index, amendment) == "d-acme"
    amendment.fiscal_year = 2021
    assert _amends(index, amendment) is None
