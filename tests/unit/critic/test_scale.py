"""A figure copied from a table keeps the table's scale: "$81,797" under "(In millions ...)" is
$81,797 million, written in by the critic, and an error when left out."""

from __future__ import annotations

from pathlib import Path

from agent.critic.check import check_draft
from agent.critic.numbers import extract_numbers
from agent.critic.scale import add_scales, needed_scale, scale_draft
from agent.schemas import Chunk, ChunkMetadata

APPLE = (Path(__file__).parents[1] / "graph" / "apple_10q_2023q3_income.txt").read_text()
EPS = (
    "CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS\n(In millions, except per share amounts)\n"
    "Three Months Ended\nJuly 1, 2023 June 25, 2022\nNet income $ 19,881 $ 19,442\n"
    "Earnings per share:\nDiluted $ 1.26 $ 1.20\nShares used in computing earnings per share: 15,775,021 16,262,203\n"
)
Q3 = "three months ended July 1, 2023"


def _chunk(text: str) -> Chunk:
    meta = ChunkMetadata(
        doc_id="apple", source_path="/x.pdf", company="Apple Inc.", form_type="10-Q", chunk_index=0
    )
    return Chunk(id="apple::0", text=text, metadata=meta)


def test_the_table_scale_is_written_after_an_unscaled_amount() -> None:
    draft = f"Total net sales for the {Q3} were $81,797 [c1]."
    fixed, notes = scale_draft(draft, {"c1": "apple::0"}, {"apple::0": APPLE})
    assert fixed == f"Total net sales for the {Q3} were $81,797 million [c1]."
    # A table's "$ 81,797" copied with its gap reads as one amount in the sentence.
    spaced, _ = scale_draft(
        f"Total net sales for the {Q3} were $ 81,797 [c1].", {"c1": "apple::0"}, {"apple::0": APPLE}
    )
    assert spaced == fixed
    assert notes == ["$81,797 -> $81,797 million"]


def test_a_missing_scale_is_an_error_the_critic_names() -> None:
    chunk = _chunk(APPLE)
    (claim,) = check_draft(
        f"Total net sales for the {Q3} were $81,797 [c1].", {"c1": chunk.id}, {chunk.id: chunk}, {chunk.id}
    ).claims
    assert (
        claim.verdict == "unsupported"
        and "lacks its scale" in claim.reason
        and "$81,797 million" in claim.reason
    )
    (ok,) = check_draft(
        f"Total net sales for the {Q3} were $81,797 million [c1].",
        {"c1": chunk.id},
        {chunk.id: chunk},
        {chunk.id},
    ).claims
    assert ok.verdict == "supported", ok


def test_per_share_figures_counts_and_scaled_amounts_are_left_alone() -> None:
    for sentence in ("Diluted earnings per share were $1.26.", "Net income was $19.9 billion."):
        assert add_scales(sentence, [EPS]) == (sentence, []), sentence
    (shares,) = extract_numbers("15,775,021 shares")
    assert needed_scale(shares, [EPS]) is None  # a share count, not an amount


def test_a_bare_figure_on_a_line_item_row_is_an_amount_too() -> None:
    (figure,) = extract_numbers("Total net sales were 81,797.")
    assert needed_scale(figure, [APPLE]) == 1e6
    (other,) = extract_numbers("Products were 39,136.")  # not a line item of the vocabulary: left alone
    assert needed_scale(other, [APPLE]) is None


def test_a_figure_printed_as_it_stands_in_prose_needs_no_scale() -> None:
    prose = "The company paid $81,797 in fees to its auditors during the quarter."
    (figure,) = extract_numbers("$81,797")
    assert needed_scale(figure, [prose]) is None
    assert needed_scale(figure, [prose, APPLE]) is None  # the passages disagree: no guess
    assert needed_scale(figure, [APPLE]) == 1e6


def test_a_stored_fact_keeps_its_scale_where_the_passage_prints_no_header() -> None:
    """A table continued from the previous page prints its rows without "(In millions)": the
    figure our calculation took from it is grounded by the stored fact's scale, read at ingest,
    and only where the cited passage prints its digits."""
    rows = "Net earnings attributable to Acme shareholders $ 1,228 $ 897 $ 1,233\n"
    draft = "It is computed from Net earnings attributable to Acme shareholders of $1,233 million [c1]."
    context, aliases = {"apple::0": _chunk(rows)}, {"c1": "apple::0"}
    [bare] = check_draft(draft, aliases, context, {"apple::0"}).claims
    assert bare.verdict == "ungrounded_number"
    fact = frozenset({("apple::0", 1_233_000_000.0, "1,233")})
    [stated] = check_draft(draft, aliases, context, {"apple::0"}, facts=fact).claims
    assert stated.verdict != "ungrounded_number", stated.reason
    # Another amount than the fact's, or a passage that does not print it, is not grounded.
    other = frozenset({("apple::0", 1_234_000_000.0, "1,234")})
    assert (
        check_draft(draft, aliases, context, {"apple::0"}, facts=other).claims[0].verdict
        == "ungrounded_number"
    )
    elsewhere = frozenset({("apple::9", 1_233_000_000.0, "1,233")})
    assert check_draft(draft, aliases, context, {"apple::0"}, facts=elsewhere).claims[0].verdict == (
        "ungrounded_number"
    )
