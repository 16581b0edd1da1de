"""The plan of a question about one figure over the periods, and the series our code lists."""

from __future__ import annotations

import pytest
from finance_fakes import Filing

from agent.finance.breakdown import parts_moved
from agent.finance.calculate import calculate
from agent.finance.plan import plan_question
from agent.finance.series import (
    Shape,
    calculate_item_series,
    calculate_member_series,
    calculate_series,
    series_shape,
)
from agent.finance.share import asked_members
from agent.finance.vocabulary import ITEMS
from agent.schemas import Fact, FactPeriod, Scope

Q1 = Filing("q1", "10-Q", 2023, 1, "2022-12-31")
Q2 = Filing("q2", "10-Q", 2023, 2, "2023-03-31")
Q3 = Filing("q3", "10-Q", 2023, 3, "2023-06-30")
K22 = Filing("k22", "10-K", 2022, None, "2022-09-30")
K23 = Filing("k23", "10-K", 2023, None, "2023-09-30")
FILINGS = {f.doc_id: f for f in (Q1, Q2, Q3, K22, K23)}
SCOPE = Scope(companies=["Fabrikam Corp"])

_n = iter(range(10_000))


def fact(filing: Filing, label: str, value: float, months: int | None = 3, group: str = "") -> Fact:
    period = (
        FactPeriod(
            kind="duration",
            end=filing.period_end,
            months=months,
            fiscal_year=filing.fiscal_year,
            fiscal_quarter=filing.fiscal_quarter if months == 3 else None,
        )
        if months
        else FactPeriod(kind="instant", end=filing.period_end, fiscal_year=filing.fiscal_year)
    )
    statement = "balance" if months is None else "income"
    return Fact(
        id=f"{filing.doc_id}::f{next(_n)}",
        doc_id=filing.doc_id,
        page=4,
        chunk_id=f"{filing.doc_id}::3",
        statement=statement,
        label=label,
        group=group,
        period=period,
        value=value,
        scale=6,
        unit="USD",
        text=f"{value:,.0f}",
    )


FACTS = [
    fact(Q1, "Total revenues", 1_000),
    fact(Q2, "Total revenues", 1_100),
    fact(Q3, "Total revenues", 900),
    fact(Q1, "Cloud", 300, group="Revenues"),
    fact(Q2, "Cloud", 330, group="Revenues"),
    fact(Q3, "Cloud", 360, group="Revenues"),
    fact(Q1, "Inventories", 50, months=None),
    fact(Q2, "Inventories", 55, months=None),
    fact(Q3, "Inventories", 40, months=None),
    fact(K22, "Total revenues", 4_000, months=12),
    fact(K23, "Total revenues", 4_200, months=12),
]


@pytest.mark.parametrize(
    "question",
    [
        "How have Fabrikam's revenues changed over time?",
        "How did Fabrikam's inventory levels change during these quarters?",
        "How has Fabrikam's revenue varied quarter to quarter?",
        "How does Fabrikam's revenue in the latest quarter compare with prior quarters?",
        "Are there any trends in Fabrikam's revenue?",
        "How did Fabrikam's net income move across the reported periods?",
    ],
)
def test_a_figure_over_the_periods_is_planned_as_a_series(question: str) -> None:
    assert plan_question(question, SCOPE).over_periods


@pytest.mark.parametrize(
    "question",
    [
        "What was Fabrikam's year-over-year change in revenue from FY2022 to FY2023?",  # two years: a growth
        "Which quarter had the highest revenue over the reported periods?",  # a superlative
        "How did Fabrikam's risk factors evolve over the quarters?",  # no figure named
        "What was Fabrikam's revenue in Q2 2023?",  # one period
    ],
)
def test_no_series_where_it_is_not_one_figure_over_every_period(question: str) -> None:
    assert not plan_question(question, SCOPE).over_periods


def test_what_more_than_figures_a_question_asks() -> None:
    assert not plan_question("How have Fabrikam's revenues changed over time?", SCOPE).assessment
    for more in (
        "How have Fabrikam's inventories changed over the quarters, and what might this indicate?",
        "Has there been a shift in Fabrikam's operating expenses over the quarters? If so, what drove it?",
    ):
        assert plan_question(more, SCOPE).assessment, more
    # A second question beside a figure is no figure question.
    assert (
        plan_question("What was Fabrikam's R&D expense in Q1 2023, and which projects got it?", SCOPE).form
        == "text"
    )
    assert plan_question("What was Fabrikam's R&D expense in Q1 2023?", SCOPE).form == "figure"


