"""A real index of the bundled samples (Apple 10-Qs, Amazon FY2022 10-K), built once per session
through the public `filings ingest`, and the research graph on the real local models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.config import Settings


@pytest.fixture(scope="session")
def samples_index_dir(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Path:
    from agent.cli import app

    data_dir = tmp_path_factory.mktemp("graph-index")
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "ingest", str(samples_dir)])
    assert result.exit_code == 0, result.output
    return data_dir


@pytest.fixture(scope="session")
def research(samples_index_dir: Path) -> Any:
    from graphs.research import build_research_graph

    settings = Settings(data_dir=samples_index_dir)
    return build_research_graph(settings=settings), settings.context()
