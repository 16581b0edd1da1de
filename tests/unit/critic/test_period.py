"""The critic holds a dated figure to the periods the question asks about."""

from __future__ import annotations

from datetime import date

import pytest

from agent.critic.period import asked_windows, comparative_dates, dating_dates, hold_to_period
from agent.schemas import ChunkMetadata, Claim, Operand, QuestionPlan

# A 10-Q for the second quarter of a fiscal year that ends June 30 (the quarter closes December 31).
TEN_Q = ChunkMetadata(
    doc_id="q",
    source_path="/x.pdf",
    form_type="10-Q",
    fiscal_year=2023,
    fiscal_quarter=2,
    period_end="2022-12-31",
)
# A calendar-year 10-K.
TEN_K = ChunkMetadata(
    doc_id="k", source_path="/k.pdf", form_type="10-K", fiscal_year=2022, period_end="2022-12-31"
)


def _held(sentence: str, plan: QuestionPlan, filings: list[ChunkMetadata], question: str = "") -> bool:
    claim = Claim(text=sentence, chunk_ids=["c"], numbers=["1"], verdict="supported")
    hold_to_period([claim], asked_windows(plan, filings, question))
    return claim.verdict == "unsupported"


@pytest.mark.parametrize(
    ("sentence", "held"),
    [
        ("The restructuring liability at June 30, 2022, was $97 million [c1].", True),
        ("The restructuring liability at December 31, 2022 was $93 million [c1].", False),
        # A comparison names the asked period beside another: fine.
        (
            "The liability fell from $118 million at June 30, 2022 to $93 million at December 31, 2022 [c1].",
            False,
        ),
        ("Cash used for the six months ended December 31, 2022 was $25 million [c1].", False),
        # Undated figures, and dates that do not date a figure ("expires on"), are not judged here.
        ("The restructuring liability was $93 million [c1].", False),
        ("The facility of $4.2 billion expires on May 24, 2024 [c1].", False),
    ],
)
def test_quarter_asked(sentence: str, held: bool) -> None:
    plan = QuestionPlan(fiscal_years=[2023], quarters=[2])
    assert _held(sentence, plan, [TEN_Q]) is held


def test_a_change_asked_in_a_quarter_asks_its_comparatives_too() -> None:
    # The quarter closing December 31, 2022: the report compares its flows with the quarter a year
    # earlier and its balances with the last fiscal year-end its balance sheet prints (June 30,
    # 2022, read from the operand our code took from that report: filers end their years anywhere).
    growth = QuestionPlan(fiscal_years=[2023], quarters=[2], growth=True)

    def debt(doc: str, period: str, value: float) -> Operand:
        return Operand(
            fact_id=f"{doc}::f1",
            doc_id=doc,
            page=3,
            item="long_term_debt",
            label="Long-term debt",
            period=period,
            value=value,
            printed=f"{value:,.0f}",
        )

    # Another report's column ("k") is no comparative of the one asked.
    operands = [debt("q", "June 30, 2022", 47_032), debt("k", "December 31, 2021", 50_074)]
    comparatives = comparative_dates(growth, [TEN_Q, TEN_K], operands)
    assert comparatives == [date(2022, 6, 30)]

    def held(sentence: str, plan: QuestionPlan, dates: list[date]) -> bool:
        claim = Claim(text=sentence, chunk_ids=["c"], numbers=["1"], verdict="supported")
        hold_to_period([claim], asked_windows(plan, [TEN_Q], "", dates))
        return claim.verdict == "unsupported"

    year_end = "Long-term debt was $47,032 million at June 30, 2022 [c1]."
    year_before = "Interest expense was $525 million in the three months ended December 31, 2021 [c1]."
    assert not held(year_end, growth, comparatives) and not held(year_before, growth, comparatives)
    # Two years before is no comparative; nor is either period without a change asked.
    assert held("Long-term debt was $50,074 million at June 30, 2021 [c1].", growth, comparatives)
    level = QuestionPlan(fiscal_years=[2023], quarters=[2])
    assert comparative_dates(level, [TEN_Q], operands) == []
    assert held(year_end, level, []) and held(year_before, level, [])


def test_year_asked_through_a_quarterly_filing_spans_that_fiscal_year() -> None:
    # FY2022 of a June year-end ends June 30, 2022; the 10-Q of FY2023 places it.
    plan = QuestionPlan(fiscal_years=[2022])
    assert asked_windows(
        plan, [TEN_Q.model_copy(update={"fiscal_year": 2022, "period_end": "2021-12-31"})], ""
    )
    plan23 = QuestionPlan(fiscal_years=[2023])
    assert not _held("Debt at December 31, 2022 was $6,840 million [c1].", plan23, [TEN_Q])
    assert _held("Debt at June 30, 2022 was $6,340 million [c1].", plan23, [TEN_Q])


def test_annual_filing_places_prior_years() -> None:
    plan = QuestionPlan(fiscal_years=[2021, 2022])
    assert not _held("Inventory as of December 31, 2021 was $5 million [c1].", plan, [TEN_K])
    assert not _held("Inventory as of December 31, 2022 was $6 million [c1].", plan, [TEN_K])
    assert _held("Inventory as of December 31, 2020 was $4 million [c1].", plan, [TEN_K])


def test_dates_the_question_prints_are_asked() -> None:
    eight_k = ChunkMetadata(doc_id="e", source_path="/e.pdf", form_type="8-K", fiscal_year=2023)
    plan = QuestionPlan(fiscal_years=[2023])
    question = "As of May 26, 2023, what may the company borrow?"
    assert not _held("As of May 26, 2023, it may borrow $4.2 billion [c1].", plan, [eight_k], question)
    assert _held("As of May 27, 2022, it could borrow $3.8 billion [c1].", plan, [eight_k], question)


def test_no_check_without_a_placed_period() -> None:
    # The filing is of a year the plan does not ask about: how its years map is unknown, so nothing is held.
    plan = QuestionPlan(fiscal_years=[2019])
    assert asked_windows(plan, [TEN_K], "") == []
    assert not _held("Inventory as of December 31, 2022 was $6 million [c1].", plan, [TEN_K])
    assert not _held("Inventory as of December 31, 2022 was $6 million [c1].", QuestionPlan(), [TEN_K])


def test_dating_dates() -> None:
    assert dating_dates("at June 30, 2022, and as of Dec. 31, 2022") == [
        date(2022, 6, 30),
        date(2022, 12, 31),
    ]
    assert dating_dates("signed on May 26, 2023") == []
