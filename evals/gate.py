"""The regression gate: compare a run's metric means with a baseline's, within tolerances.

A metric *regresses* when it moves in its bad direction by more than its tolerance (absolute for
rates in [0, 1], relative for costs). Metrics the baseline has but the run lacks fail too (a
silently vanished metric is a regression), except those of a tier the run left out on purpose;
NaN-only metrics are reported, never passed silently.
Wall-clock seconds are reported but not gated (they depend on the machine).
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, field
from typing import Literal

from evals.results import SuiteResult

Direction = Literal["higher", "lower"]
Status = Literal["ok", "regressed", "improved", "missing", "new", "not gated"]


@dataclass(frozen=True)
class Rule:
    pattern: str
    direction: Direction
    tolerance: float
    relative: bool = False


# First matching rule wins. Keep patterns specific before general.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("cost.seconds", "lower", math.inf),  # machine-dependent: reported only
    Rule("cost.*", "lower", 0.25, relative=True),
    Rule("decomposition.count", "lower", math.inf),  # descriptive, not better or worse
    Rule("decomposition.duplicate_rate", "lower", 0.05),
    Rule("answer.abstained", "lower", math.inf),  # judged through correct/false abstention
    Rule("answer.false_abstention", "lower", 0.10),
    Rule("rerank.gain", "higher", 0.10),
    Rule("judged.*", "higher", 0.10),
    Rule("critic.*", "higher", 0.10),
    Rule("*", "higher", 0.05),
)


@dataclass
class GateRow:
    metric: str
    baseline: float | None
    current: float | None
    delta: float | None
    tolerance: str
    status: Status


@dataclass
class GateReport:
    rows: list[GateRow]
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(r.status in ("regressed", "missing") for r in self.rows)

    @property
    def failures(self) -> list[GateRow]:
        return [r for r in self.rows if r.status in ("regressed", "missing")]

    def markdown(self) -> str:
        lines = [
            f"**Regression gate: {'PASSED' if self.passed else 'FAILED'}**",
            "",
            *[f"> {n}" for n in self.notes],
            *([""] if self.notes else []),
            "| metric | baseline | current | delta | tolerance | status |",
            "|---|---:|---:|---:|---|---|",
        ]
        fmt = lambda v: "—" if v is None else f"{v:.4g}"  # noqa: E731
        for r in self.rows:
            mark = {"regressed": "❌ regressed", "missing": "❌ missing", "improved": "✅ improved"}.get(
                r.status, r.status
            )
            lines.append(
                f"| {r.metric} | {fmt(r.baseline)} | {fmt(r.current)} | {fmt(r.delta)} | {r.tolerance} | {mark} |"
            )
        return "\n".join(lines)


def rule_for(metric: str, rules: tuple[Rule, ...] = DEFAULT_RULES) -> Rule:
    return next(r for r in rules if fnmatch.fnmatchcase(metric, r.pattern))


def _valid(v: float | None) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def compare(
    current: dict[str, float | None],
    baseline: dict[str, float | None],
    *,
    rules: tuple[Rule, ...] = DEFAULT_RULES,
    overrides: dict[str, float] | None = None,
) -> GateReport:
    """Gate ``current`` metric means against ``baseline`` means. ``overrides``: metric -> tolerance."""
    rows: list[GateRow] = []
    for metric in sorted(set(baseline) | set(current)):
        rule = rule_for(metric, rules)
        tol = (overrides or {}).get(metric, rule.tolerance)
        b, c = baseline.get(metric), current.get(metric)
        tol_text = "not gated" if math.isinf(tol) else (f"{tol:.0%} rel" if rule.relative else f"±{tol:g}")
        if not _valid(b):
            rows.append(
                GateRow(
                    metric,
                    None,
                    c if _valid(c) else None,
                    None,
                    tol_text,
                    "new" if _valid(c) else "not gated",
                )
            )
            continue
        assert b is not None
        if not _valid(c):
            status: Status = "not gated" if math.isinf(tol) else "missing"
            rows.append(GateRow(metric, b, None, None, tol_text, status))
            continue
        assert c is not None
        delta = c - b
        worse = -delta if rule.direction == "higher" else delta
        allowed = tol * abs(b) if rule.relative else tol
        if math.isinf(tol):
            status = "not gated"
        elif worse > allowed + 1e-12:
            status = "regressed"
        elif worse < -1e-12:
            status = "improved"
        else:
            status = "ok"
        rows.append(GateRow(metric, b, c, delta, tol_text, status))
    return GateReport(rows)


def gate_results(
    current: SuiteResult, baseline: SuiteResult, *, overrides: dict[str, float] | None = None
) -> GateReport:
    """Gate two suite results (deterministic metrics, judged means and critic scores). A tier the
    current run did not include (``--tier deterministic``, ``--no-critic``) is not compared, and
    the notes say so: it was left out on purpose, not lost."""
    then = flat_means(baseline)
    skipped = []
    if current.tier == "deterministic" and not current.judged.get("metrics"):
        skipped.append("judged")
    if not current.critic:
        skipped.append("critic")
    for tier in skipped:
        then = {k: v for k, v in then.items() if not k.startswith(f"{tier}.")}
    report = compare(flat_means(current), then, overrides=overrides)
    report.notes = config_differences(current, baseline) + [
        f"the {tier} tier was not run: its baseline metrics are not compared" for tier in skipped
    ]
    return report


def config_differences(current: SuiteResult, baseline: SuiteResult) -> list[str]:
    """What changed in the run's configuration since the baseline (models, k values...): context for a
    regression, not a failure by itself — changing them is exactly what the gate is there to check."""
    now, then = current.config.get("context") or {}, baseline.config.get("context") or {}
    notes = [
        f"{k}: {then.get(k)!r} -> {now.get(k)!r}"
        for k in sorted(set(now) | set(then))
        if now.get(k) != then.get(k)
    ]
    n_now, n_then = len(current.examples), len(baseline.examples)
    if n_now != n_then:
        notes.append(f"questions: {n_then} -> {n_now}")
    return [f"configuration differs from the baseline: {n}" for n in notes]


def flat_means(result: SuiteResult) -> dict[str, float | None]:
    """All gateable means of a result: deterministic metrics, ``judged.<metric>``, ``critic.<score>``."""
    out = dict(result.means())
    for name, summary in (result.judged.get("metrics") or {}).items():
        out[f"judged.{name}"] = summary.get("mean")
    for name in ("precision", "recall"):
        if name in result.critic:
            out[f"critic.{name}"] = result.critic[name]
    return out
