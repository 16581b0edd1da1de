"""The deterministic grader of the FinanceBench answer evaluation."""

from __future__ import annotations

import pytest

from evals.answer_eval import grade


@pytest.mark.parametrize(
    ("answer", "reference", "expected"),
    [
        ("Operating income grew 65.4% [1].", "65.4%", "correct"),
        ("Operating income grew 65.37% [1].", "65.4%", "correct"),
        ("Operating income grew 60.1% [1].", "65.4%", "incorrect"),
        ("Inventories were $5,409 million [1].", "$5409.00", "correct"),
        ("Dividends paid were $398 million [1].", "$0.40", "correct"),
        (
            "Yes, the operating margin improved [1].",
            "No the operating margins of Adobe have recently declined",
            "incorrect",
        ),
        (
            "No, margins declined from 2021 [1].",
            "No the operating margins of Adobe have recently declined",
            "correct",
        ),
        (
            "Acquisitions included Trillium, Array and Therachon [1].",
            "Trillium, Array, and Therachon",
            "correct",
        ),
        ("The company acquired nothing of note [1].", "Trillium, Array, and Therachon", "incorrect"),
        # A long reference: its list numbers, months and source file names are not figures to match.
        (
            "Inventories were $4,454 million in Q3 FY2023 and $4,779 million in Q3 FY2024 [1][2].",
            'Inventory moved over the quarters:\n\n1. As of October 30, 2022: $4,454 million ("2022 Q3 X.pdf").\n'
            '2. As of October 29, 2023: $4,779 million ("2023 Q3 X.pdf").\n\nThe rise from October 2022 to '
            'October 2023 may reflect demand.\n\nSOURCE(S): "2022 Q3 X.pdf", "2023 Q3 X.pdf"',
            "correct",
        ),
        (
            "Inventories were $4,454 million in Q3 FY2023 [1].",
            "1. As of October 30, 2022: $4,454 million.\n2. As of October 29, 2023: $4,779 million.",
            "incorrect",
        ),
    ],
)
def test_grade(answer: str, reference: str, expected: str) -> None:
    assert grade(answer, False, reference)[0] == expected


def test_abstention_is_never_correct() -> None:
    assert grade("65.4%", True, "65.4%")[0] == "abstained"
