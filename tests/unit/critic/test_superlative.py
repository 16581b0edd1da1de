"""The critic holds a superlative answer to the ranking our code computed over every row."""

from __future__ import annotations

import pytest

from agent.critic.superlative import hold_to_ranking
from agent.finance.plan import plan_question
from agent.schemas import Claim, Superlative

RANKED = Superlative(
    extreme="highest",
    subject="cash flow",
    member="operations",
    value=5841,
    text="5,841",
    fact_id="d::f1",
    rows=3,
    members=["operations", "financing activities", "investing"],
)


@pytest.mark.parametrize(
    ("sentence", "held"),
    [
        ("Operations brought in the most cash flow, $5,841 million, in FY2023 [c1].", False),
        ("Operations brought in $5,841 million, more than investing and financing activities [c1].", False),
        # Another row leads the comparison or is called the largest: against the ranking.
        ("Other investing activities brought in $52 million more cash flow than operations [c1].", True),
        ("Financing activities brought in the most cash flow in FY2023 [c1].", True),
        # No superlative, no comparison: nothing to hold.
        ("Cash provided by operations was $5,841 million in FY2023 [c1].", False),
    ],
)
def test_a_superlative_or_comparison_against_the_ranking_is_sent_back(sentence: str, held: bool) -> None:
    claim = Claim(text=sentence, chunk_ids=["d::1"], numbers=[], verdict="supported", reason="")
    assert hold_to_ranking([claim], RANKED) == int(held)
    assert (claim.verdict == "unsupported") == held
    if held:
        assert "gives operations (5,841) as the highest cash flow" in claim.reason


def test_without_a_ranking_nothing_is_held() -> None:
    claim = Claim(
        text="Financing brought in the most [c1].", chunk_ids=["d::1"], numbers=[], verdict="supported"
    )
    assert hold_to_ranking([claim], None) == 0 and claim.verdict == "supported"


def test_which_type_received_the_largest_is_a_superlative() -> None:
    plan = plan_question(
        "Which type of debt received the largest investment among the short term investments?"
    )
    assert plan.form == "superlative" and plan.extreme == "highest"
