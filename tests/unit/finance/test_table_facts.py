"""Typed facts read from the tables the real loaders find in real filings.

Every expected figure below was read off the printed page of the filing itself (the page index is
zero-based, as ``Fact.page``). Three layouts: Apple's 10-Q (three- and nine-month columns, a
balance sheet cut in two by prose), Adobe's 10-K (stacked "December 1, / 2017" headings, in
thousands) and two earnings releases (PepsiCo's "12 Weeks Ended 3/25/2023", Johnson & Johnson's
"Q2 / 2023 2022 % Change").
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from agent.finance.facts import DocPeriod, document_facts, read_columns, split_row, table_facts
from agent.finance.periods import add_months, printed_date
from agent.finance.vocabulary import item_of
from agent.schemas import Fact

Tables = list[tuple[int, list[tuple[list[str], str]]]]


def _pdf_tables(path: Path, pages: list[int]) -> Tables:
    """The table blocks of some pages, read exactly as ``loaders.pdf.load_pdf`` reads every page
    (layout text, then ``split_blocks``) without paying for the pages the tests do not look at."""
    from loaders.pdf import _open, _page_text
    from loaders.tables import split_blocks

    reader = _open(path, strict=False)
    out: Tables = []
    for i in pages:
        blocks = split_blocks(_page_text(reader.pages[i]).replace("\xa0", " "))
        out.append((i, [(b.header, b.text) for b in blocks if b.kind == "table"]))
    return out


def _fact(facts: list[Fact], page: int, label: str, column: str, group: str | None = None) -> Fact:
    found = [
        f
        for f in facts
        if f.page == page
        and f.label == label
        and f.period.label == column
        and (group is None or f.group == group)
    ]
    assert len(found) == 1, (label, column, [(f.label, f.period.label) for f in facts if f.page == page][:40])
    return found[0]


# --- Apple 10-Q, Q3 FY2023 (quarter ended July 1, 2023) --------------------------------------------


@pytest.fixture(scope="module")
def apple(samples_dir: Path) -> list[Fact]:
    doc = DocPeriod(fiscal_year=2023, fiscal_quarter=3, period_end="2023-07-01", form_type="10-Q")
    return document_facts(_pdf_tables(samples_dir / "2023 Q3 AAPL.pdf", [3, 5]), doc)


def test_apple_income_statement_quarter_and_nine_months(apple: list[Fact]) -> None:
    products = _fact(apple, 3, "Products", "Three Months Ended July 1,2023", group="Net sales")
    assert (products.value, products.scale, products.unit, products.text) == (60584, 6, "USD", "$ 60,584")
    assert products.statement == "income"
    assert products.table == "CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Unaudited)"
    assert products.amount == 60_584_000_000
    p = products.period
    assert (p.kind, p.months, p.start, p.end) == ("duration", 3, "2023-04-02", "2023-07-01")
    assert (p.fiscal_year, p.fiscal_quarter) == (2023, 3)

    nine = _fact(apple, 3, "Total net sales", "Nine Months Ended June 25,2022").period
    assert (nine.months, nine.end, nine.fiscal_year, nine.fiscal_quarter) == (9, "2022-06-25", 2022, None)
    assert _fact(apple, 3, "Total net sales", "Nine Months Ended June 25,2022").value == 304182

    other = _fact(apple, 3, "Other income/(expense), net", "Three Months Ended July 1,2023")
    assert (other.value, other.text) == (-265, "(265)")  # printed in parentheses


def test_apple_per_share_and_share_counts(apple: list[Fact]) -> None:
    eps = _fact(apple, 3, "Diluted", "Nine Months Ended June 25,2022", group="Earnings per share")
    assert (eps.value, eps.scale, eps.unit) == (4.82, 0, "USD/share")
    shares = _fact(
        apple,
        3,
        "Basic",
        "Three Months Ended July 1,2023",
        group="Shares used in computing earnings per share",
    )
    # "(In millions, except number of shares which are reflected in thousands ...)"
    assert (shares.value, shares.scale, shares.unit) == (15_697_614, 3, "shares")


def test_apple_balance_sheet_instants_in_the_filers_fiscal_years(apple: list[Fact]) -> None:
    assets = _fact(apple, 5, "Total assets", "September 24,2022")
    assert (assets.value, assets.scale, assets.statement) == (352755, 6, "balance")
    p = assets.period
    assert (p.kind, p.end, p.start, p.months, p.fiscal_year) == ("instant", "2022-09-24", None, None, 2022)
    assert _fact(apple, 5, "Total assets", "July 1,2023").period.fiscal_year == 2023
    # The rows below the prose that cuts the balance sheet keep the sheet's columns.
    deficit = _fact(apple, 5, "Retained earnings/(Accumulated deficit)", "September 24,2022")
    assert (deficit.value, deficit.statement, deficit.period.kind) == (-3068, "balance", "instant")
    equity = _fact(apple, 5, "Total shareholders’ equity", "July 1,2023")
    assert equity.value == 60274


# --- Adobe 10-K, fiscal 2017 (ended December 1, 2017; a 52/53-week year) ----------------------------


def test_a_sentence_above_the_headings_names_no_column(samples_dir: Path) -> None:
    """MD&A tables open with "The following table shows net sales by reportable segment for the
    ... periods ended July 1, 2023 and June 25, 2022": its dates are prose, not more columns."""
    doc = DocPeriod(fiscal_year=2023, fiscal_quarter=3, period_end="2023-07-01", form_type="10-Q")
    facts = document_facts(_pdf_tables(samples_dir / "2023 Q3 AAPL.pdf", [17, 18]), doc)
    japan = _fact(
        facts, 17, "Japan", "Three Months Ended July 1,2023", group="Net sales by reportable segment"
    )
    assert (japan.value, japan.scale, japan.statement, japan.period.fiscal_quarter) == (
        4_821,
        6,
        "segment",
        3,
    )
    ipad = _fact(facts, 18, "iPad", "Nine Months Ended June 25,2022")
    assert (ipad.value, ipad.period.months, ipad.period.fiscal_year) == (22_118, 9, 2022)
    # The "Change" columns give no fact.
    assert not [f for f in facts if f.page == 18 and f.label == "iPad" and f.unit == "%"]