@pytest.mark.parametrize(
    ("question", "members"),
    [
        ("How has Fabrikam's Cloud segment revenue changed over time?", ["cloud"]),
        ("What was Fabrikam's revenue from its Intelligent Cloud segment in Q3?", ["intelligent cloud"]),
        ("How has Fabrikam's revenue from online retail services fluctuated?", ["online retail services"]),
        ("What was Fabrikam's total revenue in FY2023?", []),
        ("What were Fabrikam's current assets at the end of FY2022?", []),
        ("What was the revenue of Fabrikam in the most recent quarter?", []),
        # Parts listed side by side are each a part.
        (
            "How has Fabrikam's revenue from Consoles or Surface devices varied?",
            ["consoles", "surface devices"],
        ),
        ("Are there trends in Fabrikam's Data Center Group or IoT segment revenues?", ["data center", "iot"]),
        ("How has Fabrikam's iPad and Mac revenue changed over time?", ["ipad", "mac"]),
    ],
)
def test_the_part_of_an_item_a_question_names(question: str, members: list[str]) -> None:
    item = "current_assets" if "current assets" in question else "revenue"
    assert asked_members(question, ITEMS[item].asked, ["Fabrikam Corp"]) == members


def _series(question: str, facts: list[Fact] = FACTS, scope: Scope = SCOPE):
    return calculate_series(plan_question(question, scope), question, facts, FILINGS)


def test_every_quarter_oldest_first_with_the_change() -> None:
    series = _series("How has Fabrikam's total revenue changed over the quarters?")
    assert series is not None
    assert [p.result for p in series.points] == [1_000, 1_100, 900]
    assert series.periods[0] == "the three months ended December 31, 2022"
    assert series.change is not None and series.change.result == pytest.approx(-10.0)
    assert {o.doc_id for p in series.points for o in p.operands} == {"q1", "q2", "q3"}


def test_annual_reports_give_the_years_and_never_mix_with_quarters() -> None:
    series = _series("How has Fabrikam's total revenue changed over the years?")
    assert series is not None and [p.result for p in series.points] == [4_000, 4_200]


def test_a_balance_at_each_quarter_end() -> None:
    series = _series("How have Fabrikam's inventories changed during these quarters?")
    assert series is not None and [p.result for p in series.points] == [50, 55, 40]
    assert series.periods[-1] == "June 30, 2023"


def test_the_part_named_is_listed_never_the_total() -> None:
    series = _series("How has Fabrikam's Cloud revenue changed over the quarters?")
    assert series is not None and [p.result for p in series.points] == [300, 330, 360]
    assert _series("How has Fabrikam's Devices revenue changed over the quarters?") is None


def test_a_period_without_the_figure_is_reported_missing() -> None:
    facts = [f for f in FACTS if not (f.doc_id == "q2" and f.label == "Total revenues")]
    series = _series("How has Fabrikam's total revenue changed over the quarters?", facts)
    assert series is not None and [p.result for p in series.points] == [1_000, 900]
    assert series.missing == ["FY2023 Q2"]
    # Fewer than two periods with the figure: no series at all.
    only = [f for f in facts if not (f.doc_id == "q3" and f.label == "Total revenues")]
    assert _series("How has Fabrikam's total revenue changed over the quarters?", only) is None


def test_a_period_the_scope_names_narrows_the_series() -> None:
    scope = Scope(companies=["Fabrikam Corp"], fiscal_years=[2023], quarters=[2])
    assert _series("How has Fabrikam's total revenue changed over the quarters?", scope=scope) is None


DEVICES = [fact(f, "Devices", v, group="Revenues") for f, v in ((Q1, 120), (Q2, 110), (Q3, 90))]


def test_a_part_printed_under_its_last_word_only() -> None:
    """ "Surface devices" where the table prints "Devices": that row, which names nothing the question
    does not; a row naming more ("Cloud") or only another word never stands in."""
    series = _series(
        "How has Fabrikam's revenue from Surface devices changed over the quarters?", FACTS + DEVICES
    )
    assert series is not None and [p.result for p in series.points] == [120, 110, 90]
    assert (
        _series("How has Fabrikam's revenue from surface tablets changed over the quarters?", FACTS + DEVICES)
        is None
    )


