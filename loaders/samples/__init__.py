"""Bundled sample filings (MIT-licensed real filings) for the demo, tests and regression evals."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SAMPLE_SUFFIXES = (".pdf", ".htm", ".html", ".txt")


def sample_dir() -> Path:
    """Folder holding the bundled sample filings."""
    return Path(str(files("loaders.samples")))


def sample_files() -> list[Path]:
    return sorted(p for p in sample_dir().iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES)
