"""Typed facts follow their document through the manifest: invisible while it is pending,
visible with its commit, replaced with it, gone with it (issue 18, point 1)."""

from __future__ import annotations

from agent.retrieval.manifest import DocumentRecord, Manifest
from agent.schemas import Chunk, ChunkMetadata, Fact, FactPeriod


def _record(doc_id: str, path: str = "/x/a.pdf") -> DocumentRecord:
    return DocumentRecord(
        doc_id=doc_id, source_path=path, sha256=doc_id, company="Acme Corp", fiscal_year=2023
    )


def _fact(doc_id: str, n: int, statement: str = "income", year: int = 2023) -> Fact:
    return Fact(
        id=f"{doc_id}::f{n}",
        doc_id=doc_id,
        page=3,
        chunk_id=f"{doc_id}::0",
        statement=statement,  # type: ignore[arg-type]
        label="Total net sales",
        period=FactPeriod(kind="duration", end=f"{year}-07-01", months=3, fiscal_year=year, fiscal_quarter=3),
        value=81797 + n,
        scale=6,
        unit="USD",
        text=f"$ {81797 + n:,}",
    )


def _chunk(doc_id: str) -> Chunk:
    return Chunk(
        id=f"{doc_id}::0",
        text="Total net sales $ 81,797",
        metadata=ChunkMetadata(doc_id=doc_id, source_path="/x/a.pdf"),
    )


def _ingest(
    m: Manifest, doc_id: str, facts: list[Fact], replaces: list[str] | None = None, commit: bool = True
) -> None:
    rec = _record(doc_id)
    m.begin_document(rec)
    m.add_chunks([_chunk(doc_id)])
    m.add_facts(facts)
    if commit:
        m.commit_document(rec, replaces or [])


def test_facts_are_visible_only_once_their_document_is_committed(tmp_path) -> None:
    m = Manifest(tmp_path / "manifest.sqlite")
    _ingest(m, "d1", [_fact("d1", 0), _fact("d1", 1, "balance")], commit=False)
    assert m.facts() == [] and m.count_facts("d1") == 2
    m.commit_document(_record("d1"), [])
    got = m.facts()
    assert [f.id for f in got] == ["d1::f0", "d1::f1"]
    assert got[0] == _fact("d1", 0)  # round-trips every field
    assert got[0].amount == 81797e6
    assert [f.id for f in m.facts(statement="balance")] == ["d1::f1"]
    assert m.facts(fiscal_year=2022) == [] and len(m.facts(doc_ids=["d1"])) == 2
    assert m.facts(doc_ids=[]) == []


def test_replacing_or_dropping_a_document_takes_its_facts_with_it(tmp_path) -> None:
    m = Manifest(tmp_path / "manifest.sqlite")
    _ingest(m, "old", [_fact("old", 0)])
    _ingest(m, "new", [_fact("new", 0, year=2024)], replaces=["old"])
    assert [f.id for f in m.facts()] == ["new::f0"] and m.count_facts("old") == 0
    # Re-ingesting the same document starts its facts afresh (no duplicates, no leftovers).
    _ingest(m, "new", [_fact("new", 5)])
    assert [f.id for f in m.facts()] == ["new::f5"]
    m.drop_document("new")
    assert m.facts() == [] and m.count_facts("new") == 0


def test_a_crash_mid_ingest_leaves_no_visible_facts_and_purging_removes_them(tmp_path) -> None:
    m = Manifest(tmp_path / "manifest.sqlite")
    _ingest(m, "d1", [_fact("d1", 0)], commit=False)
    m.close()
    reopened = Manifest(tmp_path / "manifest.sqlite")
    assert reopened.facts() == [] and reopened.leftovers() == ["d1"]
    reopened.purged("d1")
    assert reopened.count_facts("d1") == 0
