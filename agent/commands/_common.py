"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from typer.core import TyperGroup

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


def _user_errors() -> tuple[type[Exception], ...]:
    from agent.local_models import LocalModelError
    from agent.models import MissingProviderError, ModelSpecError

    return (LocalModelError, ModelSpecError, MissingProviderError)


class ReportingGroup(TyperGroup):
    """The root command group: an error the user can fix wherever a model is loaded (a damaged or
    missing local model, a bad model string, a missing provider package) ends any command with one
    line on stderr and exit code 1, not a traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context
        try:
            return super().invoke(ctx)
        except _user_errors() as exc:  # evaluated only when an exception propagates
            from agent.terminal import safe

            err_console.print(
                f"error: {safe(exc, multiline=False)}",
                style="red",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(code=1) from None
