"""Figures computed from stored facts (agent.finance.calculate): the right period, filing and row,
scales reconciled, and no answer at all when the facts are ambiguous."""

from __future__ import annotations

from pathlib import Path

import pytest
from finance_fakes import Filing

from agent.finance.calculate import calculate, pick_fact
from agent.finance.plan import plan_question
from agent.finance.trend import calculate_trend
from agent.schemas import Calculation, Fact, FactPeriod, QuestionPlan, Scope
from loaders.edgar_html import load_edgar_html

K21 = Filing("k21", "10-K", 2021, None, "2021-09-30")
K22 = Filing("k22", "10-K", 2022, None, "2022-09-30")
Q22 = Filing("q22", "10-Q", 2022, 2, "2022-03-31")
FILINGS = {f.doc_id: f for f in (K21, K22, Q22)}


def year(fy: int) -> FactPeriod:
    return FactPeriod(kind="duration", start=f"{fy - 1}-10-01", end=f"{fy}-09-30", months=12, fiscal_year=fy)


def at(day: str, fy: int) -> FactPeriod:
    return FactPeriod(kind="instant", end=day, fiscal_year=fy)


_n = iter(range(10_000))


def fact(doc: str, label: str, period: FactPeriod, value: float, statement: str = "income", **kw) -> Fact:
    n = next(_n)
    text = f"({abs(value):,.0f})" if value < 0 else f"{value:,.0f}"
    return Fact(
        id=f"{doc}::f{n}",
        doc_id=doc,
        page=kw.pop("page", 40),
        chunk_id=f"{doc}::{kw.pop('chunk', 7)}",
        statement=statement,  # type: ignore[arg-type]
        label=label,
        period=period,
        value=value,
        scale=kw.pop("scale", 6),
        unit="USD",
        text=text,
        **kw,
    )


FACTS = [
    fact("k22", "Total revenues", year(2022), 5_000),
    fact("k22", "Total revenues", year(2021), 4_000),
    fact("k22", "Operating income", year(2022), 1_000),
    fact("k22", "Operating income", year(2021), 600),
    fact("k21", "Total revenues", year(2021), 4_000),
    fact("k21", "Operating income", year(2021), 600),
    fact("k22", "Total current assets", at("2022-09-30", 2022), 3_000, "balance"),
    fact("k22", "Total current assets", at("2021-09-30", 2021), 2_500, "balance"),
    fact("k22", "Total current liabilities", at("2022-09-30", 2022), 2_000, "balance", scale=3),
    fact("k22", "Purchases of property and equipment", year(2022), -700, "cash_flow"),
    fact("k22", "Net cash provided by operating activities", year(2022), 1_900, "cash_flow"),
    # A quarter's balance sheet dates its balances in the same fiscal year: never the year's end.
    fact("q22", "Total current assets", at("2022-03-31", 2022), 9_999, "balance"),
    # A segment's revenue under its heading is not the company's.
    fact("k22", "Total revenues", year(2022), 1_234, "segment", group="Devices"),
]


def ask(question: str, facts: list[Fact] = FACTS) -> object:
    plan = plan_question(question, Scope(companies=["Fabrikam Corp"], fiscal_years=[2022]))
    return calculate(plan, question, facts, FILINGS)


def test_one_line_item_in_the_asked_scale() -> None:
    calc = ask("What were Fabrikam's total current assets at the end of FY2022? Answer in USD millions.")
    assert calc is not None and calc.result == 3_000 and calc.unit == "USD" and calc.scale == 6
    assert calc.scale_asked == 6 and calc.operands[0].fiscal_year == 2022
    # The year-end balance, not the quarter's (9,999) nor the prior year's.
    assert [o.doc_id for o in calc.operands] == ["k22"]


def test_a_textbook_metric_and_growth() -> None:
    margin = ask("What was Fabrikam's operating margin in FY2022?")
    assert margin is not None and margin.unit == "%" and margin.result == pytest.approx(20.0)
    assert margin.expression == "1,000 / 5,000 * 100"
    growth = ask("What was Fabrikam's revenue growth from FY2021 to FY2022?")
    assert growth is not None and growth.result == pytest.approx(25.0)
    # FY2021 revenue from the FY2021 report itself (its own year), FY2022 from the FY2022 report.
    assert [o.doc_id for o in growth.operands] == ["k21", "k22"]


