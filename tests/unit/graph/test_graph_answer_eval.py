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
    ],
)
def test_grade(answer: str, reference: str, expected: str) -> None:
    assert grade(answer, False, reference)[0] == expected


def test_abstention_is_never_correct() -> None:
    assert grade("65.4%", True, "65.4%")[0] == "abstained"
