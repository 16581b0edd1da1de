"""A filer's own line standing in for an expense item it prints no row for (Amazon's 10-Qs: no
research and development row; their MD&A says what "Technology and content", renamed
"Technology and infrastructure" in 2023, includes). Figures and sentences as the filings print them."""

from __future__ import annotations

from finance_fakes import Filing

from agent.finance.plan import plan_question
from agent.finance.series import calculate_series
from agent.finance.stand_in import find_stand_in, stands_in_for, with_stand_ins
from agent.finance.vocabulary import item_of
from agent.nodes.computed import stand_in_sentences, word_series
from agent.schemas import Fact, FactPeriod, Scope

AMAZON = "Amazon.com, Inc."
Q3_22 = Filing("q3-22", "10-Q", 2022, 3, "2022-09-30", AMAZON)
Q1_23 = Filing("q1-23", "10-Q", 2023, 1, "2023-03-31", AMAZON)
Q2_23 = Filing("q2-23", "10-Q", 2023, 2, "2023-06-30", AMAZON)
Q3_23 = Filing("q3-23", "10-Q", 2023, 3, "2023-09-30", AMAZON)
FILINGS = {f.doc_id: f for f in (Q3_22, Q1_23, Q2_23, Q3_23)}
SCOPE = Scope(companies=[AMAZON])

# (filing, row, prior year's quarter, the quarter), in millions, as the statements print them.
PRINTED = [
    (Q3_22, "Technology and content", 14_380, 19_485),
    (Q3_22, "Fulfillment", 20_257, 22_248),
    (Q1_23, "Technology and content", 14_842, 20_450),
    (Q1_23, "Fulfillment", 20_271, 20_905),
    (Q2_23, "Technology and infrastructure", 18_072, 21_931),
    (Q2_23, "Fulfillment", 20_317, 21_305),
    (Q3_23, "Technology and infrastructure", 19_485, 21_203),
    (Q3_23, "Fulfillment", 22_248, 22_314),
]

# The MD&A paragraph, its heading run into the sentence as the PDF text prints it.
DEFINES = (
    "We regularly evaluate our facility requirements.\n{title}\n{row} costs include payroll and related "
    "expenses for employees involved in the research and development of new and existing\nproducts and "
    "services, development, design, and maintenance of our stores, curation and display of products and "
    "services made available in our online stores,\nand infrastructure costs."
)
FULFILLMENT = (
    "Fulfillment costs primarily consist of those costs incurred in operating and staffing our North "
    "America and International fulfillment centers, physical stores, and customer service centers."
)


def _facts() -> list[Fact]:
    out = []
    for n, (filing, row, before, now) in enumerate(PRINTED):
        for year, value in ((filing.fiscal_year - 1, before), (filing.fiscal_year, now)):
            end = filing.period_end.replace(str(filing.fiscal_year), str(year), 1)
            out.append(
                Fact(
                    id=f"{filing.doc_id}::f{n}-{year}",
                    doc_id=filing.doc_id,
                    page=4,
                    chunk_id=f"{filing.doc_id}::3",
                    statement="income",
                    label=row,
                    group="Operating expenses",
                    period=FactPeriod(
                        kind="duration",
                        end=end,
                        months=3,
                        fiscal_year=year,
                        fiscal_quarter=filing.fiscal_quarter,
                    ),
                    value=value,
                    scale=6,
                    unit="USD",
                    text=f"{value:,}",
                )
            )
    return out


def _passages(doc_id: str) -> list[tuple[str, str]]:
    row = next(r for f, r, *_ in PRINTED if f.doc_id == doc_id and r != "Fulfillment")
    return [
        (f"{doc_id}::60", FULFILLMENT),
        (f"{doc_id}::61", DEFINES.format(title=row.title(), row=row)),
    ]


def test_the_row_a_filing_says_includes_the_item_stands_in_for_it() -> None:
    found = find_stand_in("r_and_d", "q2-23", _facts(), _passages("q2-23"))
    assert found is not None
    stand_in, row = found
    assert (stand_in.item, stand_in.label, stand_in.chunk_id, row) == (
        "r_and_d",
        "Technology and infrastructure",
        "q2-23::61",
        "technology and infrastructure",
    )
    # From the row's own words (not the heading run into them) to the clause naming the item.
    assert stand_in.quote == (
        "Technology and infrastructure costs include payroll and related expenses for employees involved "
        "in the research and development of new and existing products and services"
    )
    # The sentence on fulfillment costs names no research and development: no stand-in.
    assert find_stand_in("r_and_d", "q2-23", _facts(), _passages("q2-23")[:1]) is None


