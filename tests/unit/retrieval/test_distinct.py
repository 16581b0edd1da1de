"""A page several filings print word for word (forward-looking statements, certifications) is one
candidate for the drafting context, not one per filing; a passage printing other figures or dates
(the same statement of another quarter, the same sentence as of another date) is no copy; a
section the question names is read in every filing."""

from __future__ import annotations

from agent.retrieval.distinct import distinct_passages
from agent.schemas import Chunk, ChunkMetadata, ScoredChunk

RISK = "Part II, Item 1A. Risk Factors"


def chunk(doc: str, n: int, text: str, section: str | None = None) -> ScoredChunk:
    meta = ChunkMetadata(doc_id=doc, source_path=f"/{doc}.pdf", section=section, chunk_index=n)
    return ScoredChunk(chunk=Chunk(id=f"{doc}::{n}", text=text, metadata=meta), score=1.0)


# As a 10-Q prints it every quarter (the same words in each filing).
PREAMBLE = (
    "This Quarterly Report on Form 10-Q includes forward-looking statements within the meaning of the "
    "Private Securities Litigation Reform Act of 1995. Actual results could differ materially because of "
    "competition, acquisitions, divestitures, changes in economic conditions and other risks."
)
CASH_FLOWS = (
    "CONSOLIDATED STATEMENTS OF CASH FLOWS (in millions)\nNet income {a}\nDepreciation and amortization {b}\n"
    "Purchases of property and equipment ({c})\nAcquisitions, net of cash acquired ({d})\n"
    "Net cash provided by operating activities {e}"
)
NOTE = (
    "Acquisition Activity\nOn February 22, 2023, the Company acquired Widget Health, Inc. for cash "
    "consideration of approximately $3.5 billion, net of cash acquired."
)


def _ids(chunks: list) -> list[str]:
    return [c.id for c in chunks]


def test_a_page_every_filing_prints_is_read_once_and_the_note_behind_it_moves_up() -> None:
    ranked = [
        chunk("q3", 1, PREAMBLE),
        chunk("q2", 1, PREAMBLE),
        chunk("q1", 2, PREAMBLE.replace("1995.", "1995, as amended.")),  # a near copy
        chunk("q3", 3, NOTE),
    ]
    assert _ids(distinct_passages(ranked, 0.8, limit=2)) == [ranked[0].id, ranked[3].id]


def test_a_passage_printing_other_dates_reports_another_period_and_is_no_copy() -> None:
    pointer = (
        "As of {now}, there have been no material changes to the foreign exchange rate risks described "
        "as of {then}, in Item 7A of our Annual Report on Form 10-K. We are exposed to foreign exchange "
        "rate risk from our international operations, and we use derivative instruments to hedge some of "
        "our forecasted expenses denominated in currencies other than the United States dollar."
    )
    ranked = [
        chunk("q3-24", 4, pointer.format(now="October 29, 2023", then="January 29, 2023")),
        chunk("q3-23", 4, pointer.format(now="October 30, 2022", then="January 30, 2022")),
    ]
    assert _ids(distinct_passages(ranked, 0.8)) == _ids(ranked)


def test_the_same_statement_of_two_quarters_is_no_copy_nor_is_a_repeat_within_one_filing() -> None:
    q2 = CASH_FLOWS.format(a="6,750", b="11,684", c="12,216", d="1,346", e="8,540")
    q3 = CASH_FLOWS.format(a="9,879", b="11,620", c="12,479", d="3,489", e="11,400")
    ranked = [chunk("q3", 5, q3), chunk("q2", 5, q2), chunk("q3", 9, q3)]
    assert _ids(distinct_passages(ranked, 0.8)) == _ids(ranked)


def test_a_named_section_keeps_every_filings_copy_and_one_keeps_all() -> None:
    ranked = [chunk("q3", 1, PREAMBLE, RISK), chunk("q2", 1, PREAMBLE, RISK)]
    assert _ids(distinct_passages(ranked, 0.8, sections=[RISK])) == _ids(ranked)
    assert _ids(distinct_passages(ranked, 0.8)) == ["q3::1"]
    assert _ids(distinct_passages(ranked, 1.0)) == _ids(ranked)
