"""benchmarks/answer.py --results: the per-type and per-drafter summary of a saved eval run."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _module():
    spec = importlib.util.spec_from_file_location("bench_answer", ROOT / "benchmarks" / "answer.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_answer"] = module
    spec.loader.exec_module(module)
    return module


def _example(question: str, seconds: float, calls: int, stop: str = "accepted") -> dict:
    return {"question": question, "wall_seconds": seconds, "stop_reason": stop,
            "metrics": {"cost.llm_calls": calls, "cost.draft_prompt_tokens": 900 if calls else None}}  # fmt: skip


def test_rows_by_plan_form_and_drafter(tmp_path: Path, capsys) -> None:
    bench = _module()
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"examples": [
        _example("What was Fabrikam's operating margin in FY2022?", 8.0, 0),
        _example("Why did Fabrikam's margin fall in FY2022?", 60.0, 2),
        _example("Did Fabrikam's revenue increase in FY2022?", 90.0, 1, "abstained: budget"),
    ]}))  # fmt: skip
    rows = bench.rows_from_results(results)
    assert [(r.kind, r.computed) for r in rows] == [("figure", True), ("text", False), ("yes_no", False)]
    bench.print_summary(rows)
    out = capsys.readouterr().out
    computed = next(line for line in out.splitlines() if line.startswith("computed"))
    model = next(line for line in out.splitlines() if line.startswith("model"))
    assert computed.split()[1:3] == ["1", "8.0"] and model.split()[1:3] == ["2", "75.0"]
