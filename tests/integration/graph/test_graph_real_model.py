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


def _assert_accepted_and_cited(answer, seen, company: str, must_contain: str) -> None:
    """The product's promise on the offline 1.5B: a right answer, every claim verified, every figure
    printed in a cited passage of the right company's filing."""
    assert answer.stop_reason == "accepted", answer.model_dump_json(indent=1)
    assert must_contain.lower() in answer.text.lower(), answer.text
    assert answer.citations, answer.model_dump_json(indent=1)
    assert all(c.company and company in c.company for c in answer.citations), answer.citations
    assert all(c.verdict in ("supported", "calculation") for c in answer.claims), answer.claims
    _assert_every_number_grounded(answer, seen)


async def test_numeric_question_read_from_a_table(research) -> None:
    answer, seen = await ask(
        research, "What were Apple's total net sales for the three months ended July 1, 2023?"
    )
    _assert_accepted_and_cited(answer, seen, "Apple", "81,797")
    assert all(c.period == "FY2023 Q3" for c in answer.citations), answer.citations
    cited = _cited_text(answer, seen)
    assert any("81,797" in cited.get(c.chunk_id, c.quote) for c in answer.citations)


async def test_narrative_question(research) -> None:
    answer, seen = await ask(
        research,
        "According to Amazon's 2022 annual report, what drove the increase in AWS segment net sales?",
    )
    _assert_accepted_and_cited(answer, seen, "Amazon", "usage")
    assert all(c.form_type == "10-K" for c in answer.citations), answer.citations


async def test_question_needing_two_subquestions(research) -> None:
    q = "Compare Apple's total net sales for the three months ended July 1, 2023 with Amazon's total net sales for 2022."
    answer, seen = await ask(research, q)
    subs = seen["decompose_question"]["subquestions"]
    assert len(subs) >= 2, subs
    # Both companies' filings were searched and reached the drafting context.
    context = seen.get("rerank_chunks", {}).get("context", [])
    companies = {_first_word(c.chunk.metadata.company) for c in context}
    assert {"Apple", "Amazon"} <= companies, companies
    assert answer.stop_reason == "accepted", answer.model_dump_json(indent=1)
    assert "81,797" in answer.text and "513,983" in answer.text, answer.text
    _assert_every_number_grounded(answer, seen)
    cited = {_first_word(c.company) for c in answer.citations}
    assert {"Apple", "Amazon"} <= cited, answer.citations
    # A comparison of figures drafts within the prompt budget (plus the chat template's few tokens).
    usage = seen["draft_answer"].get("usage")
    _graph, context = research
    assert usage is None or 0 < usage.prompt_tokens <= context.draft_prompt_tokens + 40, usage


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


async def test_figures_over_the_periods_stated_by_our_code_the_rest_by_the_model(research) -> None:
    """One figure over the periods, and an assessment asked as well: our code states each report's
    quarter (oldest first, from the stored facts, with unit and period) and the change; the model
    writes only the rest from the passages, and the critic checks the whole."""
    q = "How have Apple's total net sales changed over time, and what might this suggest about demand?"
    answer, seen = await ask(research, q)
    draft = seen["draft_answer"]
    assert any("our code stated 3 figure(s) over the periods" in f for f in draft["fallbacks"]), draft[
        "fallbacks"
    ]
    assert draft["draft"].index("$82,959 million") < draft["draft"].index("$81,797 million"), draft["draft"]
    figures = draft["figures"]
    assert "82,959" in figures[0] and "81,797" in figures[1] and "CALC(" in figures[2], figures
    texts = {c.chunk.text for c in draft["context"]}
    assert any("82,959" in t for t in texts) and any("81,797" in t for t in texts)
    _assert_every_number_grounded(answer, {"rerank_chunks": {"context": draft["context"]}})
    if answer.stop_reason == "accepted":
        assert "$82,959 million" in answer.text and "$81,797 million" in answer.text, answer.text


async def test_whether_something_happened_is_answered_by_quoting_the_sentence_that_reports_it(
    research,
) -> None:
    answer, seen = await ask(
        research, "Were there any layoffs or severance costs reported by Amazon in 2022?"
    )
    assert answer.stop_reason == "accepted", answer.model_dump_json(indent=1)
    assert any("sentence(s) the drafter picked" in f for f in answer.fallbacks), answer.fallbacks
    assert answer.usage.node_calls.get("draft_answer") == 1  # the short pick call, no draft
    assert "severance costs" in answer.text, answer.text
    assert answer.citations and all(
        c.form_type == "10-K" and "Amazon" in (c.company or "") for c in answer.citations
    ), answer.citations
    # The quote is the filing's own sentence, verified as copied, its figures printed in the passage.
    assert all(c.verdict == "supported" for c in answer.claims), answer.claims
    _assert_every_number_grounded(answer, seen)


async def test_an_event_the_one_filing_does_not_report_is_answered_not_reported(research) -> None:
    # Apple's Q3 2023 10-Q reports no acquisition or divestiture: the whole filing is read for the
    # question's rarest words, the real 1.5B picks none of those sentences and finds nothing in the
    # passages either, so the answer says it is not reported and what was read (not a bare abstention).
    answer, _seen = await ask(
        research,
        "Were there any significant acquisitions or divestitures reported by Apple in the Q3 2023 10-Q?",
    )
    assert answer.stop_reason == "not reported", answer.model_dump_json(indent=1)
    assert answer.text.startswith("Not reported. I read every passage of "), answer.text
    assert "Apple Inc. 10-Q FY2023 Q3" in answer.text and "divestitures" in answer.text, answer.text
    # What the drafter said is no claim of the answer: nothing was verified, nothing is asserted.
    assert not [c for c in answer.claims if c.verdict in ("supported", "calculation")], answer.claims
