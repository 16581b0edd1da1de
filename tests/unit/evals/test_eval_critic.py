"""Planted-error drafts from real filing text, judged by the real critic node (scripted judge)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "graph"))
from graph_fakes import FakeResources, ScriptedChatModel

from agent.config import Context
from evals.critic_eval import KINDS, evaluate_critic, plant_cases
from evals.results import ContextChunk, ExampleResult

# Lines copied from the bundled filings (Apple 2023 Q3 10-Q p.4 and p.14, Amazon FY2022 10-K).
INCOME = """CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Unaudited)
(In millions, except number of shares, which are reflected in thousands, and per-share amounts)
Net sales:
Products $ 60,584 $ 63,355 $ 230,901 $ 245,241
Total net sales 81,797 82,959 293,787 304,182"""
BUYBACK = """During the nine months ended July 1, 2023, the Company repurchased 365 million shares of its
common stock for $56.1 billion, excluding excise tax due under the Inflation Reduction Act of 2022."""
RISK = """The Company's business, reputation, results of operations, financial condition and stock price can be
affected by a number of factors, whether currently known or unknown."""
AWS = """Amazon Web Services offers a broad set of on-demand technology services, including compute, storage,
database, analytics, and machine learning, and other services."""


def runs() -> list[ExampleResult]:
    src = "/filings/2023 Q3 AAPL.pdf"
    return [
        ExampleResult(id="sales", question="What were Apple's net sales?", context=[
            ContextChunk(id="A::3", source=src, page=3, text=INCOME), ContextChunk(id="A::40", source=src, page=30, text=RISK)]),
        ExampleResult(id="buyback", question="How much stock did Apple buy back?", context=[
            ContextChunk(id="A::50", source=src, page=13, text=BUYBACK), ContextChunk(id="Z::9", source="/f/amzn.htm", page=2, text=AWS)]),
    ]  # fmt: skip


def test_planted_cases_are_deterministic_and_well_formed() -> None:
    cases = plant_cases(runs())
    assert [c.kind for c in cases] == list(KINDS) * 2
    assert [c.draft for c in cases] == [c.draft for c in plant_cases(runs())]
    by = {(c.id.split(":")[0], c.kind): c.draft for c in cases}
    assert (
        by[("sales", "control")]
        == "According to the filing, Products $ 60,584 $ 63,355 $ 230,901 $ 245,241 [c1]."
    )
    assert "$ 83,001" in by[("sales", "changed_number")]
    assert "$ 60,584 billion" in by[("sales", "wrong_scale")]
    assert by[("sales", "wrong_citation")].endswith("[c2].")
    assert (
        "$56.1 million" in by[("buyback", "wrong_scale")] or "365 billion" in by[("buyback", "wrong_scale")]
    )
    # The unsupported sentence is prose from another chunk, without figures.
    assert by[("sales", "unsupported")].startswith("Amazon Web Services offers")
    assert plant_cases(runs(), limit=1) == plant_cases(runs())[:5]


async def test_critic_precision_recall_with_scripted_judge() -> None:
    judge = ScriptedChatModel(scripts={"judge": ["NO"]})
    out = await evaluate_critic(runs(), resources=FakeResources(judge), context=Context())
    assert out["n_cases"] == 10
    assert out["flag_rate_by_kind"] == {k: (0.0 if k == "control" else 1.0) for k in KINDS}
    assert out["precision"] == 1.0 and out["recall"] == 1.0
    # Figures are checked deterministically: the judge never sees the numeric cases.
    judged = [prompt for role, prompt in judge.calls if role == "judge"]
    assert all("60,584" not in p.rsplit("Statement:", 1)[-1] for p in judged)


async def test_precision_and_recall_arithmetic(monkeypatch: pytest.MonkeyPatch) -> None:
    import evals.critic_eval as ce

    async def flag_everything(node: object, case: ce.PlantedCase, context: object) -> tuple[bool, list]:
        return True, []

    monkeypatch.setattr(ce, "judge_case", flag_everything)
    out = await evaluate_critic(
        runs(), resources=FakeResources(ScriptedChatModel(scripts={})), context=Context()
    )
    # 8 planted errors all caught, 2 controls falsely flagged.
    assert out["recall"] == 1.0 and out["precision"] == pytest.approx(8 / 10)
    assert out["flag_rate_by_kind"]["control"] == 1.0
