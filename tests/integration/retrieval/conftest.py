"""A real small index (real loader, real MiniLM embeddings, real Chroma + BM25) from the bundled
Apple 10-Q samples, built once per session in a temp dir through the public `filings ingest`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.config import Settings


@pytest.fixture(scope="session")
def apple_index_dir(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Path:
    from agent.cli import app

    data_dir = tmp_path_factory.mktemp("retrieval-index")
    files = [str(samples_dir / "2022 Q3 AAPL.pdf"), str(samples_dir / "2023 Q3 AAPL.pdf")]
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "ingest", *files])
    assert result.exit_code == 0, result.output
    return data_dir


@pytest.fixture
def apple_settings(apple_index_dir: Path) -> Settings:
    return Settings(data_dir=apple_index_dir)
