"""Fixtures shared by the integration tests: ONE real index of the bundled samples per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture(scope="session")
def samples_index_dir(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Path:
    """A real index of the bundled samples (Apple 10-Qs, Amazon FY2022 10-K as EDGAR iXBRL HTML),
    built once per session through the public `filings ingest`. Tests that change an index work on
    a copy of this one (``shutil.copytree``: seconds, against a minute to ingest it again)."""
    from agent.cli import app

    data_dir = tmp_path_factory.mktemp("samples-index")
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "ingest", str(samples_dir)])
    assert result.exit_code == 0, result.output
    return data_dir
