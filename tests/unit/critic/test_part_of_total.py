"""A figure that is one part of a row adding up to a total must be named as that part."""

from __future__ import annotations

import pytest

from agent.critic.rows import wrong_row

# Amcor's 10-Q for the quarter ended December 31, 2022 (FinanceBench-dev, page 15), as pypdf's layout
# mode reads it: stacked column headings ("Total" over "Restructuring Costs") glued into one line.
RESTRUCTURING = """An analysis of the Company's restructuring plan liability is as follows:
Fixed Asset RestructuringTotal
($ in millions) Employee Costs Related Costs Other Costs Costs
Liability balance at June 30, 2022 $ 97 $ 3 $ 18 $ 118
Net charges to earnings 2 — — 2
Cash paid (16) (1) (8) (25)
Reversal of unused amounts (2) — — (2)
Liability balance at December 31, 2022 $ 81 $ 2 $ 10 $ 93
The Company expects the majority of the liability for employee, fixed assets related, and other costs
as of December 31, 2022 to be paid within the next twelve months."""


@pytest.mark.parametrize(
    ("sentence", "held"),
    [
        # The employee column's figure presented as the whole liability.
        ("The restructuring liability as of Q2 of FY2023 close was $81 million.", True),
        ("Employee costs made up $81 million of the restructuring liability at December 31, 2022.", False),
        ("The restructuring liability was $93 million at December 31, 2022.", False),
        ("Of the $93 million restructuring liability, $81 million was for employee costs.", False),
    ],
)
def test_a_part_presented_as_the_whole(sentence: str, held: bool) -> None:
    reason = wrong_row(sentence, [RESTRUCTURING])
    assert bool(reason) is held
    if held:
        assert "one part of the row" in reason and "$ 93" in reason


def test_period_columns_and_two_figure_rows_are_not_parts() -> None:
    # Columns that are periods: the last is no total of the others even when the sum happens to agree.
    periods = "(In millions)\n2023 2022 2021\nOther income 10 20 30"
    assert wrong_row("Other income was $30 million in 2021.", [periods]) == ""
    segments = "(in millions)\nAmericas Europe Greater China Total\nNet sales 100 50 30 180"
    assert "one part" in wrong_row("Net sales were $100 million.", [segments])
    assert wrong_row("Net sales in the Americas were $100 million.", [segments]) == ""
