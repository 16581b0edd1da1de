"""Claim splitting, CALC evaluation and the deterministic critic checks."""

from __future__ import annotations

from pathlib import Path

from graph_fakes import CHUNKS

from agent.critic.calc import evaluate, expand_calculations
from agent.critic.check import check_draft, faithfulness
from agent.critic.claims import split_sentences
from agent.prompts.common import CANNOT_ANSWER
from agent.schemas import Chunk, Claim

ALIASES = {"c1": CHUNKS[0].id, "c2": CHUNKS[1].id}
CONTEXT = {c.id: c for c in CHUNKS[:2]}
RETRIEVED = {c.id for c in CHUNKS}


def test_split_sentences_keeps_abbreviations_and_trailing_citations() -> None:
    parts = split_sentences(
        "Apple Inc. reported $81,797 million [c1]. Services grew. [c2]\n- Item two [c1, c2]"
    )
    assert [p.aliases for p in parts] == [["c1"], ["c2"], ["c1", "c2"]]
    assert parts[0].bare == "Apple Inc. reported $81,797 million."


def test_calc_is_safe_arithmetic_only() -> None:
    assert evaluate("(21,213 - 19,604) / 19,604 * 100").result == (21213 - 19604) / 19604 * 100
    for bad in ("__import__('os')", "1/0", "2**10", ""):
        assert evaluate(bad).result is None
    text, calcs = expand_calculations("grew CALC((110 - 100) / 100 * 100)%")
    assert text == "grew 10%" and calcs[0].ok


def test_check_draft_verdicts() -> None:
    draft = (
        "Total net sales were $81,797 million [c1]. "
        "Services were $99,999 million [c1]. "
        "Inflation could adversely affect the Company [c2]. "
        "Net sales fell [c7]. "
        "Products were $60,584 million [c2]. "
        "Services grew CALC((21,213 - 19,604) / 19,604 * 100)% [c1]. "
        "Services grew CALC((21,213 - 18,000) / 18,000 * 100)% [c1]. "
        "Margins were fine."
    )
    checked = check_draft(draft, ALIASES, CONTEXT, RETRIEVED)
    verdicts = [c.verdict for c in checked.claims]
    assert verdicts == [
        "supported",
        "ungrounded_number",
        "unsupported",  # pending the judge
        "bad_citation",
        "ungrounded_number",  # present in the context, but not in the passage it cites
        "calculation",
        "ungrounded_number",  # an operand that is not in the cited passage
        "unsupported",  # no citation
    ]
    assert checked.pending == [2]
    assert "cite the passage that states it" in checked.claims[4].reason
    assert checked.claims[5].text.startswith("Services grew 8.21%")
    assert checked.numbers_absent_from_context == 1
    assert 0 < faithfulness(checked.claims) < 0.5


def test_uncited_sentence_is_cited_to_the_passage_printing_its_figures_then_checked() -> None:
    checked = check_draft(
        "Total net sales were $81,797 million. Services were $99,999 million. Total net sales for the "
        "three months ended July 1, 2023 were $293,787 million.",
        ALIASES,
        CONTEXT,
        RETRIEVED,
    )
    right, invented, wrong_column = checked.claims
    assert right.verdict == "supported" and right.chunk_ids == [CHUNKS[0].id]
    # A figure printed nowhere stays uncited; a real figure from the wrong column is still caught.
    assert invented.verdict == "unsupported" and invented.reason == "no citation"
    assert wrong_column.verdict == "unsupported" and "9-month" in wrong_column.reason
    assert len(checked.attributed) == 2


def _check_one(draft: str, chunk: Chunk) -> list[Claim]:
    """Claims of a draft whose only passage, [c1], is ``chunk``."""
    return check_draft(draft, {"c1": chunk.id}, {chunk.id: chunk}, {chunk.id}).claims


