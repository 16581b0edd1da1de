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
