"""Table rows in the drafting context carry their column's period next to every figure."""

from __future__ import annotations

from pathlib import Path

from agent.critic.numbers import extract_numbers
from agent.finance.figures import Period, matching_figures
from agent.finance.tables import columns_from_header, data_row, label_table_rows, table_cells
from agent.prompts.common import render_context
from agent.schemas import Chunk, ChunkMetadata

APPLE = Path(__file__).with_name("apple_10q_2023q3_income.txt").read_text()

AMAZON_HTML = """Total net additions to property and equipment by segment are as follows (in millions):
Year Ended December 31,
2020 | 2021 | 2022
North America (1) | $29,889 | $37,397 | $23,682
AWS (2) | 16,530 | 22,047 | (27,755)
Corporate | 3,485 | — | 2,688"""


def _line(text: str, prefix: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(prefix))


def test_pdf_quarter_table_names_span_and_date_for_each_figure() -> None:
    labelled = label_table_rows(APPLE)
    row = _line(labelled, "Total net sales")
    assert row == (
        "Total net sales: three months ended July 1, 2023 = 81,797; three months ended June 25, 2022 = 82,959; "
        "nine months ended July 1, 2023 = 293,787; nine months ended June 25, 2022 = 304,182"
    )
    assert "Services: three months ended July 1, 2023 = 21,213;" in labelled


def test_html_year_table_shares_the_month_and_day_and_keeps_figures_verbatim() -> None:
    labelled = label_table_rows(AMAZON_HTML)
    assert _line(labelled, "AWS") == (
        "AWS (2): year ended December 31, 2020 = 16,530; year ended December 31, 2021 = 22,047; "
        "year ended December 31, 2022 = (27,755)"
    )
    assert _line(labelled, "Corporate").endswith(
        "December 31, 2021 = —; year ended December 31, 2022 = 2,688"
    )
    # Every figure of the original survives unchanged (the critic grounds numbers on the original).
    original = sorted(n.magnitude for n in extract_numbers(AMAZON_HTML, skip_years=True))
    after = sorted(n.magnitude for n in extract_numbers(labelled, skip_years=True))
    assert set(original) <= set(after)


def test_rows_whose_width_does_not_match_the_header_and_prose_are_left_alone() -> None:
    text = (
        "Year Ended December 31,\n2022 | 2021\nRevenue | 10 | 20 | 30\nSales grew 10% to $20 million in 2022."
    )
    assert label_table_rows(text) == text


def test_header_parsing_and_row_detection() -> None:
    assert (
        columns_from_header(
            "Three Months Ended Nine Months Ended July 1, 2023 June 25, 2022 July 1, 2023 June 25, 2022"
        )[1]
        == "three months ended June 25, 2022"
    )
    assert columns_from_header("September 30, 2023 | December 31, 2022") == [
        "September 30, 2023",
        "December 31, 2022",
    ]
    assert columns_from_header("(in millions)") == []
    # A dated span line over a line of its years (PDF text of many 10-K statements): 3 columns, not 6.
    dated = "Fiscal years ended December 31, 2022, December 25, 2021 and December 26, 2020\n(in millions)\n2022 2021 2020"
    assert columns_from_header(dated.replace("\n", " ")) == [
        "year ended December 31, 2022",
        "year ended December 25, 2021",
        "year ended December 26, 2020",
    ]
    assert table_cells(dated + "\nNet Cash Used for Investing Activities (2,430) (3,269) (11,619)")[2] == (
        "Net Cash Used for Investing Activities",
        "year ended December 26, 2020",
        "(11,619)",
    )
    assert data_row("Mac 6,840 7,382") == ("Mac", ["6,840", "7,382"])
    assert data_row("2020 | 2021 | 2022") is None
    assert data_row("Net sales increased 5% to $20 million from 2021 to 2022.") is None


