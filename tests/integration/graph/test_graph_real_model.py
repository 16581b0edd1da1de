"""The research graph end to end: real filings, real index, the real local 1.5B model.

Each question costs one to a few 1.5B calls (~30-90 s on 2 CPU cores), so the set is small.
"""

from __future__ import annotations

import re

import pytest
from graph_run import ask

from agent.critic.numbers import extract_numbers, is_grounded

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _first_word(company: str | None) -> str:
    """'Amazon.com, Inc.' -> 'Amazon'; 'Apple Inc.' -> 'Apple'."""
    match = re.match(r"[A-Za-z]+", company or "")
    return match.group(0) if match else ""


def _cited_text(answer, seen) -> dict[str, str]:
    context = seen.get("rerank_chunks", {}).get("context", [])
    return {c.id: c.chunk.text for c in context}


def _assert_every_number_grounded(answer, seen) -> None:
    texts = list(_cited_text(answer, seen).values())
    for claim in answer.claims:
        if claim.verdict == "supported":
            for n in extract_numbers(claim.text):
                assert is_grounded(n, texts), (n.raw, claim.text)


def _assert_correct_or_abstained_with_evidence(answer, seen, company: str, must_contain: str) -> None:
    """The product's promise on the offline 1.5B: a right, cited answer, or an abstention that shows
    the evidence it found. Never an accepted answer with a wrong or ungrounded figure.

    The 1.5B does not yet reliably reach "accepted" on these questions (it often reads the wrong
    period column; the critic catches it and the run abstains): that gap is tracked in issue 5 and
    measured by evals/answer_eval.py, not hidden here."""
    assert answer.citations, answer.model_dump_json(indent=1)
    assert all(c.company and company in c.company for c in answer.citations), answer.citations
    _assert_every_number_grounded(answer, seen)
    if answer.stop_reason == "accepted":
        assert must_contain.lower() in answer.text.lower(), answer.text
        assert all(c.verdict in ("supported", "calculation") for c in answer.claims), answer.claims
    else:
        assert answer.stop_reason.startswith("abstained"), answer.stop_reason
        assert "could not" in answer.text
        cited = _cited_text(answer, seen)
        shown = " ".join(cited.get(c.chunk_id, c.quote) for c in answer.citations).lower()
        assert must_contain.lower() in shown, shown


async def test_numeric_question_read_from_a_table(research) -> None:
    answer, seen = await ask(
        research, "What were Apple's total net sales for the three months ended July 1, 2023?"
    )
    assert all(c.period == "FY2023 Q3" for c in answer.citations), answer.citations
    cited = _cited_text(answer, seen)
    assert any("81,797" in cited.get(c.chunk_id, c.quote) for c in answer.citations)
    if answer.stop_reason == "accepted":
        assert re.search(r"81,797|81\.8 billion", answer.text), answer.text
    _assert_correct_or_abstained_with_evidence(answer, seen, "Apple", "81,797")


async def test_narrative_question(research) -> None:
    answer, seen = await ask(
        research,
        "According to Amazon's 2022 annual report, what drove the increase in AWS segment net sales?",
    )
    assert all(c.form_type == "10-K" for c in answer.citations), answer.citations
    _assert_correct_or_abstained_with_evidence(answer, seen, "Amazon", "usage")


async def test_question_needing_two_subquestions(research) -> None:
    q = "Compare Apple's total net sales for the three months ended July 1, 2023 with Amazon's total net sales for 2022."
    answer, seen = await ask(research, q)
    subs = seen["decompose_question"]["subquestions"]
    assert len(subs) >= 2, subs
    # Both companies' filings were searched and reached the drafting context.
    context = seen.get("rerank_chunks", {}).get("context", [])
    companies = {_first_word(c.chunk.metadata.company) for c in context}
    assert {"Apple", "Amazon"} <= companies, companies
    _assert_every_number_grounded(answer, seen)
    if answer.stop_reason == "accepted":
        cited = {_first_word(c.company) for c in answer.citations}
        assert {"Apple", "Amazon"} <= cited, answer.citations
    else:
        assert answer.stop_reason.startswith("abstained"), answer.stop_reason


async def test_abstains_when_the_filings_cannot_answer(research) -> None:
    answer, _seen = await ask(
        research, "What was Apple's share price on the Tokyo Stock Exchange on July 1, 2023?"
    )
    assert answer.stop_reason.startswith("abstained"), answer.model_dump_json(indent=1)
    # It says what it found instead of guessing, and invents no figure.
    assert "could not" in answer.text
    texts = [c.quote for c in answer.citations]
    for n in extract_numbers(answer.text.split("closest passages")[0]):
        assert is_grounded(n, texts)