@pytest.fixture(scope="module")
def adobe(shared_data: Path) -> list[Fact]:
    doc = DocPeriod(fiscal_year=2017, period_end="2017-12-01", form_type="10-K")
    return document_facts(
        _pdf_tables(shared_data / "financebench-dev/pdfs/ADOBE_2017_10K.pdf", [56, 57]), doc
    )


def test_adobe_income_statement_in_thousands(adobe: list[Fact]) -> None:
    net = _fact(adobe, 57, "Net income", "Years Ended December 1, 2017")
    assert (net.value, net.scale, net.unit, net.statement) == (1_693_954, 3, "USD", "income")
    p = net.period
    assert (p.kind, p.months, p.start, p.end, p.fiscal_year) == (
        "duration",
        12,
        "2016-12-02",
        "2017-12-01",
        2017,
    )
    oldest = _fact(adobe, 57, "Net income", "Years Ended November 27, 2015")
    assert (oldest.value, oldest.period.end, oldest.period.fiscal_year) == (629_551, "2015-11-27", 2015)
    interest = _fact(adobe, 57, "Interest expense", "Years Ended December 2, 2016")
    assert (interest.value, interest.period.fiscal_year) == (-70_442, 2016)
    subscription = _fact(adobe, 57, "Subscription", "Years Ended December 1, 2017", group="Revenue")
    assert subscription.value == 6_133_869


def test_adobe_per_share_and_shares(adobe: list[Fact]) -> None:
    eps = _fact(adobe, 57, "Diluted net income per share", "Years Ended December 1, 2017")
    assert (eps.value, eps.scale, eps.unit) == (3.38, 0, "USD/share")
    shares = _fact(
        adobe, 57, "Shares used to compute diluted net income per share", "Years Ended December 1, 2017"
    )
    assert (shares.value, shares.scale, shares.unit) == (501_123, 3, "shares")


def test_adobe_balance_sheet(adobe: list[Fact]) -> None:
    assets = _fact(adobe, 56, "Total assets", "December 2, 2016")
    assert (assets.value, assets.scale, assets.statement) == (12_697_246, 3, "balance")
    assert (assets.period.kind, assets.period.end, assets.period.fiscal_year) == (
        "instant",
        "2016-12-02",
        2016,
    )
    lease = _fact(adobe, 56, "Investment in lease receivable", "December 1, 2017")
    assert (lease.value, lease.text) == (0, "—")