def test_a_series_of_the_item_reads_the_stand_in_rows_renamed_between_reports() -> None:
    facts = with_stand_ins(["r_and_d"], _facts(), _passages)
    marked = [f for f in facts if item_of(f) == "r_and_d"]
    assert marked and {f.label for f in marked} == {"Technology and content", "Technology and infrastructure"}
    assert len(facts) == len(_facts())  # the same cells, marked: none counted twice
    assert [f.id for f in facts] == [f.id for f in _facts()]
    # The row's share of net sales in an MD&A table (15.3 %) is the income statement's row only by name.
    share = _facts()[0].model_copy(
        update={"id": "q3-22::pct", "statement": "other", "value": 15.3, "unit": "%"}
    )
    assert item_of(with_stand_ins(["r_and_d"], [*_facts(), share], _passages)[-1]) is None

    plan = plan_question(
        "How has Amazon's research and development spending moved over these quarters?", SCOPE
    )
    assert plan.items == ["r_and_d"] and plan.over_periods
    series = calculate_series(plan, "", facts, FILINGS)
    assert series is not None
    assert [p.result for p in series.points] == [19_485, 20_450, 21_931, 21_203]
    assert series.subject == "Technology and infrastructure"
    assert series.also_printed == ["Technology and content"]

    aliases = {f"{d}::{n}": f"c{i}" for i, (d, n) in enumerate(((d, n) for d in FILINGS for n in (3, 61)), 1)}
    said = stand_in_sentences(series.points, aliases)
    assert said == [
        'Technology and content includes research and development: "Technology and content costs include '
        "payroll and related expenses for employees involved in the research and development of new and "
        'existing products and services" [c2].',
        'Technology and infrastructure includes research and development: "Technology and infrastructure '
        "costs include payroll and related expenses for employees involved in the research and development "
        'of new and existing products and services" [c6].',
    ]
    _lines, worded = word_series(series, aliases)
    assert worded.startswith(
        "Technology and infrastructure (also printed as Technology and content) was $19,485 million"
    )
    assert worded.count("also printed as") == 1


def test_no_stand_in_when_the_filer_prints_the_item() -> None:
    facts = _facts()
    printed = facts[0].model_copy(update={"id": "q3-22::rd", "label": "Research and development"})
    assert with_stand_ins(["r_and_d"], [*facts, printed], _passages) == [*facts, printed]


def test_only_an_expense_line_that_is_no_other_item_stands_in() -> None:
    assert stands_in_for("r_and_d") and stands_in_for("cogs")
    # A total, a result, revenue, a balance and a cash-flow item: never a function's line.
    for key in ("operating_expenses", "operating_income", "net_income", "revenue", "total_assets", "capex"):
        assert not stands_in_for(key), key
    # A sentence saying cost of sales includes research and development: cost of sales is an item
    # of its own, so its row never stands in for another.
    facts = [
        f.model_copy(update={"label": "Cost of sales"}) if f.label == "Fulfillment" else f for f in _facts()
    ]
    cost = [("q2-23::70", "Cost of sales expenses include research and development of our devices.")]
    assert find_stand_in("r_and_d", "q2-23", facts, cost) is None
    # The same sentence about a row that is no item of its own does stand in.
    fulfillment = [("q2-23::70", "Fulfillment expenses include research and development of our devices.")]
    found = find_stand_in("r_and_d", "q2-23", _facts(), fulfillment)
    assert found is not None and found[0].label == "Fulfillment"


def test_a_passage_flagged_as_carrying_instructions_names_no_stand_in(tmp_path) -> None:
    """Through the graph's Resources: the stand-in is read from the filing's passages, never from
    one the ingest flagged as carrying instructions."""
    from types import SimpleNamespace

    from agent.config import Settings
    from agent.nodes.resources import Resources
    from agent.schemas import Chunk, ChunkMetadata, QuestionPlan

    def index(flagged: str | None) -> SimpleNamespace:
        chunks = {
            d: [
                Chunk(
                    id=cid,
                    text=text,
                    metadata=ChunkMetadata(doc_id=d, source_path=f"/{d}.pdf", flagged=flagged),
                )
                for cid, text in _passages(d)
            ]
            for d in FILINGS
        }
        records = [SimpleNamespace(doc_id=d, company=AMAZON) for d in FILINGS]
        return SimpleNamespace(
            documents=lambda: records, facts=lambda ids: _facts(), doc_chunks=chunks.__getitem__
        )

    plan = QuestionPlan(companies=[AMAZON], items=["r_and_d"])
    for flagged, marked in ((None, True), ("an instruction to the reader", False)):
        resources = Resources(Settings(data_dir=tmp_path))
        resources._index = index(flagged)
        facts = resources.company_facts(plan)
        assert any(item_of(f) == "r_and_d" for f in facts) is marked
