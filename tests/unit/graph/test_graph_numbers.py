"""The finance-aware number normaliser and grounding on real-looking filing text."""

from __future__ import annotations

import pytest

from agent.critic.numbers import extract_numbers, is_grounded, parse_number, table_scales, ungrounded_numbers

INCOME = """CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Unaudited)
(In millions, except number of shares, which are reflected in thousands, and per-share amounts)
Three Months Ended
July 1, 2023 June 25, 2022
Net sales: Products $ 60,584 $ 63,355
Services 21,213 19,604
Total net sales 81,797 82,959
Other income/(expense), net (265) (10)
Diluted $ 1.26 $ 1.20
Gross margin percentage 44.5 % 43.3 %"""
ADOBE = """CONSOLIDATED STATEMENTS OF INCOME
(In thousands, except per share data)
Total revenue 5,854,430 4,795,511 4,147,065
Operating income 1,493,602 903,095 412,685"""
NARRATIVE = "Net sales for the AWS segment increased 29% in 2022. AWS operating income was $22.8 billion."


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("Total net sales were $81,797 million.", INCOME),
        ("Total net sales were $81.8 billion.", INCOME),  # rounded, scale word vs "(In millions)"
        ("Total net sales were 81,797.", INCOME),  # bare figure copied from the table
        ("Other expense was $(265) million.", INCOME),  # parentheses are negatives
        ("Other expense was -$265 million.", INCOME),
        ("Diluted earnings per share were $1.26.", INCOME),  # per-share amounts are not scaled
        ("Gross margin was 44.5%.", INCOME),
        ("Operating income was $1.49 billion in FY2016.", ADOBE),  # thousands -> billions
        ("Revenue was $5,854.4 million.", ADOBE),
        ("AWS sales grew 29 percent.", NARRATIVE),
        ("AWS operating income was $22,800 million.", NARRATIVE),
        ("AWS operating income was $22.8bn.", NARRATIVE),
    ],
)
def test_grounded(claim: str, source: str) -> None:
    assert ungrounded_numbers(claim, [source]) == []


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("Total net sales were $81,790 million.", INCOME),  # off by a little: not the filing's figure
        ("Total net sales were $82.0 billion.", INCOME),  # wrong at the precision written
        ("Total net sales were $81.797 million.", INCOME),  # wrong scale
        ("Gross margin was 45.5%.", INCOME),
        ("Operating income was $1.6 billion.", ADOBE),
    ],
)
def test_ungrounded(claim: str, source: str) -> None:
    assert len(ungrounded_numbers(claim, [source])) == 1


def test_references_are_not_figures() -> None:
    text = "In its 10-K for FY2022 (Item 7, page 25) for the quarter ended July 1, 2023, Q3 [c1], 3 segments"
    assert extract_numbers(text) == []


def test_a_number_hyphenated_to_a_word_describes_it_and_is_not_a_figure() -> None:
    text = "The 24-core processor ships with a 30-day term on its 5-year notes [c1]."
    assert extract_numbers(text) == []
    # A scale or a unit after the number keeps it a figure.
    assert [n.raw for n in extract_numbers("Revenue of $24-million and 12%-15% growth, 10,000 units")] == [
        "$24",
        "12%",
        "-15%",
        "10,000",
    ]


def test_scale_words_and_headers() -> None:
    assert table_scales(INCOME) == [1e6]
    assert table_scales(ADOBE) == [1e3]
    (n,) = extract_numbers("$1.2 billion")
    assert n.value == pytest.approx(1.2e9) and n.is_currency and n.has_scale
    assert is_grounded(n, ["(in millions)\nRevenue 1,193"])  # $1.2 billion covers 1,150-1,249 million
    assert not is_grounded(n, ["(in millions)\nRevenue 1,093"])
    (bps,) = extract_numbers("margin fell 50 bps")
    assert bps.value == pytest.approx(0.5) and bps.is_percent


def test_parse_number() -> None:
    assert parse_number("$1,577 million") == pytest.approx(1.577e9)
    assert parse_number("65.4%") == pytest.approx(65.4)
    assert parse_number("(12.5)") == pytest.approx(-12.5)
    assert parse_number("no figure here") is None
