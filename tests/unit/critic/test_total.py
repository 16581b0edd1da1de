"""The critic holds a total asked over several things to more than one of them."""

from __future__ import annotations

from agent.critic.total import hold_to_total, singular
from agent.finance.plan import plan_question
from agent.schemas import Claim

AGREEMENTS = {
    "c1": (
        "On May 26, 2023, the Company entered into a new $2,500,000,000 364 day unsecured revolving credit\n"
        "agreement (the “364 Day Agreement”). The 364 Day Agreement enables the Company to borrow up to\n"
        "$2,500,000,000 and expires on May 24, 2024."
    ),
    "c2": "On May 26, 2023, the Company entered into a new $2,500,000,000 five year unsecured revolving credit agreement.",
}


def _held(sentence: str, total_over: str, passages: dict[str, str], cited: list[str]) -> bool:
    claim = Claim(text=sentence, chunk_ids=cited, numbers=["x"], verdict="supported")
    hold_to_total([claim], total_over, passages)
    return claim.verdict == "unsupported"


def test_plan_reads_a_total_over_a_plural() -> None:
    question = "As of May 26, 2023, what is the total amount Acme may borrow under its unsecured revolving credit agreements?"
    assert plan_question(question).total_over == "unsecured revolving credit agreements"
    assert plan_question("What was total debt in FY2022?").total_over == ""
    # A word ending in s is no plural: "business", "analysis".
    assert plan_question("What were the total assets of the business?").total_over == ""
    assert singular("credit facilities") == "facility"


def test_one_agreement_amount_is_sent_back() -> None:
    sentence = "The total amount Acme may borrow under its agreements is $2,500,000,000 [c1][c2]."
    assert _held(sentence, "unsecured revolving credit agreements", AGREEMENTS, ["c1", "c2"])


def test_a_printed_total_passes() -> None:
    passages = {
        "c1": "The agreements provide aggregate commitments of $5,000,000,000. Each agreement is unsecured."
    }
    sentence = "Acme may borrow $5,000,000,000 in total under its agreements [c1]."
    assert not _held(sentence, "credit agreements", passages, ["c1"])


def test_other_questions_and_calculations_pass() -> None:
    sentence = "Acme may borrow $2,500,000,000 under the agreement [c1]."
    assert not _held(sentence, "", AGREEMENTS, ["c1"])
    claim = Claim(
        text="The total is $5,000,000,000 CALC(2,500,000,000 + 2,500,000,000) [c1][c2].",
        chunk_ids=["c1", "c2"],
        verdict="calculation",
    )
    hold_to_total([claim], "credit agreements", AGREEMENTS)
    assert claim.verdict == "calculation"
    # The figure printed for something else than one of the things totalled is not judged here.
    passages = {"c1": "Revenue was $2,500,000,000 in fiscal 2023."}
    assert not _held("The total is $2,500,000,000 [c1].", "credit agreements", passages, ["c1"])
