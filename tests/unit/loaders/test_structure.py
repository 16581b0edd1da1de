"""Tables in page text, Item sections (TOC skipped, cross-references ignored), chunk packing."""

from __future__ import annotations

import pytest

from loaders.base import Block, Page
from loaders.chunking import RegexTokenCounter, chunk_segments
from loaders.sections import segment
from loaders.tables import split_blocks

PAGE_TABLE = """Results of operations are discussed below.
CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS
(In millions)
Three Months Ended
2022 2021
Net sales:
Products $ 63,355 $ 63,948
Services 19,604 17,486
Total net sales 82,959 81,434
See accompanying Notes."""


def test_table_block_takes_title_unit_line_and_column_headers() -> None:
    blocks = split_blocks(PAGE_TABLE)
    table = next(b for b in blocks if b.kind == "table")
    assert "(In millions)" in table.header
    assert table.header[0] == "CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS"
    assert "Total net sales 82,959 81,434" in table.text
    assert blocks[0].text == "Results of operations are discussed below."


def _page(i: int, text: str) -> Page:
    return Page(index=i, blocks=[Block(text)])


TOC = "\n".join(
    f"Item {n}. {t} {p}"
    for n, t, p in [
        ("1", "Business", 3),
        ("1A", "Risk Factors", 5),
        ("7", "Management's Discussion", 20),
        ("8", "Financial Statements", 30),
    ]
)


def test_sections_skip_toc_and_cross_references() -> None:
    pages = [
        _page(0, "FORM 10-K\ncover"),
        _page(1, TOC),
        _page(2, "Item 1. Business\nWe sell widgets."),
        _page(
            3,
            "Item 1A. Risk Factors\nWidgets may break.\nRefer to Item 7. Management's Discussion and Analysis below.",
        ),
        _page(
            4, "more risks.Item 7. Management's Discussion and Analysis of Financial Condition\nSales rose."
        ),
        _page(5, "Item 1A. Risk Factors\n(a running header, not a new section)\nMore MD&A."),
        _page(6, "ITEM 8. FINANCIAL STATEMENTS AND SUPPLEMENTARY DATA\nBalance sheet."),
    ]
    segs = segment(pages, "10-K")
    by_text = {s.block.text.splitlines()[-1]: s for s in segs}
    assert by_text["We sell widgets."].item == "1"
    assert by_text["Refer to Item 7. Management's Discussion and Analysis below."].item == "1A"
    assert by_text["more risks."].item == "1A"  # glued heading split off the previous sentence
    sales = by_text["Sales rose."]
    assert sales.item == "7"
    assert (
        sales.section
        == "Item 7. Management's Discussion and Analysis of Financial Condition and Results of Operations"
    )
    assert by_text["More MD&A."].item == "7"
    assert by_text["Balance sheet."].item == "8"
    assert all(s.item is None for s in segs if s.page in (0, 1))


def test_ten_q_parts_restart_numbering() -> None:
    pages = [
        _page(0, "PART I — FINANCIAL INFORMATION\nItem 1. Financial Statements\nnumbers"),
        _page(1, "Item 2. Management's Discussion and Analysis of Financial Condition\nmdna"),
        _page(
            2,
            "PART II — OTHER INFORMATION\nItem 1. Legal Proceedings\nlawsuits\nItem 1A. Risk Factors\nrisks",
        ),
    ]
    segs = {s.block.text.splitlines()[-1]: s for s in segment(pages, "10-Q")}
    assert (segs["mdna"].part, segs["mdna"].item) == ("I", "2")
    assert (segs["lawsuits"].part, segs["lawsuits"].item) == ("II", "1")
    assert segs["risks"].section == "Part II, Item 1A. Risk Factors"


def test_ten_q_running_headers_repeat_the_item_without_starting_part_ii() -> None:
    """Some filers print "PART I / Item 1" atop every page: the same Item again is a running
    header, not Part II restarting the numbering (Part II starts at a smaller Item or its own line)."""
    pages = [
        _page(0, "PART I\nItem 1\nINCOME STATEMENTS\nrevenue"),
        _page(1, "PART I\nItem 1\nBALANCE SHEETS\nassets"),
        _page(2, "PART I\nItem 1\nNOTES\ncontingencies"),
        _page(3, "PART I\nItem 2\nITEM 2. MANAGEMENT'S DISCUSSION AND ANALYSIS\nmdna"),
        _page(4, "PART I\nItem 2\nmore mdna"),
        _page(5, "PART II\nItem 1\nITEM 1. LEGAL PROCEEDINGS\nlawsuits"),
        _page(6, "PART II\nItem 1A\nITEM 1A. RISK FACTORS\nrisks"),
    ]
    segs = {s.block.text.splitlines()[-1]: s for s in segment(pages, "10-Q")}
    for line in ("revenue", "assets", "contingencies"):
        assert segs[line].section == "Part I, Item 1. Financial Statements", line
    assert segs["more mdna"].section.startswith("Part I, Item 2. Management")
    assert segs["lawsuits"].section == "Part II, Item 1. Legal Proceedings"
    assert segs["risks"].section == "Part II, Item 1A. Risk Factors"