def test_stacked_headers_pair_each_month_and_day_with_its_year() -> None:
    # PDF text of real statements: each column's month and day on one line, its year on the next
    # (Adobe's FY2016 10-K income statement, Microsoft's 10-Q balance sheet).
    adobe = "Years Ended\nDecember 2, November 27, November 28,\n2016 2015 2014"
    assert columns_from_header(adobe.replace("\n", " ")) == [
        "year ended December 2, 2016",
        "year ended November 27, 2015",
        "year ended November 28, 2014",
    ]
    balance = "December 31, June 30,\n2022 2022\nLong-term debt 44,119 47,032"
    assert table_cells(balance) == [
        ("Long-term debt", "December 31, 2022", "44,119"),
        ("Long-term debt", "June 30, 2022", "47,032"),
    ]
    # Each span's month and day over the years below it.
    spans = "Three Months Ended September 30, Nine Months Ended September 30, 2023 2022 2023 2022"
    assert columns_from_header(spans) == [
        "three months ended September 30, 2023",
        "three months ended September 30, 2022",
        "nine months ended September 30, 2023",
        "nine months ended September 30, 2022",
    ]


def test_render_context_labels_tables_in_passages() -> None:
    meta = ChunkMetadata(
        doc_id="d",
        source_path="/f.pdf",
        company="Apple Inc.",
        form_type="10-Q",
        fiscal_year=2023,
        page_number=4,
    )
    block, aliases = render_context([Chunk(id="d:1", text=APPLE, metadata=meta)])
    assert aliases == {"c1": "d:1"}
    assert "Total net sales: three months ended July 1, 2023 = 81,797;" in block


SEGMENTS = """Information on reportable segments is as follows (in millions):
Year Ended December 31,
2021 | 2022
North America
Net sales | $279,833 | $315,880
Operating income (loss) | $7,271 | $(2,847)
AWS
Net sales | $62,202 | $80,096
Operating income | $18,532 | $22,841
Consolidated
Net sales | $469,822 | $513,983
Net sales by groups of similar products and services:
Year Ended December 31,
2021 | 2022
Net Sales:
Online stores | $222,075 | $220,004
Other | 2,176 | 4,247
Consolidated | $469,822 | $513,983"""


def _meta(company: str) -> ChunkMetadata:
    return ChunkMetadata(doc_id=company, source_path=f"/{company}.pdf", company=company)


def test_group_headings_name_the_rows_below_them() -> None:
    cells = table_cells(SEGMENTS)
    assert ("AWS: Operating income", "year ended December 31, 2022", "$22,841") in cells
    assert ("Net Sales: Consolidated", "year ended December 31, 2021", "$469,822") in cells


def test_matching_figures_picks_row_and_period_the_question_names() -> None:
    apple = Chunk(id="a", text=APPLE, metadata=_meta("Apple Inc."))
    amazon = Chunk(id="z", text=SEGMENTS, metadata=_meta("Amazon.com, Inc."))
    q = "What were Apple's total net sales for the three months ended July 1, 2023?"
    assert matching_figures([(q, [])], [apple, amazon]) == [
        "[c1] Total net sales, three months ended July 1, 2023 = 81,797"
    ]
    lines = matching_figures([("What was AWS operating income in 2021?", [])], [apple, amazon])
    assert lines == ["[c2] AWS: Operating income, year ended December 31, 2021 = $18,532"]
    # A sub-question scoped to one company only reads that company's passages; "Other" is no total.
    lines = matching_figures([("What were total net sales for 2022?", ["Amazon.com, Inc."])], [apple, amazon])
    assert lines and all(line.startswith("[c2]") and "513,983" in line for line in lines), lines


def test_no_figures_for_questions_asking_why() -> None:
    amazon = Chunk(id="z", text=SEGMENTS, metadata=_meta("Amazon.com, Inc."))
    assert matching_figures([("What drove the increase in AWS net sales in 2022?", [])], [amazon]) == []
    assert matching_figures([("What were AWS net sales in 2022?", [])], [amazon])


def test_question_period_parsing() -> None:
    p = Period.of_question("What was the FY2022 operating margin?")
    assert p.span == "year ended" and p.years == {2022}
    q = Period.of_question("Q3 2023 revenue")
    assert q.span == "three months ended" and q.admits("three months ended July 1, 2023")
    assert not q.admits("nine months ended July 1, 2023") and not q.admits("three months ended June 25, 2022")
    assert Period.of_question("What is the revenue?").admits("December 31, 2021")


def test_a_footnote_mark_after_a_label_is_not_a_figure() -> None:
    text = "Three Months Ended March 31,\n2022 2023\nOnline stores (1) $ 51,129 $ 51,096\nAWS 18,441 21,354"
    labelled = label_table_rows(text)
    assert (
        "Online stores: three months ended March 31, 2022 = $ 51,129; three months ended March 31, 2023 = $ 51,096"
        in labelled
    )
    assert "(1)" not in labelled