# Amazon.com, Inc. 10-Q for the quarter ended September 30, 2023: net sales on the statement of
# operations (page 4) and its note's net sales by groups of similar products and services (page 21),
# three months ended September 30, 2023, in millions.
AMAZON_ROWS = [
    ("Online stores", 57_267),
    ("Physical stores", 4_959),
    ("Third-party seller services", 34_342),
    ("Subscription services", 10_170),
    ("Advertising services", 12_060),
    ("AWS", 23_059),
    ("Other", 1_226),
]


def _amazon_facts() -> list[Fact]:
    def one(label: str, value: float, chunk: str, statement: str, group: str, page: int) -> Fact:
        return fact(Q3, label, value, group=group).model_copy(
            update={"chunk_id": f"q3::{chunk}", "statement": statement, "page": page}
        )

    return [one("Total net sales", 143_083, "12", "income", "", 4)] + [
        one(label, value, "78", "other", "Net Sales", 21) for label, value in AMAZON_ROWS
    ]


def test_a_part_the_filer_names_in_its_own_words() -> None:
    """ "Online retail services" is the row "Online stores": the one row of the whole's parts that
    holds a word of the part's name no other row holds, in a table of rows of its kind (services,
    stores). A word several rows hold ("services"), words two different rows hold, or a kind no
    row is ("launches") names no row: no figure rather than a guess."""
    scope = Scope(companies=["Fabrikam Corp"], fiscal_years=[2023], quarters=[3])
    facts = _amazon_facts()
    online = "What was Fabrikam's revenue from online retail services in Q3 2023?"
    calc = calculate(plan_question(online, scope), online, facts, FILINGS)
    assert calc is not None and calc.result == 57_267
    assert calc.operands[0].label == "Online stores" and calc.operands[0].page == 21
    for unnamed in (
        "What was Fabrikam's revenue from retail services in Q3 2023?",  # "services": four rows
        "What was Fabrikam's revenue from online physical services in Q3 2023?",  # two rows
        "What was Fabrikam's revenue from new online launches in Q3 2023?",  # no row of launches
        "What was Fabrikam's revenue from mobile retail services in Q3 2023?",  # no row
    ):
        assert calculate(plan_question(unnamed, scope), unnamed, facts, FILINGS) is None, unnamed


def test_one_series_per_listed_part_or_none() -> None:
    question = "How has Fabrikam's revenue from Cloud or Surface devices varied quarter to quarter?"
    plan = plan_question(question, SCOPE)
    assert plan.members == ["cloud", "surface devices"]
    assert calculate_series(plan, question, FACTS + DEVICES, FILINGS) is None  # never one for both
    both = calculate_member_series(plan, question, FACTS + DEVICES, FILINGS)
    assert both is not None
    assert [[p.result for p in s.points] for s in both] == [[300, 330, 360], [120, 110, 90]]
    # A part the facts do not give: no partial list passed off as the answer.
    assert calculate_member_series(plan, question, FACTS, FILINGS) is None


def test_one_row_naming_every_listed_part_is_that_row() -> None:
    """ "Server products and cloud services" is one row of the table: listed parts it names all
    are that row, once; "&" joins the words of one name."""
    assert asked_members(
        "How has Fabrikam's Compute & Networking revenue changed?", ITEMS["revenue"].asked, []
    ) == ["compute networking"]
    server = [
        fact(f, "Server products and cloud services", v, group="Revenues")
        for f, v in ((Q1, 70), (Q2, 75), (Q3, 80))
    ]
    question = "How has Fabrikam's revenue from server products and cloud services changed over the quarters?"
    plan = plan_question(question, SCOPE)
    assert plan.members == ["server products", "cloud services"]
    one = calculate_member_series(plan, question, FACTS + server, FILINGS)
    assert one is not None and len(one) == 1 and [p.result for p in one[0].points] == [70, 75, 80]
    figure = "What was Fabrikam's revenue from server products and cloud services in Q2 2023?"
    scope = Scope(companies=["Fabrikam Corp"], fiscal_years=[2023], quarters=[2])
    calc = calculate(plan_question(figure, scope), figure, FACTS + server, FILINGS)
    assert calc is not None and calc.result == 75
    # Two rows, one per part: no single figure for both.
    two = "What was Fabrikam's revenue from Cloud or Surface devices in Q2 2023?"
    assert calculate(plan_question(two, scope), two, FACTS + DEVICES, FILINGS) is None