def test_chunks_respect_budget_items_pages_and_repeat_table_headers() -> None:
    counter = RegexTokenCounter()
    prose = " ".join(f"Sentence number {i} talks about revenue." for i in range(60))
    rows = "\n".join(f"Row {i} | {i * 10:,} | {i * 11:,}" for i in range(80))
    pages = [
        _page(0, "Item 7. Management's Discussion and Analysis\n" + prose),
        Page(
            index=1,
            blocks=[Block(rows, kind="table", header=["BIG TABLE", "(In millions)", "Item | 2022 | 2021"])],
        ),
        _page(2, "Item 7A. Quantitative and Qualitative Disclosures About Market Risk\nRates moved."),
    ]
    segs = segment(pages, "10-K")
    chunks = chunk_segments(segs, counter, chunk_tokens=64, overlap=16)
    assert all(c.tokens <= 64 for c in chunks)
    assert all(counter.count([c.text])[0] <= 64 for c in chunks)
    table_chunks = [c for c in chunks if c.page == 1]
    assert len(table_chunks) > 2 and all(c.is_table for c in table_chunks)
    assert all(c.text.startswith("BIG TABLE\n(In millions)\nItem | 2022 | 2021\nRow") for c in table_chunks)
    every_row = [ln for c in table_chunks for ln in c.text.splitlines() if ln.startswith("Row ")]
    assert len(every_row) == 80  # rows are never duplicated nor lost
    prose_chunks = [c for c in chunks if c.page == 0]
    assert {c.item for c in prose_chunks} == {"7"} and chunks[-1].item == "7A"
    # overlap: consecutive prose chunks share a sentence
    first, second = prose_chunks[0].text.splitlines()[-1], prose_chunks[1].text
    assert first.split(".")[-2].strip() in second


def test_item_followed_by_a_comma_is_a_cross_reference_not_a_heading() -> None:
    from loaders.sections import parse_heading

    assert (
        parse_heading("Item 7, Management's Discussion and Analysis of Financial Condition", "10-K", None)
        is None
    )
    heading = parse_heading(
        "Item 7. Management's Discussion and Analysis of Financial Condition", "10-K", None
    )
    assert heading is not None and heading.item == "7"


class _Page:
    """A pypdf page stand-in returning fixed plain and layout texts."""

    def __init__(self, plain: str, layout: str) -> None:
        self.plain, self.layout = plain, layout

    def extract_text(self, extraction_mode: str = "plain") -> str:
        return self.layout if extraction_mode == "layout" else self.plain


def test_layout_text_keeps_each_statement_row_on_one_line_and_falls_back_to_plain() -> None:
    from loaders.pdf import _page_text, tidy_layout

    layout = (
        "      Fiscal Years Ended            January 28, 2017      January 30, 2016\n\n"
        "Revenue                             $        39,403     $          39,528\n"
        "Gross margin                                  23.9   %               23.3   %\n"
    )
    assert tidy_layout(layout) == (
        "Fiscal Years Ended January 28, 2017 January 30, 2016\n"
        "Revenue $ 39,403 $ 39,528\n"
        "Gross margin 23.9% 23.3%"
    )
    # The row is a table row for the block splitter once the padding is squeezed.
    blocks = split_blocks(tidy_layout(layout))
    assert blocks[-1].kind == "table" and "Revenue $ 39,403 $ 39,528" in blocks[-1].text
    plain = "Fiscal Years Ended January 28, 2017 Revenue\n$ 39,403 $ 39,528 Gross margin 23.9% 23.3%"
    assert _page_text(_Page(plain, layout)).startswith(
        "Fiscal Years Ended January 28, 2017 January 30, 2016\n"
    )
    # Layout mode returns nothing (or loses text) on some pages: the plain text is kept then.
    assert _page_text(_Page(plain, "")) == plain
    assert _page_text(_Page(plain + " and a long sentence the layout mode dropped" * 3, layout)).startswith(
        plain
    )


@pytest.mark.parametrize(
    ("text", "header", "first_row"),
    [
        (
            "CONSOLIDATED STATEMENTS OF INCOME\n(In thousands)\nYears Ended\n"
            "December 2, November 27, November 28,\n2016 2015 2014\n"
            "Total revenue 5,854,430 4,795,511 4,147,065\nNet income $ 1,168,782 $ 629,551 $ 268,395",
            "2016 2015 2014",
            "Total revenue",
        ),
        (
            "Consolidated Statements of Earnings\n$ and shares in millions\n"
            "Fiscal Years Ended January 28, 2017 January 30, 2016 January 31, 2015\n"
            "Revenue $ 39,403 $ 39,528 $ 40,339\nCost of goods sold 29,963 30,334 31,292",
            "Fiscal Years Ended January 28, 2017 January 30, 2016 January 31, 2015",
            "Revenue",
        ),
    ],
)
def test_a_line_of_years_or_dates_is_the_table_header_not_its_first_row(
    text: str, header: str, first_row: str
) -> None:
    table = next(b for b in split_blocks(text) if b.kind == "table")
    assert table.header[-1] == header
    assert table.text.startswith(first_row)