def test_free_cash_flow_spends_capex_by_its_size() -> None:
    calc = ask("What was Fabrikam's free cash flow in FY2022?")
    assert calc is not None and calc.result == pytest.approx(1_200) and calc.unit == "USD"
    assert calc.expression == "1,900 - 700"


def test_the_questions_formula_with_operands_in_different_scales() -> None:
    calc = ask(
        "What is Fabrikam's FY2022 cash coverage? Cash coverage is defined as: "
        "cash from operations / total current liabilities. Round to two decimals."
    )
    assert calc is not None and calc.formula == "cash from operations / total current liabilities"
    # 1,900 million over 2,000 thousand: the millions are brought to thousands.
    assert calc.expression == "(1,900 * 1000) / 2,000" and calc.result == pytest.approx(950.0)
    assert calc.unit == "" and calc.decimals == 2


def test_disagreeing_filings_tables_majority_and_tie() -> None:
    extra = [
        fact("k22", "Operating income", year(2022), 1_000, page=12),
        fact("k22", "Operating income", year(2022), 77, page=90),
    ]
    chosen = pick_fact(FACTS + extra, FILINGS, "operating_income", 2022, None)
    assert chosen is not None and chosen.value == 1_000  # printed by two tables against one
    # One income statement against another (an affiliate's, filed as an exhibit, or the parent
    # company's alone in a schedule): the filer's own statements are printed first.
    tie = [fact("k22", "Operating income", year(2022), 77, page=90)]
    first = pick_fact(FACTS + tie, FILINGS, "operating_income", 2022, None)
    assert first is not None and first.value == 1_000 and first.page == 40
    later = [fact("k22", "Operating income", year(2022), 77, page=12)]
    assert pick_fact(FACTS + later, FILINGS, "operating_income", 2022, None).value == 77  # type: ignore[union-attr]
    # Off the item's own statement (two "other" tables), a tie still gives nothing.
    other = [
        fact("k23", "Operating income", year(2023), 5, "other", page=30),
        fact("k23", "Operating income", year(2023), 6, "other", page=31),
    ]
    filings = {**FILINGS, "k23": Filing("k23", "10-K", 2023, None, "2023-09-30")}
    assert pick_fact(other, filings, "operating_income", 2023, None) is None


def test_the_part_of_the_item_the_question_names_never_the_total() -> None:
    parts = [*FACTS, fact("k22", "Cloud", year(2022), 2_100, "other", group="Total revenues")]
    total = ask("What were Fabrikam's total revenues in FY2022?", parts)
    assert isinstance(total, Calculation) and total.result != 2_100
    # The part's own row, named by it.
    for question in (
        "What were Fabrikam's Cloud revenues in FY2022?",
        "What was Fabrikam's revenue from its Cloud segment in FY2022?",
    ):
        cloud = ask(question, parts)
        assert isinstance(cloud, Calculation) and cloud.result == 2_100 and cloud.name.startswith("Cloud")
    # A part no row prints: nothing, never the total in its place.
    assert ask("What were Fabrikam's Devices revenues in FY2022?", parts) is None
    assert ask("What was Fabrikam's revenue from online retail services in FY2022?", parts) is None


@pytest.mark.parametrize(
    "question",
    [
        "Why did Fabrikam's operating income grow in FY2022?",  # explanatory
        "How did Fabrikam's operating income reflect its pricing strategy in FY2022?",  # analysis
        "What was Fabrikam's inventory turnover in FY2022?",  # no vocabulary definition
        "What were Fabrikam's total current assets in FY2019?",  # no such period
    ],
)
def test_nothing_for_what_the_facts_cannot_answer(question: str) -> None:
    assert ask(question) is None


def test_two_filers_are_never_mixed() -> None:
    plan = QuestionPlan(
        companies=["Fabrikam Corp", "Contoso Ltd"], fiscal_years=[2022], items=["revenue"], form="figure"
    )
    assert calculate(plan, "What were the total revenues in FY2022?", FACTS, FILINGS) is None