def test_each_item_named_over_the_quarters_is_a_series() -> None:
    question = "How have Fabrikam's revenues and inventories changed over the quarters?"
    plan = plan_question(question, SCOPE)
    assert plan.over_periods and plan.items == ["revenue", "inventory"]
    revenue, inventory = calculate_item_series(plan, question, FACTS, FILINGS) or []
    assert [p.result for p in revenue.points] == [1_000, 1_100, 900]
    assert [p.result for p in inventory.points] == [50, 55, 40]
    # An item with no series at all: no answer for the others alone.
    no_inventory = [f for f in FACTS if f.label != "Inventories"]
    assert calculate_item_series(plan, question, no_inventory, FILINGS) is None


def test_the_shape_of_a_series_every_step_or_its_extremes() -> None:
    rising = _series("How has Fabrikam's Cloud revenue changed over the quarters?")
    assert rising is not None and series_shape(rising) == Shape("up", 2, 0)
    mixed = _series("How has Fabrikam's total revenue changed over the quarters?")  # 1,000, 1,100, 900
    assert mixed is not None and series_shape(mixed) == Shape(None, 1, 2)
    tied = mixed.model_copy(update={"points": [*mixed.points[:2], mixed.points[1]]})  # 1,000, 1,100, 1,100
    assert series_shape(tied) == Shape(None, None, 0)
    two = _series("How has Fabrikam's total revenue changed over the years?")
    assert two is not None and series_shape(two) is None  # two points: the change says it all


def test_the_parts_that_moved_an_item_most_are_rows_of_one_table_in_both_periods() -> None:
    parts = [
        fact(Q1, "Cloud", 300, group="Revenues"),
        fact(Q1, "Devices", 700, group="Revenues"),
        fact(Q3, "Cloud", 360, group="Revenues"),
        fact(Q3, "Devices", 540, group="Revenues"),
    ]
    totals = [f for f in FACTS if f.label == "Total revenues" and f.period.months == 3]
    series = _series("How has Fabrikam's total revenue changed over the quarters?", [*totals, *parts])
    assert series is not None
    moved = parts_moved(series, "revenue", [*totals, *parts])
    # Devices fell 160, Cloud rose 60: Devices first, each with its first and last figure.
    assert [(a.operands[0].label, a.result, b.result) for a, b in moved] == [
        ("Devices", 700, 540),
        ("Cloud", 300, 360),
    ]
    assert {a.operands[0].doc_id for a, _ in moved} == {"q1"} and {
        b.operands[0].doc_id for _, b in moved
    } == {"q3"}
    # A row renamed between the two reports: no table lists the same rows in both, so no parts.
    renamed = [*parts[:3], parts[3].model_copy(update={"label": "Hardware"})]
    assert parts_moved(series, "revenue", [*totals, *renamed]) == []


def test_the_parts_above_a_total_in_a_statement_with_one_heading() -> None:
    """An income statement under one heading (no "Operating expenses:" group): the expense lines
    printed right above the total are its parts, matched across reports whatever their punctuation.
    Figures: Intel's 10-Qs, three months ended October 1, 2022 and September 30, 2023 ($ millions)."""

    def statement(filing: Filing, mga: str, figures: list[float]) -> list[Fact]:
        labels = ["Net revenue", "Cost of sales", "Gross margin", "Research and development", mga]
        labels += ["Restructuring and other charges", "Operating expenses", "Operating income (loss)"]
        return [fact(filing, label, value) for label, value in zip(labels, figures, strict=True)]

    before = statement(
        Q1, "Marketing, general and administrative", [15338, 8803, 6535, 4302, 1744, 664, 6710, -175]
    )
    after = statement(
        Q3, "Marketing, general, and administrative", [14158, 8140, 6018, 3870, 1340, 816, 6026, -8]
    )
    facts = [*before, *after]
    series = _series(
        "Has there been a substantial shift in Fabrikam's operating expenses over the quarters?", facts
    )
    assert series is not None and [p.result for p in series.points] == [6710, 6026]
    moved = parts_moved(series, "operating_expenses", facts)
    assert [(a.operands[0].label, a.result, b.result) for a, b in moved] == [
        ("Research and development", 4302, 3870),
        ("Marketing, general and administrative", 1744, 1340),
    ]
    # The rows above a total that do not add up to it are no parts: gross margin is a difference.
    margin = _series("How has Fabrikam's gross margin changed over the quarters?", facts)
    assert margin is not None and parts_moved(margin, "gross_profit", facts) == []
