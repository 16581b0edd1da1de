"""Table rows in the drafting context carry their column's period next to every figure."""

from __future__ import annotations

from pathlib import Path

from agent.critic.numbers import extract_numbers
from agent.prompts.common import render_context
from agent.prompts.tables import columns_from_header, data_row, label_table_rows
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
    assert _line(labelled, "Corporate").endswith("December 31, 2021 = —; year ended December 31, 2022 = 2,688")
    # Every figure of the original survives unchanged (the critic grounds numbers on the original).
    original = sorted(n.magnitude for n in extract_numbers(AMAZON_HTML, skip_years=True))
    after = sorted(n.magnitude for n in extract_numbers(labelled, skip_years=True))
    assert set(original) <= set(after)


def test_rows_whose_width_does_not_match_the_header_and_prose_are_left_alone() -> None:
    text = "Year Ended December 31,\n2022 | 2021\nRevenue | 10 | 20 | 30\nSales grew 10% to $20 million in 2022."
    assert label_table_rows(text) == text


def test_header_parsing_and_row_detection() -> None:
    assert columns_from_header("Three Months Ended Nine Months Ended July 1, 2023 June 25, 2022 July 1, 2023 June 25, 2022")[
        1
    ] == "three months ended June 25, 2022"
    assert columns_from_header("September 30, 2023 | December 31, 2022") == ["September 30, 2023", "December 31, 2022"]
    assert columns_from_header("(in millions)") == []
    assert data_row("Mac 6,840 7,382") == ("Mac", ["6,840", "7,382"])
    assert data_row("2020 | 2021 | 2022") is None
    assert data_row("Net sales increased 5% to $20 million from 2021 to 2022.") is None


def test_render_context_labels_tables_in_passages() -> None:
    meta = ChunkMetadata(doc_id="d", source_path="/f.pdf", company="Apple Inc.", form_type="10-Q", fiscal_year=2023, page_number=4)
    block, aliases = render_context([Chunk(id="d:1", text=APPLE, metadata=meta)])
    assert aliases == {"c1": "d:1"}
    assert "Total net sales: three months ended July 1, 2023 = 81,797;" in block
