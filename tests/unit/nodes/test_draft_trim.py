"""A runaway draft is cut back to whole sentences, never inside "U.S." or "Inc."."""

from __future__ import annotations

from agent.nodes.draft import MAX_DRAFT_CHARS, trim_runaway

# A 1.5B draft that repeats itself (docugami sec-10-q, Apple's Q2 2023 10-Q wording).
SENTENCE = (
    "The weakness in foreign currencies relative to the U.S. dollar had an unfavorable impact on the "
    "Company's total net sales [c1]. "
)


def test_a_short_draft_is_kept_whole() -> None:
    assert trim_runaway(SENTENCE) == (SENTENCE, False)


def test_the_cut_falls_after_a_sentence_not_inside_an_abbreviation() -> None:
    text = SENTENCE * (MAX_DRAFT_CHARS // len(SENTENCE) + 2)
    for extra in range(len(SENTENCE)):  # wherever the character limit falls inside a sentence
        trimmed, cut = trim_runaway(" " * extra + text)
        assert cut
        assert trimmed.endswith("sales [c1]."), trimmed[-60:]
        assert len(trimmed) <= MAX_DRAFT_CHARS


def test_no_sentence_end_keeps_the_cut_text() -> None:
    text = "x" * (MAX_DRAFT_CHARS + 10)
    assert trim_runaway(text) == ("x" * MAX_DRAFT_CHARS, True)


def test_a_draft_the_token_cap_cut_off_loses_its_unfinished_sentence() -> None:
    # The 1.5B reached max_answer_tokens in the middle of "the U.S. dollar".
    text = SENTENCE + "The weakness in foreign currencies relative to the U"
    assert trim_runaway(text, cut_off=True) == (SENTENCE.rstrip(), True)
    assert trim_runaway(text, cut_off=False) == (text, False)  # under the cap: the model ended it
    # Cut off right at a sentence end, or inside the only sentence: nothing to take back.
    assert trim_runaway(SENTENCE.rstrip(), cut_off=True) == (SENTENCE.rstrip(), False)
    assert trim_runaway("Net sales were", cut_off=True) == ("Net sales were", False)
    assert trim_runaway(SENTENCE + "It was due to the U.S.", cut_off=True) == (SENTENCE.rstrip(), True)
    quoted = SENTENCE + 'It is described under "Risk Factors."'
    assert trim_runaway(quoted, cut_off=True) == (quoted, False)


def test_a_cut_off_list_keeps_its_whole_lines_not_a_bare_marker() -> None:
    text = "1. Epic Games sued the Company [c1]\n2. Masimo filed a complaint [c2]\n3. The Company is"
    trimmed, cut = trim_runaway(text, cut_off=True)
    assert cut and trimmed == "1. Epic Games sued the Company [c1]\n2. Masimo filed a complaint [c2]"