# --- Earnings releases ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pepsico(shared_data: Path) -> list[Fact]:
    doc = DocPeriod(fiscal_year=2023, fiscal_quarter=1, period_end="2023-03-25", form_type="EARNINGS")
    path = shared_data / "financebench-dev/pdfs/PEPSICO_2023Q1_EARNINGS.pdf"
    return document_facts(_pdf_tables(path, [3, 5, 7]), doc)


def test_pepsico_twelve_week_quarter(pepsico: list[Fact]) -> None:
    revenue = _fact(pepsico, 3, "Net Revenue", "12 Weeks Ended 3/25/2023")
    assert (revenue.value, revenue.scale, revenue.unit, revenue.statement) == (17_846, 6, "USD", "income")
    p = revenue.period
    assert (p.months, p.start, p.end, p.fiscal_year, p.fiscal_quarter) == (
        3,
        "2023-01-01",
        "2023-03-25",
        2023,
        1,
    )
    gain = _fact(pepsico, 3, "Gain associated with the Juice Transaction (b)", "12 Weeks Ended 3/19/2022")
    assert (gain.value, gain.period.fiscal_year, gain.period.fiscal_quarter) == (-3_322, 2022, 1)
    eps = _fact(pepsico, 3, "Net income attributable to PepsiCo per common share", "12 Weeks Ended 3/25/2023")
    assert (eps.value, eps.scale, eps.unit) == (1.40, 0, "USD/share")
    shares = _fact(pepsico, 3, "Weighted-average common shares outstanding", "12 Weeks Ended 3/25/2023")
    assert (shares.value, shares.scale, shares.unit) == (1_384, 6, "shares")


def test_pepsico_cash_flow_and_balance_sheet(pepsico: list[Fact]) -> None:
    operating = _fact(pepsico, 5, "Net Cash Used for Operating Activities", "12 Weeks Ended 3/25/2023")
    assert (operating.value, operating.statement) == (-392, "cash_flow")
    assets = _fact(pepsico, 7, "Total Assets", "12/31/2022")
    assert (assets.value, assets.statement, assets.period.kind) == (92_187, "balance", "instant")
    assert (assets.period.end, assets.period.fiscal_year) == ("2022-12-31", 2022)


@pytest.fixture(scope="module")
def jnj(shared_data: Path) -> list[Fact]:
    doc = DocPeriod(fiscal_year=2023, fiscal_quarter=2, period_end="2023-07-02", form_type="EARNINGS")
    path = shared_data / "financebench-dev/pdfs/JOHNSON_JOHNSON_2023Q2_EARNINGS.pdf"
    return document_facts(_pdf_tables(path, [0, 11]), doc)


def test_jnj_bare_year_columns_and_a_change_column(jnj: list[Fact]) -> None:
    sales = _fact(jnj, 0, "Reported Sales", "Q2 2023")
    assert (sales.value, sales.scale, sales.unit) == (25_530, 6, "USD")
    p = sales.period
    assert (p.months, p.end, p.fiscal_year, p.fiscal_quarter) == (3, "2023-07-02", 2023, 2)
    eps = _fact(jnj, 0, "EPS (diluted)", "Q2 2022")
    assert (eps.value, eps.scale, eps.unit, eps.period.fiscal_year) == (1.80, 0, "USD/share", 2022)
    assert eps.period.end is None  # a bare prior year: its end is not printed
    # "2023 2022% Change": the change column is read as a column but gives no fact.
    assert sorted(f.period.label for f in jnj if f.page == 0 and f.label == "Reported Sales") == [
        "Q2 2022",
        "Q2 2023",
    ]
    six = _fact(jnj, 11, "Adjusted Net Earnings, after tax", "Six Months Ended 2023")
    assert (six.value, six.period.months, six.period.fiscal_quarter) == (14_426, 6, None)


# --- Pure strings: HTML rows, unreadable layouts, odd input ------------------------------------------


