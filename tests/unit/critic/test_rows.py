"""The row check of a sentence listing several figures: each figure is named by its own clause."""

from __future__ import annotations

from statements import NIKE_FY2018_INCOME as NIKE_INCOME

from agent.critic.rows import wrong_row


def test_each_figure_of_a_list_is_named_by_its_own_clause() -> None:
    # Our calculation's operands: "Revenues" shares fewer words with the whole sentence than
    # "Cost of sales" does, but it is the name printed before its own figure.
    operands = (
        "It is computed from Cost of sales of $17,405 million (2016), Revenues of $32,376 million (2016), "
        "Cost of sales of $19,038 million (2017) and Revenues of $34,350 million (2017) [c1]."
    )
    assert wrong_row(operands, [NIKE_INCOME]) == ""


def test_a_list_naming_a_figure_by_another_row_is_caught() -> None:
    swapped = "It is computed from Cost of sales of $32,376 million (2016) and Revenues of $17,405 million (2016) [c1]."
    reason = wrong_row(swapped, [NIKE_INCOME])
    assert "$32,376 million is on the row 'Revenues'" in reason and "'Cost of sales'" in reason


def test_figures_written_before_their_names_are_not_pinned_on_another_row() -> None:
    # The names follow the figures: no clause before a figure names its row, and the whole
    # sentence names both rows.
    sentence = (
        "NIKE reported $36,397 million of revenues and $1,933 million of net income in fiscal 2018 [c1]."
    )
    assert wrong_row(sentence, [NIKE_INCOME]) == ""
    # A single figure is still checked against the whole sentence.
    assert "'Revenues'" in wrong_row(
        "NIKE's net income was $36,397 million in fiscal 2018 [c1].", [NIKE_INCOME]
    )
