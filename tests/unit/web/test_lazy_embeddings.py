"""The web app's upload embedder is the index's model: the recorded one, again after a reindex."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings

import agent.models
from agent.config import DEFAULT_EMBEDDINGS, Settings
from agent.retrieval.index import FilingIndex
from agent.web.app import LazyEmbeddings


def test_uploads_embed_with_the_recorded_model_and_follow_a_reindex(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []

    def make_embeddings(spec: str, settings: Settings | None = None) -> Embeddings:
        loads.append(spec)
        return DeterministicFakeEmbedding(size=16)

    monkeypatch.setattr(agent.models, "make_embeddings", make_embeddings)
    settings = Settings(data_dir=tmp_path)
    lazy = LazyEmbeddings(settings)
    lazy.embed_query("no index yet")
    index = FilingIndex.open(settings)
    index.manifest.record_embeddings("hf:/models/recorded", 16)
    lazy.embed_documents(["an upload"])
    lazy.embed_documents(["another upload"])
    assert loads == [DEFAULT_EMBEDDINGS, "hf:/models/recorded"]  # loaded once per model
