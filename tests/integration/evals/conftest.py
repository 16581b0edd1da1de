"""A real index of the bundled samples for the eval tests, built once per session via `filings ingest`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture(scope="session")
def eval_samples_index(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Path:
    from agent.cli import app

    data_dir = tmp_path_factory.mktemp("eval-index")
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "ingest", str(samples_dir)])
    assert result.exit_code == 0, result.output
    return data_dir
