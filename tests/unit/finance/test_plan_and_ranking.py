"""The question plan (analysed once) and superlatives ranked by our code over every row of a real
table (issue 18, point 2). Wordings are ours, in the grammar analysts use; figures are read from
the bundled filings' own tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.finance.facts import DocPeriod, document_facts
from agent.finance.plan import plan_question
from agent.finance.ranking import rank_rows
from agent.schemas import Fact, Scope
from loaders.edgar_html import load_edgar_html
from loaders.parse import load_any


@pytest.mark.parametrize(
    ("question", "form", "extreme", "change", "among"),
    [
        (
            "Which reportable segment of Initech posted the highest operating income in fiscal 2021?",
            "superlative",
            "highest",
            False,
            "reportable segment",
        ),
        (
            "Which of Globex's regions saw the steepest decline in revenue from 2019 to 2020?",
            "superlative",
            "lowest",
            True,
            "regions",
        ),
        (
            "Among operating, investing and financing activities, which used the most cash in 2020?",
            "superlative",
            "lowest",
            False,
            "operating, investing and financing activities",
        ),
        (
            "Among its three cash flow activities, which generated the most (or burned the least) cash in 2021?",
            "superlative",
            "highest",
            False,
            "three cash flow activities",
        ),
        ("Did Umbrella Corp's inventory grow between FY2020 and FY2021?", "yes_no", None, False, ""),
        ("Compare Hooli's gross margin in 2021 versus 2022.", "comparison", None, False, ""),
        ("What was Vandelay's free cash flow in FY2022?", "figure", None, False, ""),
        ("Why did Stark's operating expenses rise in 2022?", "text", None, False, ""),
        ("What is the most significant risk factor Wayne lists?", "text", None, False, ""),
        ("How did Initech's inventory levels reflect its supply chain in Q3 2023?", "text", None, False, ""),
        ("What were the main contributors to Initech's net income in Q2 2023?", "text", None, False, ""),
        ("As an equity analyst, what was Initech's FY2021 net income?", "figure", None, False, ""),
        ("How much did Initech pay out in cash dividends in FY2020?", "figure", None, False, ""),
    ],
)
def test_plan_reads_the_answer_form_from_the_questions_grammar(
    question, form, extreme, change, among
) -> None:
    plan = plan_question(question)
    assert (plan.form, plan.extreme, plan.change, plan.among) == (form, extreme, change, among)


def test_plan_reads_whether_any_such_event_is_asked() -> None:
    # Finding nothing answers "were there any ...?"; it does not answer "does it have an improving ...?".
    assert plan_question("Were there any significant acquisitions or divestitures in the quarter?").any_event
    assert plan_question("Did the company report any share repurchases?").any_event
    assert not plan_question("Does the company have an improving free cash flow conversion?").any_event
    assert not plan_question("Did the company complete the divestiture it planned?").any_event


def test_plan_reads_items_metric_rounding_and_scale() -> None:
    plan = plan_question(
        "What is Acme's FY2022 capital expenditure as a % of revenue? Round to one decimal place, in USD millions.",
        Scope(companies=["Acme Corp"], fiscal_years=[2022]),
    )
    assert plan.metric is not None and "capital expenditure" in plan.metric
    assert {"capex", "revenue"} <= set(plan.metric_items) and plan.form == "figure"
    assert (plan.decimals, plan.scale, plan.companies, plan.fiscal_years) == (1, 6, ["Acme Corp"], [2022])
    assert plan_question("Why did margins fall?").explanatory
    # An instruction for another case ("if ..., explain why") is not what the question asks.
    conditional = plan_question(
        "Is Acme's operating margin improving in FY2022? If margin is not a useful metric here, explain why."
    )
    assert conditional.form == "yes_no" and not conditional.explanatory


@pytest.fixture(scope="module")
def amazon(samples_dir: Path) -> list[Fact]:
    return load_edgar_html(samples_dir / "0001018724-23-000004.htm").facts


@pytest.fixture(scope="module")
def apple(samples_dir: Path) -> list[Fact]:
    doc = load_any(samples_dir / "2023 Q3 AAPL.pdf")
    period = DocPeriod(fiscal_year=2023, fiscal_quarter=3, period_end="2023-07-01", form_type="10-Q")
    tables = [(p.index, [(b.header, b.text) for b in p.blocks if b.kind == "table"]) for p in doc.pages]
    return document_facts(tables, period)


def _rank(question: str, facts: list[Fact], **scope: object):
    plan = plan_question(question, Scope(**scope))  # type: ignore[arg-type]
    return rank_rows(plan, question, facts)


def test_segment_superlative_over_a_segment_heading_table(amazon: list[Fact]) -> None:
    """Segment headings over their rows ("AWS" / "Operating income"): the segments are ranked."""
    best = _rank(
        "Which Amazon segment had the highest operating income in 2022?",
        amazon,
        companies=["Amazon.com, Inc."],
        fiscal_years=[2022],
    )
    assert best is not None and best.winner.member == "AWS" and best.winner.value == 22_841
    assert {r.member for r in best.rows} == {"AWS", "North America", "International"}  # no "Consolidated"
    worst = _rank(
        "Which segment of Amazon reported the lowest operating income in 2022?",
        amazon,
        companies=["Amazon.com, Inc."],
        fiscal_years=[2022],
    )
    assert worst is not None and worst.winner.member == "International" and worst.winner.value == -7_746
    assert "International = -$7,746 million" in worst.line("c4") and worst.line("c4").startswith(
        "[c4] lowest"
    )


def test_listed_members_and_spending_direction(amazon: list[Fact]) -> None:
    used = _rank(
        "Among operating, investing and financing activities, which used the most cash for Amazon in 2022?",
        amazon,
        companies=["Amazon.com, Inc."],
        fiscal_years=[2022],
    )
    assert used is not None and "investing" in used.winner.member.lower() and used.winner.value == -37_601
    assert len(used.rows) == 3


def test_quarter_superlatives_and_the_biggest_drop(apple: list[Fact]) -> None:
    region = _rank(
        "Which of Apple's geographic segments had the largest net sales in the third quarter of fiscal 2023?",
        apple,
        companies=["Apple Inc."],
        fiscal_years=[2023],
        quarters=[3],
    )
    assert region is not None and region.winner.member == "Americas" and region.winner.value == 35_383
    assert len(region.rows) == 5
    drop = _rank(
        "Which Apple product category had the biggest drop in net sales in the third quarter of fiscal 2023?",
        apple,
        companies=["Apple Inc."],
        fiscal_years=[2023],
        quarters=[3],
    )
    # iPad fell 7,224 -> 5,791 (-1,433), more than Mac (-542) or iPhone (-996).
    assert drop is not None and drop.winner.member == "iPad" and drop.winner.value == 5_791 - 7_224
    assert drop.winner.earlier is not None and drop.winner.earlier.value == 7_224


def test_no_ranking_without_a_superlative_or_a_table(amazon: list[Fact]) -> None:
    assert _rank("What were Amazon's net sales in 2022?", amazon, fiscal_years=[2022]) is None
    assert (
        _rank("Which segment had the highest employee satisfaction in 2022?", amazon, fiscal_years=[2022])
        is None
    )


def test_a_superlative_over_an_amount_is_ranked_by_our_code_or_nothing() -> None:
    plan = plan_question(
        "Which type of debt received the largest investment among its short term investments?"
    )
    assert plan.form == "superlative" and plan.ranks_amount
    assert not plan_question("Which customer was the largest for Acme in 2022?").ranks_amount
    assert not plan_question("What is the most significant risk Acme describes?").ranks_amount


def test_the_most_recent_period_is_no_superlative() -> None:
    question = "How does Acme's R&D expenditure in the most recent quarter compare to previous quarters?"
    assert plan_question(question).form != "superlative" and plan_question(question).extreme is None
    assert (
        plan_question("Which segment had the most revenue in the most recent quarter?").extreme == "highest"
    )


def test_a_table_that_shares_a_word_with_the_ranked_item_is_not_ranked(apple: list[Fact]) -> None:
    """Apple's segments report no net income; its statement of comprehensive income prints "Net
    income" above rows of other comprehensive income. Those rows share "income" with the question
    and are no ranking of net income: nothing is ranked (the answer then says the filing lacks it)."""
    question = "Which of Apple's segments had the highest net income in the third quarter of fiscal 2023?"
    assert _rank(question, apple, companies=["Apple Inc."], fiscal_years=[2023], quarters=[3]) is None
    # The item's own table still ranks ("Net sales" over the regions).
    region = _rank(
        "Which of Apple's geographic segments had the highest net sales in the third quarter of fiscal 2023?",
        apple,
        companies=["Apple Inc."],
        fiscal_years=[2023],
        quarters=[3],
    )
    assert region is not None and region.winner.member == "Americas"


def test_a_row_repeating_its_heading_is_its_subtotal_never_a_member() -> None:
    """ "Short-term investments:" over its rows, closed by a "Short-term investments" row that sums
    them (no "Total" in its name): the subtotal is never the largest investment."""
    from agent.finance.facts import table_facts

    header = ["Fair value level June 30, 2023 December 31, 2022", "(In thousands)"]
    rows = (
        "Cash equivalents:\nMoney market funds Level 1 9,000 8,000\nShort-term investments:\n"
        "Treasury bills Level 1 1,200 1,100\nCorporate notes Level 2 4,300 2,000\nShort-term investments 5,500 3,100"
    )
    doc = DocPeriod(fiscal_year=2023, fiscal_quarter=2, period_end="2023-06-30", form_type="10-Q")
    facts = [f.model_copy(update={"chunk_id": "k1"}) for f in table_facts(header, rows, 4, doc)]
    best = _rank(
        "Which holding was the largest among Initech's short-term investments at June 30, 2023?", facts
    )
    assert best is not None and best.winner.member == "Corporate notes Level 2" and best.winner.value == 4_300
    assert {r.member for r in best.rows} == {"Treasury bills Level 1", "Corporate notes Level 2"}
    # Asked of a quarter: the balances at a date of its year are that quarter's.
    q2 = _rank("Which holding was the largest among Initech's short-term investments in Q2 2023?", facts,
               fiscal_years=[2023], quarters=[2])  # fmt: skip
    assert q2 is not None and q2.winner.member == "Corporate notes Level 2"
