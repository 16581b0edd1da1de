"""The search text a scoped query leaves: the topic, without the scope's company and form names."""

from __future__ import annotations

import pytest

from agent.retrieval.asked import without_periods
from agent.retrieval.query import topic_query
from agent.schemas import Scope


def _scope(*companies: str) -> Scope:
    return Scope(companies=list(companies), doc_ids=["d1"], status="ok")


def test_one_company_and_its_forms_are_dropped() -> None:
    scope = _scope("Amazon.com, Inc.")
    question = "Does Amazon report any significant acquisitions or divestitures in these 10-Qs?"
    assert topic_query(question, scope) == "Does report any significant acquisitions or divestitures in ?"
    assert topic_query("What did Amazon.com's annual report say about legal proceedings?", scope) == (
        "What did say about legal proceedings?"
    )
    assert "Microsoft" not in topic_query(
        "Changes in Microsoft's debt in the Form 10-Q filings", _scope("Microsoft Corporation")
    )
    # the legal form goes with the name; a name's first word alone is also the name
    acme = _scope("Acme Widgets Corp")
    assert topic_query("Acme Widgets Corp acquisitions and disposals in FY2022", acme) == (
        "acquisitions and disposals in FY2022"
    )
    assert topic_query("Acme's acquisitions and disposals", acme) == "acquisitions and disposals"


def test_names_stay_where_they_pick_the_filer_or_carry_the_whole_query() -> None:
    two = _scope("Apple Inc.", "Microsoft Corporation")
    question = "Compare Apple's and Microsoft's revenue growth"
    assert topic_query(question, two) == question  # the name picks which filer's passages
    assert topic_query(question, Scope()) == question  # unscoped: nothing filters on the name
    assert topic_query(question, Scope(companies=["Apple Inc."], status="no_match")) == question
    # too little left to search with
    assert topic_query("Amazon 10-Q acquisitions", _scope("Amazon.com, Inc.")) == "Amazon 10-Q acquisitions"
    # words that merely contain the name are kept
    assert topic_query("Metaverse spending by Meta in 2023", _scope("Meta Platforms, Inc.")) == (
        "Metaverse spending by in 2023"
    )


@pytest.mark.parametrize(
    ("text", "left"),
    [
        (
            "Were there any significant business acquisitions or divestitures mentioned by in the Q2 2023?",
            "Were there any significant business acquisitions or divestitures mentioned?",
        ),
        (
            "Were there any significant changes in accounting policies reported by in the most recent?",
            "Were there any significant changes in accounting policies reported?",
        ),
        (
            "Did the board approve a buyback during the third quarter of fiscal 2023, or in FY22?",
            "Did the board approve a buyback?",
        ),
        ("Was any plant closed in 2021 and 2022?", "Was any plant closed?"),
        # Nothing to take out: the text stays as it is.
        (
            "Were there any changes in the company's auditors?",
            "Were there any changes in the company's auditors?",
        ),
    ],
)
def test_the_periods_a_question_names_taken_out(text: str, left: str) -> None:
    assert without_periods(text) == left