AMAZON_HEADER = [
    "CONSOLIDATED STATEMENTS OF OPERATIONS",
    "(in millions, except per share data)",
    "Year Ended December 31,",
    "2020 | 2021 | 2022",
]
AMAZON_ROWS = (
    "Total net sales | 386,064 | 469,822 | 513,983\nNet income (loss) | $21,331 | $33,364 | $(2,722)"
)


def test_html_rows_with_a_shared_month_day() -> None:
    doc = DocPeriod(fiscal_year=2022, period_end="2022-12-31", form_type="10-K")
    facts = table_facts(AMAZON_HEADER, AMAZON_ROWS, 36, doc)
    loss = next(f for f in facts if f.label == "Net income (loss)" and f.period.fiscal_year == 2022)
    assert (loss.value, loss.text, loss.scale, loss.unit) == (-2_722, "$(2,722)", 6, "USD")
    assert (loss.period.end, loss.period.months, loss.period.label) == (
        "2022-12-31",
        12,
        "Year Ended December 31, 2022",
    )
    assert {f.period.end for f in facts} == {"2020-12-31", "2021-12-31", "2022-12-31"}


def test_column_years_printed_on_the_unit_line() -> None:
    """A PDF layout that prints the years at the end of the unit line ("In millions, except per
    share amounts 2018 2017 2016") under a "For the Years Ended December 31," heading."""
    header = ["Consolidated Statements of Operations", "For the Years Ended December 31,",
              "In millions, except per share amounts 2018 2017 2016"]  # fmt: skip
    rows = "Revenues:\nProducts $ 1,910 $ 1,800 $ 1,733\nTotal revenues 2,579 2,478 2,375\nOperating income 421 538 386"
    doc = DocPeriod(fiscal_year=2018, period_end="2018-12-31", form_type="10-K")
    facts = table_facts(header, rows, 12, doc)
    total = {f.period.fiscal_year: f for f in facts if f.label == "Total revenues"}
    assert {y: (f.value, f.scale, f.period.months, f.period.end) for y, f in total.items()} == {
        2018: (2_579, 6, 12, "2018-12-31"),
        2017: (2_478, 6, 12, "2017-12-31"),
        2016: (2_375, 6, 12, "2016-12-31"),
    }


def test_a_month_day_per_span_over_its_years() -> None:
    """ "Three Months Ended Six Months Ended" / "June 30, June 30," / "2022 2023 2022 2023": every
    column ends on June 30 of its year, the prior year's quarter included."""
    header = ["CONSOLIDATED STATEMENTS OF OPERATIONS", "(in millions, except per share data)",
              "Three Months Ended Six Months Ended", "June 30, June 30,", "2022 2023 2022 2023"]  # fmt: skip
    rows = "Total net sales 1,212 1,343 2,376 2,617\nOperating income 331 768 698 1,245"
    doc = DocPeriod(fiscal_year=2023, fiscal_quarter=2, period_end="2023-06-30", form_type="10-Q")
    sales = [f for f in table_facts(header, rows, 3, doc) if f.label == "Total net sales"]
    assert [(f.value, f.period.months, f.period.end) for f in sales] == [
        (1_212, 3, "2022-06-30"),
        (1_343, 3, "2023-06-30"),
        (2_376, 6, "2022-06-30"),
        (2_617, 6, "2023-06-30"),
    ]


def test_one_date_then_bare_years_share_its_month_and_day() -> None:
    """Microsoft's 10-Q for the quarter ended September 30, 2022 (docugami sec-10-q, page 6) heads
    its cash flow statement "Three Months Ended September 30, 2022 2021": the prior-year column ends
    on September 30, 2021. Figures read off the printed page."""
    header = ["Item 1", "CASH FLOWS STATEMENTS", "(In millions) (Unaudited)",
              "Three Months Ended September 30, 2022 2021"]  # fmt: skip
    rows = (
        "Operations\nNet income $ 17,556 $ 20,505\nChanges in operating assets and liabilities:\n"
        "Accounts receivable 11,729 10,486\nNet cash from operations 23,198 24,540"
    )
    doc = DocPeriod(fiscal_year=2022, fiscal_quarter=3, period_end="2022-09-30", form_type="10-Q")
    cfo = [f for f in table_facts(header, rows, 5, doc) if f.label == "Net cash from operations"]
    assert [(f.value, f.scale, f.period.months, f.period.end, f.period.fiscal_year) for f in cfo] == [
        (23_198, 6, 3, "2022-09-30", 2022),
        (24_540, 6, 3, "2021-09-30", 2021),
    ]
    # The change rows above it are its group's members; "Net cash from operations" sums them.
    assert {f.group for f in cfo} == {""} and {item_of(f) for f in cfo} == {"cfo"}
    # A year printed before the date is another layout: not read as sharing it.
    assert read_columns(["2021 September 30, 2022"]) == []


