"""Training queries written from a filing's structure (no model, no question text)."""

from __future__ import annotations

import random

from agent.retrieval.manifest import DocumentRecord
from agent.schemas import Chunk, ChunkMetadata, Fact, FactPeriod
from agent.tuning.queries import (
    Pair,
    distinctive,
    document_queries,
    headings,
    period_words,
    row_label,
    row_query,
    sample_pairs,
    short_company,
    spread,
    table_title,
    term_queries,
)

RECORD = DocumentRecord(
    doc_id="d1",
    source_path="/x/d1.pdf",
    sha256="s",
    company="Zenith Widgets Corp.",
    form_type="10-K",
    fiscal_year=2021,
)


def fact(label: str, group: str = "", months: int | None = 12, kind: str = "duration", **kw: object) -> Fact:
    period = FactPeriod(
        kind=kind, end="2021-12-31", months=months, fiscal_year=2021, fiscal_quarter=kw.pop("q", None)
    )  # type: ignore[arg-type]
    return Fact(
        id="d1::f1",
        doc_id="d1",
        page=3,
        chunk_id="d1::7",
        label=label,
        group=group,
        period=period,
        value=1.0,
        **kw,
    )  # type: ignore[arg-type]


def chunk(i: int, text: str, page: int = 2) -> Chunk:
    return Chunk(
        id=f"d1::{i}", text=text, metadata=ChunkMetadata(doc_id="d1", source_path="/x/d1.pdf", page=page)
    )


def test_company_is_named_as_people_name_it() -> None:
    assert short_company(RECORD) == "Zenith Widgets"
    assert short_company(DocumentRecord(doc_id="d", source_path="p", sha256="s", ticker="ZWC")) == "ZWC"


def test_period_words_carry_their_preposition() -> None:
    rng = random.Random(0)
    annual = {period_words(FactPeriod(kind="duration", months=12, fiscal_year=2021), rng) for _ in range(40)}
    assert annual <= {"in fiscal 2021", "in FY2021", "in 2021", "for fiscal year 2021"} and len(annual) > 1
    quarter = period_words(FactPeriod(kind="duration", months=3, fiscal_year=2022, fiscal_quarter=2), rng)
    assert "2022" in quarter and ("Q2" in quarter or "second quarter" in quarter)
    instant = period_words(FactPeriod(kind="instant", end="2021-12-31", fiscal_year=2021), rng)
    assert instant in {"as of 2021-12-31", "at the end of fiscal 2021"}
    nine = period_words(FactPeriod(kind="duration", months=9, end="2022-09-30"), rng)
    assert nine == "for the 9 months ended 2022-09-30"


def test_generic_row_keeps_its_group_and_asides_are_dropped() -> None:
    assert row_label(fact("Total", group="Net sales:")) == "Total Net sales"
    assert row_label(fact("Purchases of property and equipment (1)")) == "Purchases of property and equipment"


def test_row_query_names_row_and_period_not_the_filer_and_records_the_period_end() -> None:
    rng = random.Random(1)
    pairs = [
        row_query(fact("Purchases of property and equipment", statement="cash_flow"), RECORD, rng)
        for _ in range(20)
    ]
    assert all(p is not None for p in pairs)
    for p in pairs:
        assert p is not None
        assert "Zenith" not in p.query and "2021" in p.query  # queries tell passages of one filing apart
        assert "property and equipment" in p.query.lower()
        assert (p.kind, p.chunk_id, p.key, p.period) == (
            "row",
            "d1::7",
            "purchases of property and equipment",
            "2021-12-31",
        )
    assert {p.style for p in pairs if p} == {"keywords", "question"}
    questions = [p.query for p in pairs if p and p.style == "question"]
    assert all(q.endswith("?") and " for in " not in q for q in questions)


def test_headings_are_short_title_lines_without_figures() -> None:
    text = "Note 4 – Share Repurchase Program\nDuring the quarter the Company repurchased 12 million shares.\nTotal 1,234 5,678"
    assert headings(text) == ["Note 4 – Share Repurchase Program"]
    assert headings("Yes ☒ No ☐\n(Mark One)\nApple Inc.\nThe following table shows revenue") == []


def test_table_title_is_the_leading_capitalised_run() -> None:
    assert table_title("Supplemental Cash Flow Information The following table shows supplemental data:") == (
        "Supplemental Cash Flow Information"
    )
    assert table_title("The following table shows the calculation of diluted shares") == ""
    assert (
        table_title("CONSOLIDATED STATEMENTS OF CASH FLOWS (in millions)")
        == "CONSOLIDATED STATEMENTS OF CASH FLOWS"
    )


def test_defined_terms_become_queries() -> None:
    c = chunk(3, 'We entered into a revolving facility (the "Credit Agreement") with a group of lenders.')
    pairs = term_queries(c, RECORD, random.Random(0))
    assert [p.key for p in pairs] == ["credit agreement"]
    assert "Credit Agreement" in pairs[0].query and "10-K" in pairs[0].query


def test_a_key_printed_in_many_passages_makes_no_query() -> None:
    texts = ["the program", "the program again", "program", "program four"]
    assert not distinctive("program", texts)
    assert distinctive("credit agreement", [*texts, "the credit agreement"])
    chunks = [chunk(i, "Stock Option Plan\nThe plan grants options.") for i in range(5)]
    pools = document_queries(RECORD, chunks, [], random.Random(0))
    assert pools["heading"] == []  # the same heading on five passages points at none of them


def test_cover_page_lines_are_not_headings() -> None:
    pools = document_queries(
        RECORD, [chunk(0, "Commission File Number\nZenith Widgets Corp.", page=0)], [], random.Random(0)
    )
    assert pools["heading"] == []


def test_sampling_shares_the_budget_across_kinds_and_spreads_over_passages() -> None:
    def pairs(kind: str, n: int, chunks: int) -> list[Pair]:
        return [Pair(f"{kind} {i}", f"c{i % chunks}", "d1", kind, "keywords", f"{kind}{i}") for i in range(n)]

    pool = {
        "row": pairs("row", 100, 5),
        "heading": pairs("heading", 3, 3),
        "caption": pairs("caption", 50, 50),
        "term": [],
    }
    chosen = sample_pairs([pool], 30, random.Random(0))
    kinds = [p.kind for p in chosen]
    assert len(chosen) == 30 and kinds.count("heading") == 3
    assert abs(kinds.count("row") - kinds.count("caption")) <= 1
    rows = [p for p in chosen if p.kind == "row"]
    assert len({p.chunk_id for p in rows[:5]}) == 5  # every passage once before any passage twice
    ordered = spread(pairs("row", 6, 2))
    assert [p.chunk_id for p in ordered][:2] in (["c0", "c1"], ["c1", "c0"])
