"""The regression gate on the real stack: real index of the bundled filings, real research graph,
a real (small) local model. Unchanged system passes; retrieval cut to k=1 fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# smollm2 really runs and is the fastest model we have; answers are poor, but the gate compares like
# with like. One question, no reranker model and no revisions keep this to a few LLM calls per run.
COMMON = [
    "--suite", "bundled", "--limit", "1", "--chat-model", "local:smollm2-135m", "--no-critic",
    "--set", "reranker_model=none", "--set", "max_revisions=0",
]  # fmt: skip
DEGRADED = [
    "--set",
    "dense_k=1",
    "--set",
    "bm25_k=1",
    "--set",
    "rerank_candidates=1",
    "--set",
    "context_chunks=1",
]


def invoke(data_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "eval", *args])
    return result.exit_code, result.output


def test_gate_passes_unchanged_and_fails_degraded(eval_samples_index: Path, tmp_path: Path) -> None:
    base = tmp_path / "baseline.json"
    code, out = invoke(eval_samples_index, "baseline", *COMMON, "--out", str(base))
    assert code == 0, out
    recorded = json.loads(base.read_text())
    assert recorded["suite"] == "bundled" and len(recorded["examples"]) == 1
    # The evidence page is in the drafter's context of the unchanged system (the degraded one loses it).
    assert recorded["metrics"]["context.page_recall"]["mean"] == 1.0

    code, out = invoke(
        eval_samples_index, "run", *COMMON, "--baseline", str(base), "--out", str(tmp_path / "same")
    )
    assert code == 0, out
    assert "regression gate passed" in out
    report = (tmp_path / "same" / "report.md").read_text()
    assert "Regression gate: PASSED" in report
    assert (tmp_path / "same" / "latency_per_node.png").is_file()

    code, out = invoke(
        eval_samples_index, "run", *COMMON, *DEGRADED, "--baseline", str(base), "--out", str(tmp_path / "bad")
    )
    assert code == 1, out
    assert "REGRESSED" in out and "FAILED" in out
    degraded = json.loads((tmp_path / "bad" / "results.json").read_text())
    assert degraded["config"]["context"]["context_chunks"] == 1
    # One ranked passage; the passages the drafting step added for our figures are marked apart.
    assert all(len([c for c in e["context"] if not c["added"]]) <= 1 for e in degraded["examples"])
    # `filings eval report` re-renders the failing run against the baseline.
    (tmp_path / "bad" / "report.md").unlink()
    code, out = invoke(
        eval_samples_index, "report", str(tmp_path / "bad" / "results.json"), "--baseline", str(base)
    )
    assert code == 0, out
    assert "Regression gate: FAILED" in (tmp_path / "bad" / "report.md").read_text()