def test_dated_headings_left_at_the_top_of_the_rows() -> None:
    """A PDF loader may leave the dated heading line as the first line of the table's body."""
    header = ["Three Months Ended Six Months Ended"]
    rows = ("(In Millions, Except Per Share Amounts; Unaudited) Jul 1, 2023 Jul 2, 2022 Jul 1, 2023 Jul 2, 2022\n"
            "Net revenue $ 1,294 $ 1,532 $ 2,466 $ 3,367\nOperating income (loss) (101) (70) (248) 364")  # fmt: skip
    doc = DocPeriod(fiscal_year=2023, fiscal_quarter=2, period_end="2023-07-01", form_type="10-Q")
    for facts in (table_facts(header, rows, 5, doc), document_facts([(5, [(header, rows)])], doc)):
        revenue = [
            (f.value, f.scale, f.period.months, f.period.end) for f in facts if f.label == "Net revenue"
        ]
        assert revenue == [
            (1_294, 6, 3, "2023-07-01"),
            (1_532, 6, 3, "2022-07-02"),
            (2_466, 6, 6, "2023-07-01"),
            (3_367, 6, 6, "2022-07-02"),
        ]
        assert not any("Unaudited" in f.label for f in facts)


def test_footnote_marks_and_a_glued_month() -> None:
    """Amazon's 10-Q for the quarter ended March 31, 2023 (docugami sec-10-q, page 21) prints its
    net sales by groups of products with footnote marks after the labels, and PDF text glues the
    heading's "Ended" to "March". Figures read off the printed page."""
    header = ["Net sales by groups of similar products and services, which also have similar economic "
              "characteristics, is as follows (in millions):", "Three Months EndedMarch 31,", "2022 2023",
              "Net Sales:"]  # fmt: skip
    rows = "Online stores (1) $ 51,129 $ 51,096\nPhysical stores (2) 4,591 4,895\nAWS 18,441 21,354"
    doc = DocPeriod(fiscal_year=2023, fiscal_quarter=1, period_end="2023-03-31", form_type="10-Q")
    facts = table_facts(header, rows, 20, doc)
    assert [(f.label, f.value, f.period.months, f.period.end) for f in facts] == [
        ("Online stores", 51_129, 3, "2022-03-31"),
        ("Online stores", 51_096, 3, "2023-03-31"),
        ("Physical stores", 4_591, 3, "2022-03-31"),
        ("Physical stores", 4_895, 3, "2023-03-31"),
        ("AWS", 18_441, 3, "2022-03-31"),
        ("AWS", 21_354, 3, "2023-03-31"),
    ]
    # A leading "(2)" is a value when the row holds one figure per column without it.
    assert [f.value for f in table_facts(["2023 2022"], "Other (2) (3)", 0, doc)] == [-2, -3]


def test_rows_that_do_not_match_the_columns_are_skipped() -> None:
    doc = DocPeriod(fiscal_year=2022, period_end="2022-12-31", form_type="10-K")
    header = ["Segment results", "(in millions)", "2022 2021"]
    assert table_facts(header, "Americas 1,200 1,100 9%\nEurope 800 700", 0, doc)[0].label == "Europe"
    assert len(table_facts(header, "Americas 1,200 1,100 9%", 0, doc)) == 0
    # The same period under several headings: the columns split something else (segments).
    assert table_facts(["2023 2022 2023 2022"], "Sales 1 2 3 4", 0, doc) == []
    # Date ranges ("April 2, 2023 to May 6, 2023") are not one date per column.
    ranges = ["April 2, 2023 to May 6, 2023 May 7, 2023 to June 3, 2023"]
    assert table_facts(ranges, "Total 102,673 94,569", 0, doc) == []


