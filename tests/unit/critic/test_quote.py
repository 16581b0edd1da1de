"""Sentences copied from a passage: cited to it and supported without the judge."""

from __future__ import annotations

from agent.critic.check import check_draft
from agent.critic.quote import quoted_in
from agent.schemas import Chunk, ChunkMetadata

LEGAL = """Other Legal Proceedings
The Company is subject to other legal proceedings and claims that have not been fully resolved and that have arisen in the ordinary course of business.
The
Company settled certain matters during the second quarter of 2023 that did not individually or in the aggregate have a material impact on the Company's
financial condition or operating results.
The outcome of litigation is inherently uncertain.
If one or more legal matters were resolved against the Company in a reporting period for amounts above management's expectations, the Company's financial condition and operating results for that reporting period could be materially adversely affected."""
TABLE = "Total net sales 81,797 82,959\nServices 21,213 19,604"


def _chunk(n: int, text: str) -> Chunk:
    meta = ChunkMetadata(
        doc_id="d", source_path="/x.pdf", company="Acme Corp", form_type="10-Q", chunk_index=n
    )
    return Chunk(id=f"d::{n}", text=text, metadata=meta)


CHUNKS = {c.id: c for c in (_chunk(1, TABLE), _chunk(2, LEGAL))}
ALIASES = {"c1": "d::1", "c2": "d::2"}


def test_a_copied_sentence_is_found_across_pdf_line_breaks() -> None:
    clean = {cid: c.text for cid, c in CHUNKS.items()}
    assert (
        quoted_in(
            "The Company settled certain matters during the second quarter of 2023 that did not "
            "individually or in the aggregate have a material impact.",
            clean,
        )
        == "d::2"
    )
    assert quoted_in("The outcome of litigation is inherently uncertain.", clean) == "d::2"
    # Too short, reworded, or a clause cut from its condition: not a quote.
    assert quoted_in("Litigation is uncertain.", clean) is None
    assert quoted_in("The Company settled all matters during the second quarter of 2023.", clean) is None
    assert (
        quoted_in(
            "The Company's financial condition and operating results could be materially adversely affected.",
            clean,
        )
        is None
    )


def test_uncited_or_miscited_quotes_are_cited_to_their_passage_and_need_no_judge() -> None:
    draft = (
        "The Company is subject to other legal proceedings and claims that have not been fully resolved. "
        "The outcome of litigation is inherently uncertain [c1]. "
        "The Company expects to win every case [c2]."
    )
    checked = check_draft(draft, ALIASES, CHUNKS, set(CHUNKS))
    uncited, miscited, invented = checked.claims
    assert uncited.verdict == "supported" and uncited.chunk_ids == ["d::2"]
    assert miscited.verdict == "supported" and miscited.chunk_ids == ["d::2"]
    assert uncited.reason == miscited.reason == "copied from the cited passage"
    # Not a quote: left to the lexical gate and the judge as before.
    assert invented.verdict == "unsupported" and checked.pending in ([], [2])
    assert len(checked.attributed) == 2


def test_a_sentence_copied_twice_is_said_once_in_the_answer() -> None:
    from agent.nodes.finalize import render_claims

    checked = check_draft(
        "The outcome of litigation is inherently uncertain [c2]. The Company settled certain matters during "
        "the second quarter of 2023 [c2]. The outcome of litigation is inherently uncertain [c2].",
        ALIASES,
        CHUNKS,
        set(CHUNKS),
    )
    text, citations = render_claims(checked.claims, CHUNKS)
    assert text.count("inherently uncertain") == 1 and "settled certain matters" in text
    assert [c.chunk_id for c in citations] == ["d::2"]


def test_a_fragment_from_a_wrapped_line_is_not_a_quote() -> None:
    # A PDF wraps a sentence mid-clause; the words after the wrap are not a sentence of the filing.
    votes = (
        "Holders of record of the Company's common stock as of the record date held\n"
        "7,814,170 and 7,103,640 shares, both entitled to one vote per share, on the matters presented."
    )
    clean = {"d::3": votes}
    fragment = "7,814,170 and 7,103,640 shares, both entitled to one vote per share."
    assert quoted_in(fragment, clean) is None
    # The same line opening with a capital (a heading run into its first sentence) still counts.
    heading = "Risk Factors\nThe Company's business can be affected by a number of factors, all of which are uncertain."
    assert (
        quoted_in("The Company's business can be affected by a number of factors.", {"d::4": heading})
        == "d::4"
    )


def test_an_abbreviation_does_not_end_the_printed_sentence() -> None:
    passage = (
        'Epic Games, Inc. ("Epic") filed a lawsuit in the U.S. District Court for the Northern District of\n'
        "California against the Company alleging violations of federal and state antitrust laws."
    )
    # "Inc." and "U.S." cut the sentence in three pieces; it is still one printed sentence.
    sentence = (
        'Epic Games, Inc. ("Epic") filed a lawsuit in the U.S. District Court for the Northern District of '
        "California against the Company alleging violations of federal and state antitrust laws."
    )
    assert quoted_in(sentence, {"p": passage}) == "p"
