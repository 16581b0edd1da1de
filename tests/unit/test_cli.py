"""The CLI skeleton: every command exists with real help text."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from agent.cli import app

runner = CliRunner()
COMMANDS = ["ingest", "docs", "search", "ask", "chat", "threads", "eval", "trace", "serve", "models"]


def test_root_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_has_help(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    # Real help text, not an empty stub.
    assert len(result.output.strip().splitlines()) > 3


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == "0.1.0"


def test_eval_judge_refuses_results_without_answers(tmp_path) -> None:
    from evals.results import ExampleResult, SuiteResult

    path = SuiteResult(suite="mini", examples=[ExampleResult(id="r", question="q?")]).save(
        tmp_path / "results.json"
    )
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "data"), "eval", "judge", str(path)])
    assert result.exit_code == 2
    assert "no answers to judge" in result.output
    missing = runner.invoke(app, ["eval", "judge", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "no results file" in missing.output
