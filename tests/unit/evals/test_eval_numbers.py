"""Finance-aware number parsing and matching, on hand-checked cases."""

from __future__ import annotations

import pytest

from evals.numbers import extract_quantities, grounded_numbers, numeric_answer_match


def _values(text: str) -> list[float]:
    return [q.value for q in extract_quantities(text)]


def test_extraction_units_scales_and_noise() -> None:
    assert _values("$1.2 billion") == [1.2e9]
    assert _values("1,200 million") == [1.2e9]
    assert _values("(1,234)") == [-1234.0]
    assert _values("-2.5%") == [-2.5]
    assert _values("50 basis points") == [0.5]
    # Years, form names, quarter labels, dates and citation markers are not amounts.
    assert _values("In the 2023 10-Q, Q3 sales on June 25, 2022 were $81,797 [1].") == [81797.0]
    pct = extract_quantities("up 3 percent")[0]
    assert pct.is_percent and pct.value == 3.0


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        # A month and year, with or without the day, leaves no stray digits ("October 2022" is not 22).
        ("Stock fell from October 2022 to March 2, 2023 by $12 million.", [12e6]),
        ("As of 12/31/2022 the balance was $8 million.", [8e6]),
        # List enumerators and bullets label lines; amounts in the lines still count.
        (
            "Risks:\n1. Competition\n2) Supply, with $3 billion of commitments\n(3) Tax\n- 4 plants",
            [3e9, 4.0],
        ),
        # Section, note and item references locate text.
        ("See Note 10, Part II, Item 1A and Level 3 inputs of $250 million.", [250e6]),
        # Source file names carry a year and quarter, not an amount.
        ('Inventories were $4,454 million ("2022 Q3 ACME.pdf").\nSOURCE(S): 2023 Q1 ACME.pdf', [4454e6]),
        # The constants of a written-out calculation are not figures of the answer.
        ("(1,500 / 6,000) * 100 = 25.0%", [1500.0, 6000.0, 25.0]),
        # A number hyphenated to a word is part of a name.
        ("COVID-19 costs were $2 million; the balance fell to -5.", [2e6, -5.0]),
        # A word that begins like a month is no date: "decreased 3%" keeps its 3.
        ("Net sales decreased 3% and the market 10 percent; May 5, 2023 aside.", [3.0, 10.0]),
    ],
)
def test_extraction_skips_digits_that_are_not_amounts(text: str, amounts: list[float]) -> None:
    assert _values(text) == amounts


@pytest.mark.parametrize(
    ("predicted", "reference", "ok"),
    [
        ("It was 1,200 million dollars.", "$1.2 billion", True),  # scale words
        ("$11.59 billion", "$11588.00", True),  # FinanceBench's implicit millions
        ("$11,700 million", "$11588.00", False),  # 1% off is wrong
        ("65.38%", "65.4%", True),  # reference rounded to one decimal
        ("65%", "65.4%", True),  # coarser rounding of the same value
        ("66.0%", "65.4%", False),
        ("0.654", "65.4%", True),  # a fraction for a percentage
        ("0.84", "0.83", False),  # ratios: two decimals matter
        ("decreased by 2.5%", "-2.5%", True),  # direction in words
        ("2.5%", "-2.5%", False),  # a sign flip with no words is wrong
        ("(3,725)", "-3,725", True),
    ],
)
def test_numeric_answer_match(predicted: str, reference: str, ok: bool) -> None:
    assert numeric_answer_match(predicted, reference).ok is ok


def test_numeric_match_partial_and_non_numeric() -> None:
    m = numeric_answer_match(
        "Margins fell from 36.8% to 33.0%", "declined from 36.8% in FY 2021 to 33.8% in FY 2022"
    )
    assert m.score == 0.5 and m.missing == ("33.8%",)
    assert numeric_answer_match("yes", "No, it is not").score is None


def test_grounding_against_table_in_millions() -> None:
    grounded, ungrounded = grounded_numbers(
        "Net sales were $81.8 billion, up 12%.", ["Total net sales (in millions) 81,797 82,959"]
    )
    assert grounded == ["$81.8 billion"]
    assert ungrounded == ["12%"]
