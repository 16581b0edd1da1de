"""Fixtures for the LangChain-way tests (servers, embedding examples, notebooks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .servers import postgres_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a real PostgreSQL started from the Debian package on loopback for this session."""
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def apple_data_dir(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Path:
    """A data dir holding a real index of the two bundled Apple 10-Qs, built by `filings ingest`."""
    from typer.testing import CliRunner

    from agent.cli import app

    data_dir = tmp_path_factory.mktemp("langchain-way-index")
    files = [str(samples_dir / "2022 Q3 AAPL.pdf"), str(samples_dir / "2023 Q3 AAPL.pdf")]
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "ingest", *files])
    assert result.exit_code == 0, result.output
    return data_dir