def test_amazon_10k_ixbrl_facts(samples_dir: Path) -> None:
    """On the bundled Amazon 10-K's own iXBRL facts: FY2022 operating margin and current ratio."""
    doc = load_edgar_html(samples_dir / "0001018724-23-000004.htm")
    # Ids and chunks are given at ingest; here each fact gets its own id and its page as chunk.
    facts = [
        f.model_copy(update={"id": f"{f.doc_id}::f{n}", "chunk_id": f"{f.doc_id}::{f.page}"})
        for n, f in enumerate(doc.facts)
    ]
    doc_id = facts[0].doc_id
    filings = {doc_id: Filing(doc_id, "10-K", 2022, None, "2022-12-31", "Amazon.com, Inc.")}
    scope = Scope(companies=["Amazon.com, Inc."], fiscal_years=[2022])
    q = "What was Amazon's operating margin in FY2022?"
    margin = calculate(plan_question(q, scope), q, facts, filings)
    assert margin is not None and {o.item for o in margin.operands} == {"operating_income", "revenue"}
    # Operating income 12,248 on net sales 513,983 (millions), as the income statement prints them.
    assert margin.result == pytest.approx(12_248 / 513_983 * 100, rel=1e-6)
    q = "What was Amazon's current ratio at the end of FY2022?"
    ratio = calculate(plan_question(q, scope), q, facts, filings)
    assert ratio is not None and ratio.result == pytest.approx(146_791 / 155_393, rel=1e-6)


def test_a_table_without_a_unit_line_counts_with_the_stated_one() -> None:
    """Selected data printed with no "(in millions)" line reads at scale 0; with the statement's
    same digits it is one figure, not a disagreement."""
    extra = [
        fact("k22", "Accounts payable", at("2022-09-30", 2022), 812, "balance", scale=s, page=p)
        for s, p in ((0, 20), (6, 41))
    ]
    chosen = pick_fact(FACTS + extra, FILINGS, "accounts_payable", 2022, None)
    assert chosen is not None and chosen.scale == 6 and chosen.value == 812


def test_a_row_elsewhere_that_the_question_happens_to_name_is_no_conflict() -> None:
    """'Net income' printed in the filing is not a part of revenue: the question may name the income
    statement without asking for net income."""
    other = [*FACTS, fact("k22", "Net income", year(2022), 800, table="Revenues, costs and net income")]
    calc = ask("Using the income statement, what were Fabrikam's total revenues in FY2022?", other)
    assert calc is not None and calc.result == 5_000


@pytest.mark.parametrize(
    ("question", "answer", "levels"),
    [
        ("Did Fabrikam's operating margin improve in FY2022?", True, (15.0, 20.0)),
        ("Did Fabrikam's total revenues decline between FY2021 and FY2022?", False, (4_000, 5_000)),
        ("Did Fabrikam's operating income increase from FY2021 to FY2022?", True, (600, 1_000)),
    ],
)
def test_a_yes_no_question_about_a_change(question: str, answer: bool, levels: tuple[float, float]) -> None:
    plan = plan_question(question, Scope(companies=["Fabrikam Corp"], fiscal_years=[2021, 2022]))
    trend = calculate_trend(plan, question, FACTS, FILINGS)
    assert trend is not None and trend.answer is answer
    assert (trend.earlier.result, trend.later.result) == pytest.approx(levels)


@pytest.mark.parametrize(
    "question",
    [
        "Is Fabrikam improving its cost of goods sold as a % of revenue in FY2022?",  # better lower: unclear
        "Has Fabrikam paid dividends in FY2022?",  # no change asked
        "Did Fabrikam's operating margin rise or fall in FY2022?",  # both directions
    ],
)
def test_no_trend_where_the_direction_is_not_clear(question: str) -> None:
    plan = plan_question(question, Scope(companies=["Fabrikam Corp"], fiscal_years=[2022]))
    assert calculate_trend(plan, question, FACTS, FILINGS) is None


def test_a_comparison_of_two_named_years() -> None:
    q = "How did Fabrikam's operating income in FY2022 compare with FY2021?"
    plan = plan_question(q, Scope(companies=["Fabrikam Corp"], fiscal_years=[2021, 2022]))
    trend = calculate_trend(plan, q, FACTS, FILINGS)
    assert trend is not None and trend.answer is None and trend.asked is None
    assert (trend.earlier.result, trend.later.result) == (600, 1_000)


@pytest.mark.parametrize(
    "question",
    [
        "Compare Fabrikam's gross margin versus its operating margin in FY2022.",  # two metrics
        "How does Fabrikam's FY2022 operating income compare?",  # one year: compared with what?
        "Compare Fabrikam's total revenues and operating income between FY2021 and FY2022.",  # two items
    ],
)
def test_no_comparison_when_it_is_not_one_figure_over_two_years(question: str) -> None:
    plan = plan_question(question, Scope(companies=["Fabrikam Corp"], fiscal_years=[2021, 2022]))
    assert calculate_trend(plan, question, FACTS, FILINGS) is None


