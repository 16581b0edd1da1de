"""The eval tests read the session's shared index of the bundled samples (tests/integration/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def eval_samples_index(samples_index_dir: Path) -> Path:
    """The shared index: the evals only read it (their results go to their own --out dirs)."""
    return samples_index_dir
