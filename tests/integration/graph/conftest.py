"""The research graph on the real local models over the session's index of the bundled samples
(``samples_index_dir``, from tests/integration/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.config import Settings


@pytest.fixture(scope="session")
def research(samples_index_dir: Path) -> Any:
    from graphs.research import build_research_graph

    settings = Settings(data_dir=samples_index_dir)
    return build_research_graph(settings=settings), settings.context()
