"""Postgres checkpointer by configuration: a conversation continues across two processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.integration


def _turn(url: str, thread: str, message: str, tmp_path: Path) -> dict:
    env = {**os.environ, "FILINGS_CHECKPOINTER": url, "FILINGS_DATA_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, str(HERE / "_pg_turn.py"), thread, message],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_thread_continues_in_a_second_process(postgres_url, tmp_path):
    first = _turn(postgres_url, "analyst-1", "q1", tmp_path)
    second = _turn(postgres_url, "analyst-1", "q2", tmp_path)
    other = _turn(postgres_url, "analyst-2", "q1", tmp_path)

    assert first["pid"] != second["pid"]
    assert second["turns"][:2] == first["turns"]
    assert second["turns"][2:] == ["q2", f"pid {second['pid']} saw 3 turns"]
    assert other["turns"] == ["q1", f"pid {other['pid']} saw 1 turns"]  # threads stay apart
    # Nothing fell back to the SQLite default.
    assert not (tmp_path / "checkpoints.sqlite").exists()