def test_no_comparison_when_an_analysis_is_asked_as_well() -> None:
    q = "How did Fabrikam's operating income in FY2022 compare with FY2021, and what does it suggest about its pricing?"
    plan = plan_question(q, Scope(companies=["Fabrikam Corp"], fiscal_years=[2021, 2022]))
    assert calculate_trend(plan, q, FACTS, FILINGS) is None


def _quarterly() -> list[Fact]:
    def span(months: int, end: str, fy: int) -> FactPeriod:
        return FactPeriod(kind="duration", end=end, months=months, fiscal_year=fy)

    return [
        *FACTS,
        fact("q22", "Total revenues", span(3, "2022-03-31", 2022), 1_300),
        fact("q22", "Total revenues", span(3, "2021-03-31", 2021), 1_000),
        fact("q22", "Total revenues", span(6, "2022-03-31", 2022), 2_500),
    ]


def test_a_printed_period_and_its_prior_year_for_growth() -> None:
    q = "What was Fabrikam's revenue growth for the three months ended March 31, 2022?"
    calc = calculate(
        plan_question(q, Scope(companies=["Fabrikam Corp"], quarters=[2])), q, _quarterly(), FILINGS
    )
    # The same quarter a year earlier, never the quarter against itself.
    assert calc is not None and calc.result == pytest.approx(30.0)
    assert calc.name == "revenue growth, three months ended March 31, 2022"
    q = "What were Fabrikam's total revenues for the six months ended March 31, 2022?"
    # The printed span wins over the report's quarter: six months, not the quarter.
    calc = calculate(
        plan_question(q, Scope(companies=["Fabrikam Corp"], quarters=[2])), q, _quarterly(), FILINGS
    )
    assert calc is not None and calc.result == 2_500


def test_a_ratio_asked_in_percents_is_a_percentage() -> None:
    q = (
        "What is Fabrikam's FY2022 cash coverage? Cash coverage is defined as: cash from operations / "
        "total revenues. Answer in units of percents."
    )
    calc = ask(q)
    assert calc is not None and calc.unit == "%" and calc.result == pytest.approx(38.0)
    assert calc.expression == "(1,900 / 5,000) * 100"


def test_an_expression_over_a_defined_term_and_a_line_item() -> None:
    """ "EBITDA less capex": the asked expression, not the EBITDA it defines on the way."""
    with_da = [*FACTS, fact("k22", "Depreciation and amortization", year(2022), 300, "cash_flow")]
    calc = ask(
        "What is the FY2022 unadjusted EBITDA less capex for Fabrikam? Define unadjusted EBITDA as "
        "operating income + depreciation and amortization. Answer in USD millions.",
        with_da,
    )
    assert calc is not None and calc.result == pytest.approx(1_000 + 300 - 700), calc
    assert "capital expenditure" in calc.formula and calc.name.startswith("EBITDA less capex")
    # Without a definition, the textbook EBITDA; an expression we cannot read gives nothing at all.
    textbook = ask("What is Fabrikam's FY2022 EBITDA less capital expenditures?", with_da)
    assert textbook is not None and textbook.result == pytest.approx(600)
    assert ask("What is Fabrikam's FY2022 EBITDA less goodwill impairment?", with_da) is None


def test_the_filers_own_row_that_prints_our_result_is_no_conflict() -> None:
    own = [*FACTS, fact("k22", "Free cash flow", year(2022), 1_200, "cash_flow", group="Net cash provided")]
    calc = ask("What is Fabrikam's FY2022 free cash flow?", own)
    assert calc is not None and calc.result == pytest.approx(1_200)
    other = [*FACTS, fact("k22", "Free cash flow", year(2022), 1_100, "cash_flow", group="Net cash provided")]
    assert ask("What is Fabrikam's FY2022 free cash flow?", other) is None  # the filer says otherwise


