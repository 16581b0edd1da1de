"""An unchanged re-ingest does not load the embedding model (issue 15, point 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

import agent.models
from agent.config import Settings
from loaders.pipeline import ingest_paths

FILING = "Item 7. Management's Discussion\n" + "Acme revenue grew on strong widget demand in 2023.\n" * 8


def test_an_unchanged_reingest_never_loads_the_embedding_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(FILING)
    assert (
        ingest_paths([folder], settings, embeddings=DeterministicFakeEmbedding(size=16), workers=0).ingested
        == 1
    )

    loads: list[str] = []

    def make_embeddings(spec: str, settings: Settings | None = None) -> DeterministicFakeEmbedding:
        loads.append(spec)
        return DeterministicFakeEmbedding(size=16)

    monkeypatch.setattr(agent.models, "make_embeddings", make_embeddings)
    report = ingest_paths([folder], settings, workers=0)  # the model comes from settings, lazily
    assert [r.status for r in report.results] == ["skipped"]
    assert loads == []

    (folder / "b.txt").write_text(FILING.replace("Acme", "Bolt"))
    assert ingest_paths([folder], settings, workers=0).ingested == 1
    assert loads == [settings.embeddings_model]  # a file that needs embedding loads it, once
