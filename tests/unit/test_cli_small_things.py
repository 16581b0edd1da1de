"""Issue 15, point 12: no index is one line (and creates nothing); undrafted answers show no faithfulness."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.commands.ask import render_answer
from agent.schemas import Answer

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "What was Apple's revenue in 2023?"],
        ["search", "What was Apple's revenue in 2023?"],
        ["chat"],
    ],
    ids=lambda a: a[0],
)
def test_a_missing_data_dir_is_one_line_and_is_not_created(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "nowhere"
    result = runner.invoke(app, ["--data-dir", str(missing), *args], env={"FILINGS_CONFIG": ""})
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == f"no index at {missing} (run `filings ingest PATH` first)"
    assert not missing.exists()


@pytest.mark.parametrize("stop", ["out of scope", "invalid question"])
def test_an_undrafted_answer_prints_no_faithfulness(stop: str, capsys: pytest.CaptureFixture[str]) -> None:
    render_answer(
        Answer(question="q?", text="This question is outside the ingested filings.", stop_reason=stop)
    )  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert stop in out
    assert "faithfulness" not in out and "revisions" not in out


def test_a_drafted_answer_still_prints_faithfulness(capsys: pytest.CaptureFixture[str]) -> None:
    render_answer(Answer(question="q?", text="Net sales were $81.8 billion [1].", faithfulness=1.0))
    out = capsys.readouterr().out
    assert "accepted · faithfulness 1.00 · revisions 0" in out


def test_models_fetch_prints_one_line_per_model_at_any_width(tmp_path, monkeypatch) -> None:
    """`make demo` output: a fetched model's path is never folded mid-word (issue 15, point 7)."""
    import agent.local_models as local_models

    long_path = tmp_path / "a-rather-long-cache-directory-name" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    monkeypatch.setattr(local_models, "ensure_local_model", lambda name, models_dir, **kw: long_path)
    result = CliRunner().invoke(app, ["models", "fetch", "smollm2-135m"], env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and str(long_path) in lines[0]