@pytest.mark.parametrize(
    "header, rows",
    [
        ([], ""),
        ([], "Net sales 1 2"),
        (["2023"], "|||"),
        (["Three Months Ended", "February 30, 2023 2022"], "Sales (1 2"),
        (["Year Ended", "9999 2022"], "x 1 2\n\n$ $ $"),
        (["13 weeks ended 0/0/2023 2/31/2022"], "Sales — n/m"),
    ],
)
def test_odd_input_never_raises(header: list[str], rows: str) -> None:
    table_facts(header, rows, 0, DocPeriod())


def test_reading_pieces() -> None:
    assert split_row("Other income/(expense), net (265) (10) (594) (97)") == (
        "Other income/(expense), net",
        ["(265)", "(10)", "(594)", "(97)"],
    )
    assert split_row("Deferred revenue 8,158 7,912") == ("Deferred revenue", ["8,158", "7,912"])
    assert split_row("Commitments and contingencies") is None
    stacked = read_columns(["Years Ended", "December 1, December 2,", "2017 2016"])
    assert [(c.months, c.end) for c in stacked] == [(12, date(2017, 12, 1)), (12, date(2016, 12, 2))]
    assert printed_date("Sept. 24, 2022") == date(2022, 9, 24)
    assert add_months(date(2023, 5, 31), -3) == date(2023, 2, 28)


def test_a_dated_row_at_the_top_of_the_rows_stays_a_row() -> None:
    header = ["Changes in the allowance (in millions)"]
    rows = "Balance at December 31, 2022 $ 1,234\nProvisions 56\nBalance at December 31, 2023 $ 1,290"
    doc = DocPeriod(fiscal_year=2023, period_end="2023-12-31", form_type="10-K")
    assert table_facts(header, rows, 9, doc) == []  # no columns: nothing read, and no row taken as one


# --- A text column between the label and the figures ("Level 2") ------------------------------

FAIR_VALUE_HEADER = ["The following table presents the Company's investments:",
                     "Fair value level June 30, 2023 December 31, 2022", "(In thousands)"]  # fmt: skip
FAIR_VALUE_ROWS = (
    "Short-term investments:\nTreasury bills Level 1 1,200 1,100\nCorporate notes Level 2 4,300 2,000\n"
    "Short-term investments 5,500 3,100\nWidgets 5 7 9"
)


def test_a_small_number_after_a_capitalised_word_is_part_of_the_rows_name() -> None:
    """A fair-value level column ("Level 2") prints a small number before the figures: it names
    the row, and the figures are still one per column. A row with small numbers only ("Widgets 5 7
    9") is not read: its columns cannot be told apart."""
    doc = DocPeriod(fiscal_year=2023, fiscal_quarter=2, period_end="2023-06-30", form_type="10-Q")
    facts = table_facts(FAIR_VALUE_HEADER, FAIR_VALUE_ROWS, 10, doc)
    notes = [f for f in facts if f.label == "Corporate notes Level 2"]
    assert [(f.value, f.scale, f.period.end, f.group) for f in notes] == [
        (4_300, 3, "2023-06-30", "Short-term investments"),
        (2_000, 3, "2022-12-31", "Short-term investments"),
    ]
    assert {f.label for f in facts} == {
        "Treasury bills Level 1",
        "Corporate notes Level 2",
        "Short-term investments",
    }


def test_fair_value_levels_in_a_real_10q(shared_data: Path) -> None:
    """MGM Resorts' 10-Q, Q2 2023: every debt investment row carries its fair value level."""
    doc = DocPeriod(fiscal_year=2023, fiscal_quarter=2, period_end="2023-06-30", form_type="10-Q")
    facts = document_facts(
        _pdf_tables(shared_data / "financebench-dev/pdfs/MGMRESORTS_2023Q2_10Q.pdf", [10]), doc
    )
    bonds = _fact(facts, 10, "Corporate bonds Level 2", "June 30, 2023", "Short-term investments")
    assert (bonds.value, bonds.scale, bonds.unit, bonds.text) == (416_420, 3, "USD", "416,420")
    assert _fact(facts, 10, "U.S. government securities Level 1", "December 31, 2022").value == 56_835
