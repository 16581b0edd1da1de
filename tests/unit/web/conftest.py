"""A real index (Chroma + manifest) of the 2023 Q3 Apple 10-Q, built once through the ingest
pipeline with a fake embedder, and TestClients on the web app over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding
from starlette.testclient import TestClient

from agent.config import Settings
from agent.web.app import build_app
from loaders.pipeline import ingest_paths

SAMPLE = "2023 Q3 AAPL.pdf"


def fake_embeddings() -> DeterministicFakeEmbedding:
    return DeterministicFakeEmbedding(size=16)


@pytest.fixture(scope="session")
def indexed(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("web-data"))
    report = ingest_paths([samples_dir / SAMPLE], settings, embeddings=fake_embeddings(), workers=0)
    assert report.ok and report.ingested == 1, report.results
    return settings


@pytest.fixture
def embedder() -> DeterministicFakeEmbedding:
    return fake_embeddings()


@pytest.fixture
def client(indexed: Settings) -> Iterator[TestClient]:
    with TestClient(build_app(indexed, fake_embeddings())) as c:
        yield c


@pytest.fixture
def apple_id(client: TestClient) -> str:
    (filing,) = client.get("/web/api/library").json()["filings"]
    return filing["doc_id"]