def test_calculation_over_rows_the_sentence_does_not_name_is_not_ours_to_accept() -> None:
    table = Path(__file__).with_name("apple_10q_2023q3_income.txt").read_text()
    chunk = CHUNKS[0].model_copy(update={"text": table})
    good, bad = _check_one(
        "Total net sales fell by CALC((81,797 - 82,959) / 82,959 * 100)% [c1]. "
        "Services grew by CALC((21,213 - 60,584) / 60,584 * 100)% [c1].",
        chunk,
    )
    assert good.verdict == "calculation" and good.text.startswith("Total net sales fell by -1.4")
    assert bad.verdict == "unsupported" and "60,584" in bad.reason and "Products" in bad.reason
    # Naming two periods, each operand must come from one of them (not the nine-month column).
    (wrong_period,) = _check_one(
        "Total net sales from June 25, 2022 to July 1, 2023 changed by CALC((293,787 - 82,959) / 82,959 * 100)% "
        "for the three months ended [c1].",
        chunk,
    )
    assert wrong_period.verdict == "unsupported" and "293,787" in wrong_period.reason, wrong_period
    (right_period,) = _check_one(
        "Total net sales for the three months ended changed from 2022 to 2023 by "
        "CALC((81,797 - 82,959) / 82,959 * 100)% [c1].",
        chunk,
    )
    assert right_period.verdict == "calculation", right_period
    # A row sharing one word ("income") when the same table has the row the sentence names.
    income = CHUNKS[0].model_copy(
        update={
            "text": "Years Ended\nDecember 2, 2016 November 27, 2015\nTotal revenue 5,854,430 4,795,511\n"
            "Operating income 1,493,602 903,095\nNet income $ 1,168,782 $ 629,551"
        }
    )
    wrong_row, right_row = _check_one(
        "Operating income grew by CALC((1,168,782 - 629,551) / 629,551 * 100)% from fiscal 2015 to 2016 [c1]. "
        "Operating income grew by CALC((1,493,602 - 903,095) / 903,095 * 100)% from fiscal 2015 to 2016 [c1].",
        income,
    )
    assert wrong_row.verdict == "unsupported" and "'Operating income'" in wrong_row.reason, wrong_row
    assert right_row.verdict == "calculation" and "65.39" in right_row.text, right_row


def test_a_bare_figure_is_not_an_answer() -> None:
    (claim,) = check_draft("81,797 [c1].", ALIASES, CONTEXT, RETRIEVED).claims
    assert claim.verdict == "unsupported" and "without saying what it is" in claim.reason


def test_raw_chunk_id_never_retrieved_is_a_bad_citation() -> None:
    checked = check_draft("Total net sales were $81,797 million [c1].", ALIASES, CONTEXT, {CHUNKS[1].id})
    assert checked.claims[0].verdict == "bad_citation"


def test_sentinel_means_cannot_answer() -> None:
    assert check_draft(CANNOT_ANSWER, ALIASES, CONTEXT, RETRIEVED).cannot_answer
    assert check_draft("", ALIASES, CONTEXT, RETRIEVED).cannot_answer


def test_figure_from_the_wrong_row_or_column_is_caught() -> None:
    checks = {
        "Total net sales for the three months ended July 1, 2023 were $230,901 million [c1].": "row 'Products'",
        "Total net sales for the three months ended July 1, 2023 were $293,787 million [c1].": "9-month",
        "Total net sales for the three months ended July 1, 2023 were $82,959 million [c1].": "2022 column",
        "Services net sales were $21,213 million in 2022 [c1].": "2023 column",
    }
    for draft, reason in checks.items():
        (claim,) = check_draft(draft, ALIASES, CONTEXT, RETRIEVED).claims
        assert claim.verdict == "unsupported" and reason in claim.reason, draft
    for good in (
        "Total net sales for the three months ended July 1, 2023 were $81,797 million [c1].",
        "Total net sales for the nine months ended July 1, 2023 were $293,787 million [c1].",
        "Apple's revenue was $81.8 billion in the quarter ended July 1, 2023 [c1].",
    ):
        assert check_draft(good, ALIASES, CONTEXT, RETRIEVED).claims[0].verdict == "supported", good


def test_loosely_cited_passages_are_dropped_from_numeric_claims() -> None:
    (claim,) = check_draft(
        "Total net sales were $81,797 million [c2][c1].", ALIASES, CONTEXT, RETRIEVED
    ).claims
    assert claim.verdict == "supported" and claim.chunk_ids == [CHUNKS[0].id]


