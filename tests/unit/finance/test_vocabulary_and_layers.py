"""The line-item vocabulary is one table (item, question wording, row labels, XBRL concepts), and
agent/finance is the bottom layer: it imports nothing from the critic, prompts, nodes, retrieval
or loaders (issue 18, points 5-6)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from agent.finance.derived import named_items
from agent.finance.vocabulary import ITEMS, item_of
from agent.schemas import Fact

FINANCE = Path(__file__).resolve().parents[3] / "agent" / "finance"
ABOVE = (
    "agent.critic",
    "agent.prompts",
    "agent.nodes",
    "agent.retrieval",
    "agent.commands",
    "loaders",
    "graphs",
)


def test_finance_imports_nothing_from_the_layers_above() -> None:
    offenders = []
    for path in sorted(FINANCE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(ABOVE)]
    assert not offenders, offenders


def test_every_item_has_its_concepts_and_matches_its_own_name() -> None:
    for key, item in ITEMS.items():
        assert item.concepts and all(c.startswith("us-gaap:") for c in item.concepts), key
        assert item.asked.search(item.name), key


def _fact(label: str, concept: str | None = None, **extra: object) -> Fact:
    return Fact(id="d::f0", doc_id="d", page=0, label=label, value=1.0, concept=concept, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fact", "item"),
    [
        (_fact("Total net sales", "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"), "revenue"),
        (_fact("Net loss", "us-gaap:NetIncomeLoss"), "net_income"),
        (_fact("Purchases of property and equipment"), "capex"),  # a table row, no concept
        (_fact("Payments for acquisition of property, plant and equipment"), "capex"),
        (_fact("Total current assets"), "current_assets"),
        (_fact("Net income (loss)"), "net_income"),
        (_fact("Net Earnings/(Loss)"), "net_income"),  # an earnings release's row
        (_fact("Sales to customers"), "revenue"),
        (_fact("Total inventories, net"), "inventory"),  # the note's total is the balance
        (_fact("Inventory turns"), None),
        (_fact("Capital expenditures, net of construction payable"), "capex"),
        (_fact("Income from discontinued operations, net of tax"), None),
        (_fact("Products", group="Net sales"), None),  # a part of revenue, not revenue
        # Structural headings of the cash flow statement do not qualify the rows under them.
        (
            _fact(
                "Depreciation and amortization",
                group="Adjustments to reconcile net income (loss) to net cash provided by operating activities",
            ),
            "d_and_a",
        ),
        (_fact("Capital expenditures", group="Cash flows from investing activities"), "capex"),
        (
            _fact("Capital expenditures", group="Cash flows provided by (used in) investing activities"),
            "capex",
        ),
        (_fact("Accounts receivable", group="Changes in operating assets and liabilities"), None),  # a change
        # A segment's revenue is tagged with the company-wide concept plus an axis: not the item.
        (
            _fact(
                "Net sales",
                "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
                dimensions={"us-gaap:StatementBusinessSegmentsAxis": "amzn:AWSSegmentMember"},
            ),
            None,
        ),
        (_fact("Goodwill", "us-gaap:Goodwill"), None),
    ],
)
def test_item_of_a_fact_by_concept_else_row_label(fact: Fact, item: str | None) -> None:
    assert item_of(fact) == item


@pytest.mark.parametrize(
    ("question", "name", "formula"),
    [
        (
            "What is the FY2015 D&A % margin for Acme?",
            "depreciation and amortization margin",
            "{d_and_a} / {revenue} * 100",
        ),
        (
            "What is the FY2022 retention ratio (using cash dividends paid and net income) for Acme?",
            "retention ratio",
            "({net_income} - {dividends}) / {net_income}",
        ),
        (
            "What is Acme's FY2022 operating margin?",
            "operating margin",
            "{operating_income} / {revenue} * 100",
        ),
        ("What is Acme's FY2022 contribution margin?", None, None),  # no line item named before it
    ],
)
def test_metrics_a_question_names(question: str, name: str | None, formula: str | None) -> None:
    from agent.finance.derived import asked_metric

    metric = asked_metric(question)
    assert (metric.name if metric else None) == name
    assert (metric.formulas[0] if metric else None) == formula


@pytest.mark.parametrize(
    ("question", "items"),
    [
        # A question names an item in the plural as often as in the singular.
        ("How did the company's interest expenses change over the year?", ["interest_expense"]),
        ("What was Acme's interest expense in FY2022?", ["interest_expense"]),
        (
            "What were Acme's income tax expenses and its operating expense in FY2022?",
            ["income_tax", "operating_expenses"],
        ),
        (
            "What were Acme's total operating costs and research and development?",
            ["operating_expenses", "r_and_d"],
        ),
    ],
)
def test_items_a_question_names(question: str, items: list[str]) -> None:
    from agent.finance.derived import named_items

    assert [i.key for i in named_items(question)] == items


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Did the company's long-term debt rise in fiscal 2024?", ["long_term_debt"]),
        (
            "How did debt and interest expense change over the quarters?",
            ["long_term_debt", "interest_expense"],
        ),
        # Debt the company holds as an investment, and a ratio, are no borrowings.
        ("Which debt securities make up most of its short-term investments?", []),
        ("What kind of debt holds the largest share of the investment portfolio?", []),
        ("What is the debt-to-equity ratio?", []),
    ],
)
def test_debt_is_the_company_s_borrowings(question: str, asked: list[str]) -> None:
    assert [i.key for i in named_items(question)] == asked
