"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from agent.config import Settings

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    data_dir: Path | None = None
    config: Path | None = None


def settings_from(ctx: typer.Context, **flags: Any) -> Settings:
    """Settings for this invocation: command flags > global flags > env > TOML file > defaults."""
    state: CliState = ctx.find_root().obj or CliState()
    if state.config is not None:
        # The TOML source is located through FILINGS_CONFIG; a --config flag wins over the env var.
        os.environ["FILINGS_CONFIG"] = str(state.config)
    return Settings.load(data_dir=state.data_dir, **flags)