def test_row_and_column_checks_on_real_pdf_table_text() -> None:
    """Text as pypdf extracts it from the bundled Apple 10-Q (dates split over lines)."""
    from pathlib import Path

    from agent.critic.rows import wrong_row as _wrong_row

    table = Path(__file__).with_name("apple_10q_2023q3_income.txt").read_text()
    q = "Apple's total net sales for the three months ended July 1, 2023 were "
    assert _wrong_row(q + "$81,797 million.", [table]) == ""
    assert "row 'Products'" in _wrong_row(q + "$230,901 million.", [table])
    assert "Total net sales 81,797" in _wrong_row(q + "$230,901 million.", [table])  # the hint
    wrong_year = _wrong_row(q + "$82,959 million.", [table])
    assert "2022 column" in wrong_year and "column 2: 3 months 2022" in wrong_year
    assert "9-month" in _wrong_row(q + "$293,787 million.", [table])


AMAZON_MDNA = """International sales decreased 8% in 2022, compared to the prior year, primarily due to the impact of changes in foreign currency exchange rates, partially offset by increased unit sales, including sales by third-party sellers, advertising sales, and subscription services.
Increased unit sales were driven largely by our continued focus on price, selection, and convenience for our customers, including from our shipping offers.
Changes in foreign currency exchange rates reduced International net sales by $15.0 billion in 2022.
AWS sales increased 29% in 2022, compared to the prior year.
The sales growth primarily reflects increased customer usage, partially offset by pricing changes, primarily driven by long-term customer contracts."""


def test_lexical_support_catches_a_sentence_pinned_on_the_wrong_subject() -> None:
    from agent.critic.support import lexical_support

    wrong = "AWS segment net sales were driven largely by our focus on price, selection, and convenience."
    ok, why = lexical_support(wrong, [AMAZON_MDNA], "Amazon.com, Inc.")
    assert not ok and "aws" in why
    right = "AWS sales growth reflected increased customer usage, partially offset by pricing changes."
    assert lexical_support(right, [AMAZON_MDNA], "Amazon.com, Inc.")[0]
    assert not lexical_support("Apple plans a new campus in Austin.", [AMAZON_MDNA], "Amazon.com, Inc.")[0]


def test_a_derived_figure_that_cannot_be_the_metric_named_is_sent_back() -> None:
    """Cited operands, impossible result: a margin beyond ±100 %, a share of a total above 100 %,
    a change beyond ±1,000 % (issue 18, point 4). The plausible version of each is accepted."""
    table = Path(__file__).with_name("apple_10q_2023q3_income.txt").read_text()
    chunk = CHUNKS[0].model_copy(update={"text": table})
    margin_bad, margin_ok, share_bad, share_ok = _check_one(
        "The Products gross margin over Products cost of sales for the three months ended July 1, 2023 was "
        "CALC((60,584 - 39,136) / 39,136 * 100 * 2)% [c1]. "
        "The Products gross margin over Products cost of sales for the three months ended July 1, 2023 was "
        "CALC((60,584 - 39,136) / 60,584 * 100)% [c1]. "
        "Products accounted for CALC(81,797 / 60,584 * 100)% of total net sales for the three months "
        "ended July 1, 2023 [c1]. "
        "Products accounted for CALC(60,584 / 81,797 * 100)% of total net sales for the three months "
        "ended July 1, 2023 [c1].",
        chunk,
    )
    assert margin_bad.verdict == "unsupported" and "margin of 109.6%" in margin_bad.reason, margin_bad
    assert margin_ok.verdict == "calculation", margin_ok
    assert share_bad.verdict == "unsupported" and "share of a total cannot be 135.0%" in share_bad.reason, (
        share_bad
    )
    assert share_ok.verdict == "calculation", share_ok


def test_one_figure_repeated_for_several_periods_is_sent_back() -> None:
    looped = (
        "Services net sales were $21,213 million in Q1, $21,213 million in Q2 and $21,213 million in Q3 [c1]."
    )
    checked = check_draft(looped, ALIASES, CONTEXT, RETRIEVED)
    assert checked.claims[0].verdict == "unsupported" and "3 times" in checked.claims[0].reason
    once = "Services net sales were $21,213 million for the three months ended July 1, 2023 [c1]."
    assert check_draft(once, ALIASES, CONTEXT, RETRIEVED).claims[0].verdict == "supported"
