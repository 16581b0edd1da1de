"""Fixtures of the hostile-input suite (helpers live in ``hostile_cli``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hostile_cli import SMALL_8K


@pytest.fixture
def good_filing(shared_data: Path, tmp_path: Path) -> Path:
    """A small real filing (4 pages) alone in a folder of its own."""
    folder = tmp_path / "in"
    folder.mkdir()
    return Path(shutil.copy(shared_data / SMALL_8K, folder))
