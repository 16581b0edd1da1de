"""Fixtures shared by the whole suite. Keep additions small; put area-specific fixtures in the
conftest of the area's folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Nothing may reach the Hugging Face hub or analytics endpoints from the tests.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the repo (real filings and question sets written by others)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared data folder is missing: {SHARED_DATA} (CI clones the repo beside ../shared)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    from loaders.samples import sample_dir

    return sample_dir()


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the developer's own config or writes into their data dir by accident."""
    for key in list(os.environ):
        if key.startswith("FILINGS_") and key not in ("FILINGS_MODEL_DIR",):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("FILINGS_DATA_DIR", str(tmp_path_factory.mktemp("filings-data")))
