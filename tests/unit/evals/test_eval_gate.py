"""The regression gate on hand-made metric means."""

from __future__ import annotations

import math

from evals.gate import compare, flat_means, rule_for
from evals.results import SuiteResult


def test_unchanged_passes_and_drop_beyond_tolerance_fails() -> None:
    base = {"context.page_recall": 0.80, "answer.numeric_match": 0.60, "cost.llm_calls": 4.0}
    assert compare(dict(base), base).passed
    # Within tolerance (0.05 absolute) still passes.
    assert compare({**base, "context.page_recall": 0.76}, base).passed
    report = compare({**base, "context.page_recall": 0.70}, base)
    assert not report.passed
    assert [r.metric for r in report.failures] == ["context.page_recall"]
    assert "FAILED" in report.markdown() and "❌ regressed" in report.markdown()


def test_directions_and_relative_cost_tolerance() -> None:
    base = {"cost.llm_calls": 4.0, "decomposition.duplicate_rate": 0.0}
    assert compare({"cost.llm_calls": 4.9, "decomposition.duplicate_rate": 0.0}, base).passed  # +22% < 25%
    failed = compare({"cost.llm_calls": 5.2, "decomposition.duplicate_rate": 0.2}, base)
    assert {r.metric for r in failed.failures} == {"cost.llm_calls", "decomposition.duplicate_rate"}
    improved = compare({"cost.llm_calls": 2.0, "decomposition.duplicate_rate": 0.0}, base)
    assert [r.status for r in improved.rows if r.metric == "cost.llm_calls"] == ["improved"]


def test_missing_nan_new_and_ungated_metrics() -> None:
    base = {"context.mrr": 0.5, "cost.seconds": 10.0}
    report = compare({"context.mrr": math.nan, "cost.seconds": 99.0, "answer.numeric_match": 0.3}, base)
    status = {r.metric: r.status for r in report.rows}
    assert status == {"context.mrr": "missing", "cost.seconds": "not gated", "answer.numeric_match": "new"}
    assert not report.passed
    # A per-metric override can loosen a rule.
    assert compare({"context.mrr": 0.3}, {"context.mrr": 0.5}, overrides={"context.mrr": 0.25}).passed


def test_rules_and_flat_means() -> None:
    assert rule_for("judged.faithfulness").tolerance == 0.10
    assert rule_for("retrieval.mrr").direction == "higher"
    result = SuiteResult(
        suite="s",
        metrics={"context.mrr": {"mean": 0.5}},
        judged={"metrics": {"faithfulness": {"mean": 0.7}}},
        critic={"precision": 1.0, "recall": 0.75},
    )
    assert flat_means(result) == {
        "context.mrr": 0.5,
        "judged.faithfulness": 0.7,
        "critic.precision": 1.0,
        "critic.recall": 0.75,
    }


def test_config_differences_are_reported() -> None:
    from evals.gate import gate_results

    base = SuiteResult(
        suite="s", config={"context": {"drafter_model": "a", "dense_k": 30}}, metrics={"m": {"mean": 1.0}}
    )
    cur = SuiteResult(
        suite="s", config={"context": {"drafter_model": "b", "dense_k": 30}}, metrics={"m": {"mean": 1.0}}
    )
    report = gate_results(cur, base)
    assert report.passed
    assert report.notes[0] == "configuration differs from the baseline: drafter_model: 'a' -> 'b'"
    assert "drafter_model" in report.markdown()


def test_a_tier_left_out_on_purpose_is_not_compared_but_a_lost_metric_fails() -> None:
    from evals.gate import gate_results

    base = SuiteResult(
        suite="s",
        tier="all",
        metrics={"m": {"mean": 1.0}, "gone": {"mean": 0.5}},
        judged={"metrics": {"faithfulness": {"mean": 0.7}}},
        critic={"precision": 1.0},
    )
    cur = SuiteResult(suite="s", tier="deterministic", metrics={"m": {"mean": 1.0}})
    report = gate_results(cur, base)
    assert [r.metric for r in report.failures] == ["gone"]  # a deterministic metric that vanished
    assert not any(r.metric.startswith(("judged.", "critic.")) for r in report.rows)
    assert "the judged tier was not run: its baseline metrics are not compared" in report.notes
    assert "the critic tier was not run: its baseline metrics are not compared" in report.notes
    judged = cur.model_copy(update={"tier": "all", "judged": {"metrics": {}}})
    assert "judged.faithfulness" in [r.metric for r in gate_results(judged, base).failures]
