"""Plausibility bounds on derived figures, by the metric the sentence names (issue 18, point 4)."""

from __future__ import annotations

import pytest

from agent.critic.plausible import implausible


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("Operating margin was CALC(1,854 / 545 * 100)% in fiscal 2022 [c1].", "margin of 340.2%"),
        (
            "The segment's share of revenue was CALC(80,096 / 12,000 * 100)% [c1].",
            "share of a total cannot be 667.5%",
        ),
        ("Revenue grew CALC((5,000 - 40) / 40 * 100)% year over year [c1].", "change of 12,400.0%"),
        ("The FY2015 D&A margin was 167% [c1].", "margin of 167.0%"),  # a figure copied as a margin
        (
            "The 3 year average of capex as a % of revenue is CALC((1,000 + 2,000) / 3 / 10 * 100)% [c1].",
            "share of a total",
        ),
        ("Net income fell CALC((-2,722 - 33,364) / 33,364 * 100 * 100)% [c1].", "change of -10,815.8%"),
    ],
)
def test_impossible_results_name_the_metric_and_the_figure(sentence: str, why: str) -> None:
    assert why in implausible(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Operating margin was CALC(545 / 1,854 * 100)% in fiscal 2022 [c1].",
        "Operating margin was CALC(-120 / 1,000 * 100)% [c1].",  # a loss-making margin is fine
        "Revenue grew CALC((5,000 - 4,000) / 4,000 * 100)% [c1].",
        "Revenue grew CALC(5,000 / 40) times [c1].",  # not a percentage: no bound applies
        "The current ratio was CALC(5,000 / 40) [c1].",
        "Net sales were $81,797 million [c1].",  # no calculation at all
        "Gross margin was 44.5% in fiscal 2023 [c1].",
        "Services grew 8% while the share of revenue from iPhone was 48.5% [c1].",
    ],
)
def test_plausible_results_pass(sentence: str) -> None:
    assert implausible(sentence) == ""
