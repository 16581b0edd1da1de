"""Helpers of the hostile-input suite: the real `filings` command run as a subprocess under a
timeout (a hang fails the test instead of eating CI), and a plain-text filing to ingest."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

SMALL_8K = "financebench-dev/pdfs/FOOTLOCKER_2022_8K_dated-2022-05-20.pdf"  # 4 pages: cheap to embed
FILINGS = str(Path(sys.executable).with_name("filings"))

# A plain-text filing: Item headings and a statement table, so it is recognised as a filing.
TEXT_FILING = (
    "ACME WIDGETS CORP\nFORM 10-K\nItem 7. Management's Discussion and Analysis\n"
    "Revenue grew in fiscal 2023 on strong widget demand in every region we serve.\n"
    "Results of operations (in millions)\n2023 2022\nRevenue 1,482 1,310\nCost of revenue 903 812\n"
    "Operating income 201 166\nNet income 150 121\n"
)


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    def lines_naming(self, name: str) -> list[str]:
        return [ln for ln in self.text.splitlines() if name in ln]


def run(
    *args: object, timeout: float = 300, env: dict[str, str] | None = None, prefix: list[str] | None = None
) -> Run:
    """`filings ARGS` in a fresh process; a hang past ``timeout`` fails the test."""
    cmd = [*(prefix or []), FILINGS, *(str(a) for a in args)]
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"`{' '.join(cmd)}` hung for {timeout} s; output so far: {exc.stdout!r} {exc.stderr!r}")
    result = Run(proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in result.text, result.text
    return result
