"""A figure question the stored facts answer is drafted by our code, with no model call, and the
critic checks it like any draft (the real critic, on the passage that prints the operands)."""

from __future__ import annotations

import pytest
from graph_fakes import APPLE_23, CHUNKS

from agent.schemas import Fact, FactPeriod

QUARTER = FactPeriod(
    kind="duration", start="2023-04-02", end="2023-07-01", months=3, fiscal_year=2023, fiscal_quarter=3
)
Q_MARGIN = "What was Apple's operating margin for the three months ended July 1, 2023?"


def _facts(operating_income: float = 22_998) -> list[Fact]:
    chunk = CHUNKS[0]  # the income statement of the Q3 2023 10-Q
    rows = [
        ("Total net sales", 81_797, "81,797"),
        ("Operating income", operating_income, f"{operating_income:,.0f}"),
    ]
    return [
        Fact(
            id=f"{APPLE_23.doc_id}::f{n}",
            doc_id=APPLE_23.doc_id,
            page=3,
            chunk_id=chunk.id,
            statement="income",
            label=label,
            period=QUARTER,
            value=value,
            scale=6,
            unit="USD",
            text=text,
        )
        for n, (label, value, text) in enumerate(rows)
    ]


async def test_operating_margin_from_facts_without_a_model_call(harness) -> None:
    h = harness({"draft": ["(the model must not be asked)"]})
    h.resources.facts = _facts()
    answer = await h.ask(Q_MARGIN)
    assert answer.stop_reason == "accepted", answer.text
    assert h.roles() == []  # no draft, no judge
    assert "28.12%" in answer.text and "[1]" in answer.text
    assert answer.citations[0].doc_id == APPLE_23.doc_id and "22,998" in answer.citations[0].quote
    assert any("computed by our code" in f for f in answer.fallbacks)
    # The typed calculation travels with the answer: its operands are the stored facts, by id.
    [calc] = answer.calculations
    assert {o.fact_id for o in calc.operands} == {f.id for f in h.resources.facts}
    assert calc.unit == "%" and calc.result == pytest.approx(22_998 / 81_797 * 100)
    # The answer says what it computed the margin from: each row, its amount and the period.
    assert (
        "It is computed from Operating income of $22,998 million and Total net sales of $81,797 million [1]."
        in answer.text
    ), answer.text


async def test_the_rounding_the_question_asks_for(harness) -> None:
    h = harness({"draft": ["(the model must not be asked)"]})
    h.resources.facts = _facts()
    answer = await h.ask(Q_MARGIN + " Round to one decimal place.")
    assert answer.stop_reason == "accepted" and "28.1%" in answer.text and "28.12" not in answer.text
    # The quote is the line printing the operands.
    assert "22,998" in answer.citations[0].quote


async def test_a_fact_the_passage_does_not_print_goes_back_to_the_model(harness) -> None:
    """A stored fact that disagrees with the printed passage fails the critic's grounding check;
    the model then drafts as before."""
    good = "Apple's operating income was $22,998 million on total net sales of $81,797 million [c1]."
    h = harness({"draft": [good]})
    h.resources.facts = _facts(operating_income=21_000)
    answer = await h.ask(Q_MARGIN)
    assert h.roles()[:1] == ["draft"]
    assert "21,000" not in answer.text
    assert answer.calculations == []  # what the model drafted is no calculation of ours


async def test_switched_off_by_context(harness) -> None:
    good = "Apple's operating income was $22,998 million on total net sales of $81,797 million [c1]."
    h = harness({"draft": [good]})
    h.resources.facts = _facts()
    await h.ask(Q_MARGIN, computed_answers=False)
    assert h.roles()[:1] == ["draft"]


PRIOR = FactPeriod(
    kind="duration", start="2022-03-27", end="2022-06-25", months=3, fiscal_year=2022, fiscal_quarter=3
)


