"""Fake embedding models and a tiny real index (real Chroma + SQLite in a temp dir) for the tests of
the recorded embedding model and of `filings reindex`."""

from __future__ import annotations

import math
from pathlib import Path

from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings

from agent.config import Settings
from agent.retrieval.index import DocumentRecord, FilingIndex
from agent.schemas import Chunk, ChunkMetadata

TEXTS = {
    "d-acme": ["Acme revenue grew on strong widget demand", "Acme risk factors include supply chain"],
    "d-bolt": [
        "Bolt revenue fell as bolts sold poorly",
        "Bolt liquidity and capital resources remain strong",
    ],
}
WORDS = ["revenue", "widget", "risk", "supply", "bolts", "liquidity", "capital", "strong", "acme", "bolt"]


class WordEmbeddings(Embeddings):
    """A bag-of-words 'model' (one dimension per word of WORDS, plus one): similarity means shared
    words, so search results say which vectors answered."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        words = text.lower().split()
        vec = [float(words.count(w)) for w in WORDS] + [0.1]
        norm = math.sqrt(sum(v * v for v in vec))
        return [v / norm for v in vec]


class CountingEmbeddings(Embeddings):
    """Wraps a model; remembers every text it embedded; fails (``fail_with``) on batch ``fail_at``."""

    def __init__(
        self, inner: Embeddings, fail_at: int | None = None, fail_with: type[BaseException] = RuntimeError
    ) -> None:
        self.inner, self.fail_at, self.fail_with = inner, fail_at, fail_with
        self.batches = 0
        self.texts: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.batches += 1
        if self.fail_at is not None and self.batches == self.fail_at:
            raise self.fail_with("the embedder died")
        self.texts += texts
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def fake16() -> DeterministicFakeEmbedding:
    return DeterministicFakeEmbedding(size=16)


def write_doc(index: FilingIndex, doc_id: str, texts: list[str] | None = None) -> None:
    """Ingest one committed document the way the pipeline does (under the index's writer)."""
    texts = texts or TEXTS[doc_id]
    rec = DocumentRecord(doc_id=doc_id, source_path=f"/x/{doc_id}.pdf", sha256=doc_id, chunks=len(texts))
    chunks = [
        Chunk(
            id=f"{doc_id}::{i}",
            text=t,
            metadata=ChunkMetadata(doc_id=doc_id, source_path=rec.source_path, chunk_index=i),
        )
        for i, t in enumerate(texts)
    ]
    with index.writer():
        index.begin(rec)
        index.add(chunks, index.embeddings.embed_documents(texts))
        index.commit(rec)


def two_documents(data_dir: Path) -> Settings:
    """An index of 2 documents (4 chunks: TEXTS) embedded by the 16-d fake under the default model name."""
    settings = Settings(data_dir=data_dir)
    index = FilingIndex.open(settings, embeddings=fake16())
    write_doc(index, "d-acme")
    write_doc(index, "d-bolt")
    index.close()
    return settings


def collections(index: FilingIndex) -> set[str]:
    return {c if isinstance(c, str) else c.name for c in index.store.client.list_collections()}
