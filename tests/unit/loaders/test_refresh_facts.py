"""A newer fact reader re-reads an unchanged document's facts only: no re-embedding, chunks kept,
facts replaced in one step (issue 18, point 1: facts and chunks stay in step)."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

import agent.models
import loaders.parse
import loaders.pipeline
from agent.config import Settings
from agent.retrieval.manifest import Manifest
from loaders.pipeline import ingest_paths

FILING = """Item 8. Financial Statements
ACME CORP CONSOLIDATED STATEMENTS OF OPERATIONS
(In millions, except per share amounts)
Year Ended December 31,
2023 2022
Net sales $ 1,250 $ 1,100
Operating income 210 (35)
Net income $ 150 $ (60)
"""


def test_stale_facts_are_re_read_without_re_embedding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "acme.txt").write_text(FILING)
    (folder / "acme.txt.meta.json").write_text(
        '{"company": "Acme Corp", "form_type": "10-K", "fiscal_year": 2023}'
    )
    report = ingest_paths([folder], settings, embeddings=DeterministicFakeEmbedding(size=16), workers=0)
    assert report.ingested == 1, report.results
    manifest = Manifest(settings.index_dir / "manifest.sqlite")
    (record,) = manifest.committed()
    before = manifest.facts()
    assert record.facts == len(before) == 6 and record.facts_version == loaders.pipeline.FACTS_VERSION
    chunk_ids = [c.id for c in manifest.doc_chunks(record.doc_id)]

    # A newer fact reader ships: the same file is re-read for its facts only.
    monkeypatch.setattr(loaders.pipeline, "FACTS_VERSION", record.facts_version + 1)
    monkeypatch.setattr(loaders.parse, "FACTS_VERSION", record.facts_version + 1)
    loads: list[str] = []
    monkeypatch.setattr(agent.models, "make_embeddings", lambda *a, **k: loads.append("x"))
    report = ingest_paths([folder], settings, workers=0)
    (result,) = report.results
    assert result.status == "skipped" and "6 facts re-read" in result.message, result
    assert loads == []  # nothing embedded
    (after_record,) = manifest.committed()
    assert after_record.facts_version == record.facts_version + 1 and after_record.facts == 6
    assert [c.id for c in manifest.doc_chunks(record.doc_id)] == chunk_ids
    after = manifest.facts()
    assert [(f.id, f.label, f.value, f.chunk_id) for f in after] == [
        (f.id, f.label, f.value, f.chunk_id) for f in before
    ]
    net_income = [f for f in after if f.label == "Net income" and f.period.fiscal_year == 2022]
    assert [(f.value, f.scale, f.unit) for f in net_income] == [(-60.0, 6, "USD")]

    # Current facts: a third ingest reads nothing.
    report = ingest_paths([folder], settings, workers=0)
    assert [r.message for r in report.results] == ["unchanged"]
    manifest.close()
