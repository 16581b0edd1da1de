"""Known facts of real filings: page counts, metadata of six documents of five kinds, Item
labels of a 10-K's MD&A chunks, and a table row kept with its header and unit line."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.chunking import HFTokenCounter, chunk_segments
from loaders.parse import Parsed, parse_file, sha256_file

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FB = "financebench-dev/pdfs"
CASES = {
    # path: (pages, company, form, fiscal year, fiscal quarter, period end)
    f"{FB}/BESTBUY_2019_10K.pdf": (107, "Best Buy Co., Inc.", "10-K", 2019, None, "2019-02-02"),
    # Amcor's fiscal year ends in June: the quarter ended Dec 31, 2022 is fiscal Q2 2023
    f"{FB}/AMCOR_2023Q2_10Q.pdf": (57, "Amcor Plc", "10-Q", 2023, 2, "2022-12-31"),
    f"{FB}/FOOTLOCKER_2022_8K_dated-2022-05-20.pdf": (
        4,
        "Foot Locker, Inc.",
        "8-K",
        2022,
        None,
        "2022-05-20",
    ),
    f"{FB}/JOHNSON_JOHNSON_2023Q2_EARNINGS.pdf": (24, None, "EARNINGS", 2023, 2, None),
    # Apple's quarter ended June 25, 2022 is fiscal Q3 2022, as the filing itself names it
    "sec-10-q/docs/2022 Q3 AAPL.pdf": (28, "Apple Inc.", "10-Q", 2022, 3, "2022-06-25"),
    "edgar-html/0001326801-23-000013.htm": (None, "Meta Platforms, Inc.", "10-K", 2022, None, "2022-12-31"),
    # Covers that once gave "number 1-5805 JPMorgan Chase & Co." and no name at all (Microsoft).
    f"{FB}/JPMORGAN_2022Q2_10Q.pdf": (None, "JPMorgan Chase & Co.", "10-Q", 2022, 2, "2022-06-30"),
    "sec-10-q/docs/2023 Q1 MSFT.pdf": (None, "Microsoft Corporation", "10-Q", 2023, 1, "2022-12-31"),
    # Layout text puts the transition-period line and "Commission File No." before the name.
    f"{FB}/NIKE_2018_10K.pdf": (None, "NIKE, Inc.", "10-K", 2018, None, "2018-05-31"),
}


def _parse(path: Path) -> Parsed:
    parsed = parse_file(str(path), sha256_file(path))
    assert parsed.error is None, parsed.error
    return parsed


@pytest.mark.parametrize("rel", list(CASES))
def test_metadata_of_real_filings(shared_data: Path, rel: str) -> None:
    pages, company, form, year, quarter, period_end = CASES[rel]
    parsed = _parse(shared_data / rel)
    meta = parsed.meta
    assert meta is not None
    if pages is not None:
        assert parsed.n_pages == pages
    if company is not None:
        assert meta.company == company
    assert (meta.form_type, meta.fiscal_year, meta.fiscal_quarter, meta.period_end) == (
        form,
        year,
        quarter,
        period_end,
    )
    assert set(meta.sources) >= {"form_type", "fiscal_year"}


def test_edgar_html_has_xbrl_sources_accession_and_pages(shared_data: Path) -> None:
    parsed = _parse(shared_data / "edgar-html/0001018724-23-000004.htm")
    meta = parsed.meta
    assert meta is not None
    assert (meta.company, meta.ticker, meta.cik, meta.accession) == (
        "Amazon.com, Inc.",
        "AMZN",
        "0001018724",
        "0001018724-23-000004",
    )
    assert meta.sources["company"] == meta.sources["fiscal_year"] == "xbrl"
    assert parsed.n_pages > 60  # page breaks of the HTML became pages


@pytest.fixture(scope="module")
def counter() -> HFTokenCounter:
    from agent.models import load_sentence_transformer

    return HFTokenCounter(load_sentence_transformer("local:all-minilm-l6-v2").tokenizer)


@pytest.mark.parametrize("rel", [f"{FB}/BESTBUY_2019_10K.pdf", "edgar-html/0001018724-23-000004.htm"])
def test_item_7_chunks_of_a_10k_are_labelled_item_7(
    shared_data: Path, counter: HFTokenCounter, rel: str
) -> None:
    chunks = chunk_segments(_parse(shared_data / rel).segments, counter)
    mdna = [c for c in chunks if c.item == "7"]
    assert len(mdna) > 30
    assert all(
        c.section
        == "Item 7. Management's Discussion and Analysis of Financial Condition and Results of Operations"
        for c in mdna
    )
    # MD&A talk lands in Item 7, and Item 7 sits between Items 6 and 7A
    assert any("results of operations" in c.text.lower() for c in mdna)
    order = [c.item for c in chunks if c.item in ("6", "7", "7A")]
    assert order.index("7") > order.index("6") and max(
        i for i, x in enumerate(order) if x == "7"
    ) < order.index("7A")
    # budgets are real tokenizer counts of the stored text
    assert max(counter.count([c.text for c in chunks])) <= 256


def test_table_row_lands_with_its_header_and_unit_line(shared_data: Path, counter: HFTokenCounter) -> None:
    chunks = chunk_segments(_parse(shared_data / "sec-10-q/docs/2022 Q3 AAPL.pdf").segments, counter)
    hits = [c for c in chunks if "Total net sales 82,959 81,434 304,182 282,457" in c.text]
    assert hits, "the income statement row is missing"
    statement = hits[0]
    assert statement.is_table and statement.page == 3
    assert "(In millions, except number of shares" in statement.text
    assert "Three Months Ended Nine Months Ended" in statement.text
    assert "CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS" in statement.text
    assert statement.item == "1" and statement.part == "I"


def test_items_of_a_10q_ordered_by_its_own_cross_reference_index(shared_data: Path) -> None:
    """Intel prints no "Item N." headings in its 10-Q's body; its Form 10-Q Cross-Reference Index
    (printed page 44) places them: Legal Proceedings on printed pages 19-20 inside the notes, and
    Risk Factors, market risk and controls sharing printed page 40, each from its title line."""
    segments = _parse(shared_data / "sec-10-q/docs/2023 Q2 INTC.pdf").segments

    def text_of(section: str) -> str:
        return "\n".join(s.block.text for s in segments if s.section == section)

    legal = text_of("Part II, Item 1. Legal Proceedings")
    assert "European Commission Competition Matter" in legal
    assert {s.page for s in segments if s.item == "1" and s.part == "II"} == {20, 21}  # printed 19-20
    risk = text_of("Part II, Item 1A. Risk Factors")
    assert risk.startswith("Risk Factors") and "could materially and adversely" in risk
    assert "Inherent Limitations on Effectiveness of Controls" not in risk
    assert "Inherent Limitations" in text_of("Part I, Item 4. Controls and Procedures")
    assert "Consolidated Condensed Balance Sheets" in text_of("Part I, Item 1. Financial Statements")
    # The index itself, the signatures and the exhibits are in no Item.
    assert all(s.item is None for s in segments if s.page >= 44)


@pytest.mark.parametrize(
    ("rel", "headings"),
    [
        # Apple prints each matter under a heading of its own; Intel opens with general sentences.
        (
            "sec-10-q/docs/2023 Q2 AAPL.pdf",
            ["Epic Games: Epic Games, Inc.", "Other Legal Proceedings: The Company"],
        ),
        (
            "sec-10-q/docs/2023 Q2 INTC.pdf",
            [
                "European Commission Competition Matter: In 2009",
                "Litigation Related to Security Vulnerabilities:",
            ],
        ),
    ],
)
def test_the_outline_of_a_real_10q_legal_proceedings(
    shared_data: Path, counter: HFTokenCounter, rel: str, headings: list[str]
) -> None:
    """The headings of Legal Proceedings, as ingested, each with its opening sentence, in print
    order; no wrapped line is taken for a heading."""
    from agent.nodes.section_outline import section_outline
    from agent.schemas import ScoredChunk
    from loaders.pipeline import _make_chunks

    parsed = _parse(shared_data / rel)
    chunks = _make_chunks(chunk_segments(parsed.segments, counter), "doc", rel, {})
    legal = "Part II, Item 1. Legal Proceedings"
    context = [ScoredChunk(chunk=c, score=1.0) for c in chunks if c.metadata.section == legal]
    outline = section_outline(context, [legal], 8)
    at = [outline.find(h) for h in headings]
    assert all(i >= 0 for i in at) and at == sorted(at), outline
    # Every entry is a heading the filing prints on a line of its own.
    printed = {line.strip() for c in context for line in c.chunk.text.splitlines()}
    heads = [s.split(": ", 1)[0] for s in outline.split("]. ") if ": " in s]
    assert len(heads) >= 2 and all(h in printed for h in heads), heads
