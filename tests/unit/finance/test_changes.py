"""Each line item a question names, in one report, beside the comparative column its own table
prints: the figures of NVIDIA's 10-Q for the quarter ended April 30, 2023 (docugami sec-10-q, MIT)."""

from __future__ import annotations

import pytest
from finance_fakes import Filing

from agent.finance.changes import calculate_changes, comparative
from agent.finance.plan import plan_question
from agent.schemas import Fact, FactPeriod, Scope

Q1 = Filing("nvda-q1", "10-Q", 2024, 1, "2023-04-30", company="NVIDIA Corporation")
FILINGS = {Q1.doc_id: Q1}
SCOPE = Scope(companies=["NVIDIA Corporation"], fiscal_years=[2024], quarters=[1])
_n = iter(range(10_000))


def _fact(label: str, end: str, value: float, chunk: str, table: str, months: int | None = None) -> Fact:
    period = (
        FactPeriod(kind="duration", end=end, months=months, label=f"Three Months Ended {end}")
        if months
        else FactPeriod(kind="instant", end=end, label=end)
    )
    if end == "2023-04-30":
        period = period.model_copy(update={"fiscal_year": 2024, "fiscal_quarter": 1 if months else None})
    return Fact(
        id=f"{Q1.doc_id}::f{next(_n)}",
        doc_id=Q1.doc_id,
        page=3,
        chunk_id=f"{Q1.doc_id}::{chunk}",
        statement="income" if months else "balance",
        table=table,
        label=label,
        period=period,
        value=value,
        scale=6,
        unit="USD",
        text=f"{abs(value):,.0f}",
    )


INCOME, BALANCE, NOTE = (
    "CONDENSED CONSOLIDATED STATEMENTS OF INCOME",
    "CONDENSED CONSOLIDATED BALANCE SHEETS",
    "Other",
)
FACTS = [
    _fact("Interest expense", "2023-04-30", -66, "7", INCOME, months=3),
    _fact("Interest expense", "2022-05-01", -68, "7", INCOME, months=3),
    _fact("Short-term debt", "2023-04-30", 1_250, "9", BALANCE),
    _fact("Short-term debt", "2023-01-29", 1_250, "9", BALANCE),
    _fact("Long-term debt", "2023-04-30", 9_704, "9", BALANCE),
    _fact("Long-term debt", "2023-01-29", 9_703, "9", BALANCE),
    # The same row label in a note's table, one period earlier still: never the comparative.
    _fact("Interest expense", "2021-05-02", -53, "79", NOTE, months=3),
]
ASKED = "What changes in debt and interest expense did NVIDIA report in its first-quarter fiscal 2024 10-Q?"


def test_each_item_beside_its_own_tables_comparative_column() -> None:
    plan = plan_question(ASKED, SCOPE)
    assert plan.items == ["long_term_debt", "interest_expense"] and plan.growth and plan.form == "figure"
    debt, interest = calculate_changes(plan, ASKED, FACTS, FILINGS) or []
    # A balance against the last year-end; a flow against the quarter a year earlier.
    assert [p.result for p in debt.points] == [9_703, 9_704]
    assert debt.periods == ["January 29, 2023", "April 30, 2023"]
    assert [p.result for p in interest.points] == [68, 66]  # an expense by its size
    assert interest.periods[0] == "the three months ended May 1, 2022"
    assert interest.change is not None and interest.change.result == pytest.approx((66 - 68) / 68 * 100)
    assert debt.change is not None and debt.change.expression == "(9,704 - 9,703) / 9,703 * 100"


def test_every_item_or_none() -> None:
    plan = plan_question(ASKED, SCOPE)
    without_debt_comparative = [
        f for f in FACTS if not (f.label == "Long-term debt" and f.period.end < "2023-04")
    ]
    assert calculate_changes(plan, ASKED, without_debt_comparative, FILINGS) is None


def test_the_comparative_is_the_same_row_of_the_same_table() -> None:
    current = FACTS[0]
    found = comparative(current, FACTS)
    assert found is FACTS[1]
    assert comparative(FACTS[1], FACTS) is None  # the note's older column is another table
