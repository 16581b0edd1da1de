"""Hand-made documents and a small in-memory index that follows FilingIndex's contract."""

from __future__ import annotations

from collections.abc import Sequence

from agent.retrieval.manifest import DocumentRecord
from agent.retrieval.protocols import MetadataFilter
from agent.schemas import Chunk, ChunkMetadata, ScoredChunk


def record(
    doc_id: str,
    company: str,
    form: str,
    year: int,
    quarter: int | None = None,
    ticker: str | None = None,
    cik: str | None = None,
) -> DocumentRecord:
    return DocumentRecord(
        doc_id=doc_id,
        source_path=f"/filings/{doc_id}.pdf",
        sha256=doc_id,
        company=company,
        ticker=ticker,
        cik=cik,
        form_type=form,
        fiscal_year=year,
        fiscal_quarter=quarter,
    )


def sample_documents() -> list[DocumentRecord]:
    """Registrants and periods as they appear in the shared FinanceBench / sec-10-q filings."""
    return [
        record("aapl-22q3", "Apple Inc.", "10-Q", 2022, 3, "AAPL", "0000320193"),
        record("aapl-23q3", "Apple Inc.", "10-Q", 2023, 3, "AAPL", "0000320193"),
        record("mmm-22", "3M Company", "10-K", 2022, None, "MMM", "0000066740"),
        record("amzn-22", "Amazon.com, Inc.", "10-K", 2022, None, "AMZN", "0001018724"),
        record("amzn-19", "Amazon.com, Inc.", "10-K", 2019, None, "AMZN", "0001018724"),
        record("jnj-23q2", "Johnson & Johnson", "EARNINGS", 2023, 2, "JNJ", "0000200406"),
        record("jpm-22q2", "JPMorgan Chase & Co.", "10-Q", 2022, 2, "JPM", "0000019617"),
        record("pep-22", "PepsiCo, Inc.", "10-K", 2022, None, "PEP", "0000077476"),
        record("pep-23-8k", "PepsiCo, Inc.", "8-K", 2023, None, "PEP", "0000077476"),
        record("awk-21", "American Water Works Company, Inc.", "10-K", 2021, None, "AWK", "0001410636"),
        record("pfe-21", "Pfizer Inc.", "10-K", 2021, None, "PFE", "0000078003"),
        record("mgm-23q2", "MGM Resorts International", "10-Q", 2023, 2, "MGM", "0000789570"),
        record("sq-16", "Square, Inc.", "10-K", 2016, None, "SQ", "0001512673"),
        record("block-21", "Block, Inc.", "10-K", 2021, None, "SQ", "0001512673"),
    ]


def make_chunk(
    cid: str, doc_id: str, text: str, page: int = 0, item: str | None = None, **meta: object
) -> Chunk:
    return Chunk(
        id=cid,
        text=text,
        metadata=ChunkMetadata(doc_id=doc_id, source_path=f"/f/{doc_id}.pdf", page=page, item=item, **meta),
    )


class FakeIndex:
    """Scores by shared words; honours filters exactly like FilingIndex (empty list -> nothing)."""

    def __init__(self, chunks: Sequence[Chunk], docs: Sequence[DocumentRecord] = ()) -> None:
        self.chunks = list(chunks)
        self.docs = list(docs)
        self.calls: list[tuple[str, MetadataFilter | None]] = []

    def documents(self) -> list[DocumentRecord]:
        return self.docs

    def _passes(self, chunk: Chunk, filter: MetadataFilter | None) -> bool:
        meta = chunk.metadata.model_dump()
        return all(
            meta.get(f) in values or str(meta.get(f)) in {str(v) for v in values}
            for f, values in (filter or {}).items()
        )

    def _search(
        self, name: str, query: str, k: int, filter: MetadataFilter | None, reverse: bool
    ) -> list[ScoredChunk]:
        self.calls.append((name, filter))
        words = set(query.lower().split())
        scored = []
        for pos, c in enumerate(self.chunks):
            if not self._passes(c, filter):
                continue
            overlap = len(words & set(c.text.lower().split()))
            if overlap:
                # the two rankers break ties in opposite orders, so fusion has work to do
                scored.append((overlap, -pos if not reverse else pos, c))
        scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
        return [ScoredChunk(chunk=c, score=float(s), stage_scores={name: float(s)}) for s, _, c in scored[:k]]

    def dense_search(self, query: str, k: int, filter: MetadataFilter | None = None) -> list[ScoredChunk]:
        return self._search("dense", query, k, filter, reverse=False)

    def bm25_search(self, query: str, k: int, filter: MetadataFilter | None = None) -> list[ScoredChunk]:
        return self._search("bm25", query, k, filter, reverse=True)

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        by_id = {c.id: c for c in self.chunks}
        return [by_id[i] for i in ids if i in by_id]

    def count(self) -> int:
        return len(self.chunks)