def _prior_facts(*rows: tuple[str, int]) -> list[Fact]:
    """Facts of the same income statement's prior-year quarter column."""
    return [
        Fact(
            id=f"{APPLE_23.doc_id}::f{9 + n}",
            doc_id=APPLE_23.doc_id,
            page=3,
            chunk_id=CHUNKS[0].id,
            statement="income",
            label=label,
            period=PRIOR,
            value=value,
            scale=6,
            unit="USD",
            text=f"{value:,}",
        )
        for n, (label, value) in enumerate(rows)
    ]


async def test_a_change_answered_yes_or_no_from_two_quarters(harness) -> None:
    h = harness({"draft": ["(the model must not be asked)"]})
    h.resources.facts = [*_facts(), *_prior_facts(("Operating income", 23_076))]
    answer = await h.ask("Did Apple's operating income increase in Q3 FY2023 compared to Q3 FY2022?")
    assert answer.stop_reason == "accepted", answer.text
    assert "draft" not in h.roles() and "judge" not in h.roles()  # (the decomposer may be asked)
    assert (
        answer.text.startswith("No:")
        and "$23,076 million" in answer.text
        and "$22,998 million" in answer.text
    )
    assert "a decrease" in answer.text


async def test_a_change_in_a_margin_names_each_periods_operands(harness) -> None:
    h = harness({"draft": ["(the model must not be asked)"]})
    h.resources.facts = [*_facts(), *_prior_facts(("Operating income", 23_076), ("Total net sales", 82_959))]
    answer = await h.ask("Did Apple's operating margin improve in Q3 FY2023 compared to Q3 FY2022?")
    assert answer.stop_reason == "accepted", answer.text
    assert "draft" not in h.roles(), h.roles()
    assert "Operating income of $23,076 million and Total net sales of $82,959 million [1]." in answer.text
    assert "Operating income of $22,998 million and Total net sales of $81,797 million [1]." in answer.text
    assert answer.text.count("figure is computed from") == 2, answer.text


async def test_the_answer_names_the_period_the_question_prints(harness) -> None:
    h = harness({"draft": ["(the model must not be asked)"]})
    h.resources.facts = _facts()
    answer = await h.ask("What were Apple's total net sales for the three months ended July 1, 2023?")
    assert answer.stop_reason == "accepted", answer.text
    assert "three months ended July 1, 2023" in answer.text and "$81,797 million" in answer.text
    assert "FY2023" not in answer.text  # a quarter is not called the fiscal year


CASH_FLOWS = (
    "CONDENSED CONSOLIDATED STATEMENTS OF CASH FLOWS (In millions)\nThree Months Ended July 1, 2023\n"
    "Financing activities:\nPayments for dividends and dividend equivalents (3,811)\n"
    "Repurchases of common stock (17,478)"
)  # illustrative figures


async def test_whether_an_amount_was_paid_is_answered_yes_from_the_stored_figure(harness) -> None:
    from graph_fakes import chunk

    h = harness({"draft": ["(the model must not be asked)"]})
    flows = chunk(APPLE_23, 60, CASH_FLOWS, 6, item="1", table=True)
    h.resources.chunks.append(flows)
    h.resources.facts = [
        Fact(
            id=f"{APPLE_23.doc_id}::f90",
            doc_id=APPLE_23.doc_id,
            page=6,
            chunk_id=flows.id,
            statement="cash_flow",
            label="Payments for dividends and dividend equivalents",
            period=QUARTER,
            value=-3_811,
            scale=6,
            unit="USD",
            text="(3,811)",
        )
    ]
    answer = await h.ask("Has Apple paid dividends in the third quarter of fiscal 2023?")
    assert answer.stop_reason == "accepted", answer.text
    assert h.roles() == [] and answer.text.startswith("Yes: the dividends paid")
    assert "$3,811 million [1]" in answer.text and answer.citations[0].quote.startswith(
        "Payments for dividends"
    )
