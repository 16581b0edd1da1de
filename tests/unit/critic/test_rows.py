"""The row check of a sentence listing several figures: each figure is named by its own clause."""

from __future__ import annotations

from agent.critic.rows import wrong_row

# NIKE, Inc.'s FY2018 10-K, Consolidated Statements of Income, as pypdf extracts it.
NIKE_INCOME = """NIKE, Inc. Consolidated Statements of Income
Year Ended May 31,
(In millions, except per share data) 2018 2017 2016
Revenues $ 36,397 $ 34,350 $ 32,376
Cost of sales 20,441 19,038 17,405
Gross profit 15,956 15,312 14,971
Demand creation expense 3,577 3,341 3,278
Operating overhead expense 7,934 7,222 7,191
Total selling and administrative expense 11,511 10,563 10,469
Interest expense (income), net 54 59 19
Other expense (income), net 66 (196) (140)
Income before income taxes 4,325 4,886 4,623
Income tax expense 2,392 646 863
NET INCOME $ 1,933 $ 4,240 $ 3,760"""


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