def test_a_quarters_cash_flow_printed_year_to_date_only() -> None:
    """A 10-Q's cash flow statement is cumulative: asked for the second quarter's operating cash
    flow, the report gives the six months to the quarter's end, and the answer says so. Income
    items are never replaced by a year to date, nor is a first quarter's figure."""
    six = FactPeriod(kind="duration", start="2021-10-01", end="2022-03-31", months=6, fiscal_year=2022)
    quarter = FactPeriod(
        kind="duration", start="2022-01-01", end="2022-03-31", months=3, fiscal_year=2022, fiscal_quarter=2
    )
    facts = [
        fact("q22", "Net cash provided by operating activities", six, 1_100, "cash_flow"),
        fact("q22", "Total revenues", six, 2_600),
        # The prior year's six months, in the same report, are another period.
        fact(
            "q22", "Net cash provided by operating activities", year(2021).model_copy(update={"months": 6}), 1
        ),
    ]
    scope = Scope(companies=["Fabrikam Corp"], fiscal_years=[2022], quarters=[2])
    question = "What was Fabrikam's operating cash flow in Q2 FY2022?"
    calc = calculate(plan_question(question, scope), question, facts, FILINGS)
    assert calc is not None and calc.result == 1_100
    assert "year to date" in calc.name and "Q2" in calc.name
    revenue = "What were Fabrikam's total revenues in Q2 FY2022?"
    assert calculate(plan_question(revenue, scope), revenue, facts, FILINGS) is None
    # A printed three-month column is the quarter's figure.
    both = [*facts, fact("q22", "Net cash provided by operating activities", quarter, 500, "cash_flow")]
    calc = calculate(plan_question(question, scope), question, both, FILINGS)
    assert calc is not None and calc.result == 500 and "year to date" not in calc.name


def test_a_members_share_of_a_line_item() -> None:
    """ "What percentage of revenue did Services contribute": the member's row over the whole's,
    from the same table and heading (not the "Services" row under "Cost of sales"); a member no
    table prints computes nothing, never the whole's own figure."""
    rows = [
        fact("k22", "Products", year(2022), 3_000, group="Net sales", chunk=3),
        fact("k22", "Services", year(2022), 2_000, group="Net sales", chunk=3),
        fact("k22", "Total net sales", year(2022), 5_000, group="Net sales", chunk=3),
        fact("k22", "Services", year(2022), 800, group="Cost of sales", chunk=3),
    ]
    question = "What percentage of Fabrikam's total revenue did the Services segment contribute in FY2022?"
    plan = plan_question(question, Scope(companies=["Fabrikam Corp"], fiscal_years=[2022]))
    assert plan.share_of == "services" and plan.items == ["revenue"]
    calc = calculate(plan, question, rows, FILINGS)
    assert calc is not None and calc.unit == "%" and calc.result == pytest.approx(40.0)
    assert calc.expression == "2,000 / 5,000 * 100" and calc.name.startswith(
        "Services as a share of total net sales"
    )
    other = "What proportion of Fabrikam's revenue was generated by its cloud business in FY2022?"
    plan = plan_question(other, Scope(companies=["Fabrikam Corp"], fiscal_years=[2022]))
    assert plan.share_of == "cloud" and calculate(plan, other, rows, FILINGS) is None
    assert plan_question("What was Fabrikam's total revenue in FY2022?").share_of == ""


PAID = [*FACTS, fact("k22", "Cash dividends paid", year(2022), -250, "cash_flow")]


@pytest.mark.parametrize(
    ("question", "yes"),
    [
        ("Has Fabrikam paid dividends to its shareholders in FY2022?", True),
        ("Did Fabrikam pay cash dividends in FY2022?", True),
        ("Did Fabrikam pay more dividends in FY2022 than in FY2021?", False),  # a comparison
        ("Has Fabrikam paid significant dividends in FY2022?", False),  # a judgement of the size
        ("Did Fabrikam report an operating loss in FY2022?", False),  # the sign, not the amount
        ("Has Fabrikam paid dividends between FY2021 and FY2022?", False),  # two periods
    ],
)
def test_whether_an_amount_was_reported_is_answered_yes_from_the_stored_figure(
    question: str, yes: bool
) -> None:
    from agent.finance.presence import calculate_presence

    plan = plan_question(question, Scope(companies=["Fabrikam Corp"], fiscal_years=[2022]))
    found = calculate_presence(plan, question, PAID, FILINGS)
    assert (found is not None) is yes
    if found is not None:
        assert (found.level.result, found.level.operands[0].label) == (250, "Cash dividends paid")
    # No stored figure (or none above zero): no answer by our code.
    assert calculate_presence(plan, question, FACTS, FILINGS) is None
