"""Every route of the research graph, driven by a scripted chat model on hand-made filings."""

from __future__ import annotations

import re

import pytest
from graph_fakes import AMAZON_22, APPLE_22, APPLE_23, chunk
from langchain_core.messages import HumanMessage

from agent.models import prompt_tokens
from agent.nodes.draft import shown_passages
from agent.prompts.common import CANNOT_ANSWER

Q_SALES = "What were Apple's total net sales for the three months ended July 1, 2023?"
GOOD = "Apple's total net sales were $81,797 million for the three months ended July 1, 2023 [c1]."


async def test_accept_first_time_without_judge_calls(harness) -> None:
    h = harness({"draft": [GOOD]})
    answer = await h.ask(Q_SALES)
    assert answer.stop_reason == "accepted"
    assert "$81,797 million" in answer.text and "[1]" in answer.text
    assert answer.citations[0].doc_id == APPLE_23.doc_id
    assert answer.citations[0].page == 4
    assert "81,797" in answer.citations[0].quote
    # A simple question is not decomposed and a grounded number needs no judge: one LLM call.
    assert h.roles() == ["draft"]
    assert answer.usage.llm_calls == 1 and answer.usage.prompt_tokens > 0
    assert answer.faithfulness == 1.0 and answer.revisions == 0
    assert {"resolve_scope", "retrieve", "rerank_chunks", "draft_answer", "critique_draft"} <= set(
        answer.node_seconds
    )
    # The reranker is given the scope the query was searched in (it reads the query's topic).
    scopes = h.resources.rerank_scopes
    assert scopes and all(s is not None and s.companies == ["Apple Inc."] for s in scopes)


async def test_regenerate_then_accept_passes_feedback(harness) -> None:
    strayed = GOOD + " Services net sales were $99,999 million [c1]."
    h = harness({"draft": [strayed, GOOD]})
    answer = await h.ask(Q_SALES)
    assert answer.stop_reason == "accepted" and answer.revisions == 1
    drafts = [p for r, p in h.model.calls if r == "draft"]
    assert len(drafts) == 2
    assert "99,999" in drafts[1] and "not found" in drafts[1]  # the critic's feedback reached the drafter
    assert "99,999" not in answer.text


async def test_re_retrieve_then_accept(harness) -> None:
    h = harness({"draft": [CANNOT_ANSWER, GOOD]})
    answer = await h.ask(Q_SALES)
    assert answer.stop_reason == "accepted" and answer.revisions == 1
    assert len(h.resources.searches) >= 2  # a second retrieval round with rewritten queries
    assert h.resources.searches[-1] != Q_SALES


async def test_a_draft_with_nothing_found_looks_again_keeping_what_it_read_first(harness) -> None:
    """The drafter finds no answer in the passages: the graph searches again (the topic, without the
    one filer's name). The second draft reads the first one's passages first, in the same order
    (the model's prompt cache holds them), then the new ones."""
    found = "Apple completed the acquisition of a component supplier [c4]."
    h = harness({"draft": [CANNOT_ANSWER, found], "judge": ["YES"]})
    deal = "Acquisitions. During the quarter the Company completed the acquisition of a component supplier."
    cover = "Apple Inc. reports to its shareholders: did you read its report? Any questions to Apple."
    h.resources.chunks += [chunk(APPLE_23, 60 + i, cover, 1) for i in range(3)] + [
        chunk(APPLE_23, 70, deal, 20)
    ]
    answer = await h.ask(
        "Did Apple report any acquisitions in its 2023 Q3 10-Q?", context_chunks=2, retrieval_new_passages=2
    )
    assert answer.stop_reason == "accepted" and answer.revisions == 1
    assert "Apple" not in h.resources.searches[-1] and "acquisitions" in h.resources.searches[-1]
    first, second = [p for r, p in h.model.calls if r == "draft"]
    read = first[: first.index("Question:")]
    assert second.startswith(read) and "[c3]" not in read and "[c4]" in second and "[c5]" not in second
    assert "completed the acquisition" in second.split("[c3]", 1)[1]
    assert "Your previous answer was:" not in second  # a new look, not a correction


async def test_a_page_each_filing_prints_alike_takes_one_place_in_the_context(harness) -> None:
    """Two 10-Qs print the same forward-looking-statements page: it is read once, and the note
    ranked below both copies gets the second place of the drafting context (with every copy kept,
    it does not)."""
    preamble = (
        "Forward-looking statements in this Quarterly Report on Form 10-Q about acquisitions, divestitures "
        "and other matters involve risks; the Company reports them as required."
    )
    deal = "Acquisitions: in the quarter Apple completed the acquisition of a component supplier for $1.2 billion."
    prompts = []
    for overlap in (0.8, 1.0):
        h = harness(
            {"draft": ["The Company acquired a component supplier for $1.2 billion [c2]."], "judge": ["YES"]}
        )
        h.resources.chunks += [chunk(APPLE_23, 80, preamble, 3), chunk(APPLE_22, 80, preamble, 3)]
        h.resources.chunks += [chunk(APPLE_23, 81, deal, 12)]
        await h.ask(
            "What did Apple report about acquisitions in its 10-Q filings?",
            context_chunks=2,
            duplicate_overlap=overlap,
        )
        prompts.append(next(p for r, p in h.model.calls if r == "draft"))
    once, every = prompts
    assert once.count("Forward-looking statements") == 1 and "component supplier for $1.2 billion" in once
    assert every.count("Forward-looking statements") == 2 and "component supplier" not in every


async def test_abstain_at_revision_budget_says_what_was_found(harness) -> None:
    bad = "Apple's total net sales were $95,000 million [c1]."
    h = harness({"draft": [bad]})
    answer = await h.ask(Q_SALES, max_revisions=1)
    assert answer.stop_reason == "abstained: budget"
    assert answer.revisions == 1
    assert "95,000" not in answer.text
    assert answer.citations and "closest passages" in answer.text.lower()
    assert any(c.verdict == "ungrounded_number" for c in answer.claims)


async def test_abstain_at_llm_call_budget(harness) -> None:
    narrative = "Apple says inflation could materially adversely affect the Company [c2]."
    h = harness({"draft": [narrative], "judge": ["NO"]})
    answer = await h.ask(
        "What risks from inflation does Apple describe in its 2023 Q3 10-Q?", max_llm_calls=4
    )
    assert answer.stop_reason == "abstained: budget"
    assert answer.usage.llm_calls <= 4
    assert h.roles()[:2] == ["draft", "judge"]


async def test_narrative_claim_accepted_by_judge(harness) -> None:
    narrative = "Apple says inflation could materially adversely affect the Company [c1][c2]."
    h = harness({"draft": [narrative], "judge": ["YES"]})
    answer = await h.ask("What does Apple say about inflation risk in its 2023 Q3 10-Q?")
    assert answer.stop_reason == "accepted"
    assert h.roles() == ["draft", "judge"]
    judge_prompt = h.model.calls[1][1]
    draft_prompt = h.model.calls[0][1]
    # The judge prompt starts with the draft prompt's context block (llama.cpp prefix reuse).
    shared = draft_prompt.split("Question:")[0]
    assert judge_prompt.startswith(shared) and len(shared) > 200


async def test_out_of_scope_costs_no_llm_call(harness) -> None:
    h = harness({"draft": [GOOD]})
    answer = await h.ask("What was Tesla's revenue in 2022?")
    assert answer.stop_reason == "out of scope"
    assert "Tesla" in answer.text and "Apple" in answer.text  # says what the index holds
    assert h.roles() == [] and answer.usage.llm_calls == 0


async def test_malformed_decomposition_falls_back_to_the_question(harness) -> None:
    q = "Compare Apple's total net sales in 2023 Q3 and Amazon's AWS net sales in 2022."
    h = harness({"decompose": ["this is not json {"], "draft": [GOOD]})
    answer = await h.ask(q)
    assert h.roles()[0] == "decompose"
    assert any(f.startswith("decompose: malformed output") for f in answer.fallbacks)
    assert answer.stop_reason == "accepted"


async def test_decomposition_fans_out_one_retrieval_per_subquestion(harness) -> None:
    q = "Compare Apple's total net sales in 2023 Q3 and Amazon's AWS net sales in 2022."
    subs = '{"questions": ["What were Apple total net sales in 2023 Q3?", "What were Amazon AWS net sales in 2022?"]}'
    both = (
        "Apple's total net sales were $81,797 million [c1]. AWS net sales were $80,096 million in 2022 [c2]."
    )
    h = harness({"decompose": [subs], "draft": [both]})
    answer = await h.ask(q)
    assert answer.stop_reason == "accepted"
    assert set(h.resources.searches) == {
        "What were Apple total net sales in 2023 Q3?",
        "What were Amazon AWS net sales in 2022?",
    }
    assert {c.company for c in answer.citations} == {"Apple Inc.", "Amazon.com, Inc."}


async def test_citation_to_a_chunk_never_retrieved_is_rejected(harness) -> None:
    h = harness({"draft": ["Apple's total net sales were $81,797 million [c9].", GOOD]})
    answer = await h.ask(Q_SALES)
    assert answer.stop_reason == "accepted" and answer.revisions == 1
    prompts = [p for r, p in h.model.calls if r == "draft"]
    assert "c9" in prompts[1]


async def test_ungrounded_number_is_never_accepted(harness) -> None:
    # Plausible, nearly right, but not in the filing: zero tolerance.
    h = harness({"draft": ["Apple's total net sales were $81,790 million [c1]."]})
    answer = await h.ask(Q_SALES, max_revisions=2)
    assert answer.stop_reason.startswith("abstained")
    assert "81,790" not in answer.text
    assert all(c.verdict == "ungrounded_number" for c in answer.claims)


async def test_calculation_is_computed_by_our_code(harness) -> None:
    draft = "Services net sales grew by CALC((21,213 - 19,604) / 19,604 * 100)% year over year [c1]."
    h = harness({"draft": [draft]})
    answer = await h.ask("By how much did Apple's services net sales grow in the quarter ended July 1, 2023?")
    assert answer.stop_reason == "accepted"
    assert "8.21%" in answer.text and "CALC" not in answer.text
    assert answer.claims[0].verdict == "calculation"


async def test_follow_up_keeps_company_and_shifts_the_year(harness) -> None:
    h = harness(
        {
            "draft": [
                GOOD,
                "Apple's total net sales were $82,959 million for the three months ended June 25, 2022 [c1].",
            ]
        },
        memory=True,
    )
    first = await h.ask(Q_SALES, thread="t1")
    assert first.scope.doc_ids == [APPLE_23.doc_id]
    second = await h.ask("And the year before?", thread="t1")
    assert second.scope.companies == ["Apple Inc."]
    assert second.scope.doc_ids == [APPLE_22.doc_id]
    assert second.stop_reason == "accepted" and "82,959" in second.text
    assert second.usage.llm_calls == 1  # per-turn counters start afresh
    draft_prompt = h.model.calls[-1][1]
    assert "net sales" in draft_prompt.split("Question:")[1]  # the follow-up was made standalone


async def test_extra_unknown_citation_beside_a_valid_one_is_dropped(harness) -> None:
    h = harness({"draft": [GOOD.replace("[c1]", "[c1][c7]")]})
    answer = await h.ask(Q_SALES)
    assert answer.stop_reason == "accepted" and answer.revisions == 0
    assert any("dropped citations" in f and "c7" in f for f in answer.fallbacks)
    assert [c.n for c in answer.citations] == [1]


async def test_regeneration_shows_the_rejected_draft_and_samples(harness) -> None:
    strayed = "Apple's total net sales were $230,901 million for the three months ended July 1, 2023 [c1]."
    h = harness({"draft": [strayed, GOOD]})
    answer = await h.ask(Q_SALES)
    assert answer.stop_reason == "accepted" and answer.revisions == 1
    second = [p for r, p in h.model.calls if r == "draft"][1]
    assert "Your previous answer was:" in second and "230,901" in second
    assert "Total net sales 81,797" in second.split("rejected because:")[1]  # the matching row as a hint


# What OpenAI (and compatible servers) answer to an over-long prompt.
OPENAI_OVERFLOW = (
    "Error code: 400 - {'error': {'message': \"This model's maximum context length is 8192 tokens. "
    "However, your messages resulted in 9120 tokens.\", 'code': 'context_length_exceeded'}}"
)


@pytest.mark.parametrize("provider_error", [None, OPENAI_OVERFLOW], ids=["llama.cpp", "hosted"])
async def test_a_prompt_over_the_context_window_drafts_from_fewer_passages(harness, provider_error) -> None:
    h = harness({"draft": [GOOD]})
    await h.ask(Q_SALES, figure_passages=0)
    full = len(h.model.calls[-1][1])  # the draft prompt with every passage
    h = harness({"draft": [GOOD]})
    h.model.max_prompt_chars = full - 1  # the whole context no longer fits
    h.model.overflow_text = provider_error
    answer = await h.ask(Q_SALES, figure_passages=0)
    assert answer.stop_reason == "accepted" and "$81,797 million" in answer.text
    assert any("context window" in f for f in answer.fallbacks)
    assert len(h.model.calls[-1][1]) < full


AMAZON_INCOME_22 = """CONSOLIDATED STATEMENTS OF OPERATIONS
(in millions)
Year Ended December 31,
2021 2022
Total net sales 469,822 513,983
Operating income 24,879 12,248
Net income (loss) 33,364 (2,722)"""
Q_MARGIN = "What was Amazon's operating margin in FY2022?"


def _with_amazon_statement(h):
    h.resources.chunks.append(chunk(AMAZON_22, 80, AMAZON_INCOME_22, 37, item="8", table=True))
    return h


async def test_a_drafted_result_of_the_listed_calculation_is_read_back_as_that_calculation(harness) -> None:
    # The drafter wrote our calculation's result instead of copying the CALC: 12,248 / 513,983.
    h = _with_amazon_statement(harness({"draft": ["Amazon's operating margin was 2.38% in FY2022 [c1]."]}))
    answer = await h.ask(Q_MARGIN)
    assert "CALC(12,248 / 513,983 * 100)" in h.model.calls[0][1]  # it was on the figure list
    assert answer.stop_reason == "accepted" and answer.revisions == 0
    assert answer.claims[0].verdict == "calculation"
    assert "was 2.38% in FY2022 [1]" in answer.text and answer.citations[0].page == 38
    assert any("read as the listed CALC" in f for f in answer.fallbacks)


async def test_a_wrong_result_beside_a_listed_calculation_is_redrafted_as_that_calculation(harness) -> None:
    h = _with_amazon_statement(harness({"draft": ["Amazon's operating margin was 3.1% in FY2022 [c1]."]}))
    answer = await h.ask(Q_MARGIN)
    assert answer.stop_reason == "accepted" and answer.revisions == 1
    assert len(h.resources.searches) == 1  # the operands were in the context: no second retrieval
    assert h.roles() == ["draft"]  # the second draft is our own calculation, not a model call
    assert any("drafted the listed calculation" in f for f in answer.fallbacks)
    assert answer.claims[0].verdict == "calculation"
    assert "3.1%" not in answer.text and "2.38%" in answer.text and answer.citations[0].page == 38


async def test_a_bare_figure_beside_a_listed_calculation_is_redrafted_as_that_calculation(harness) -> None:
    # The right result, but a sentence that does not say what it is: nothing verified.
    h = _with_amazon_statement(harness({"draft": ["2.38% [c1]."]}))
    answer = await h.ask(Q_MARGIN)
    assert answer.stop_reason == "accepted" and h.roles() == ["draft"]
    assert answer.text.startswith("The operating margin, 2022 is 2.38%")


async def test_our_calculation_beside_a_failed_sentence_is_redrafted_as_that_calculation(harness) -> None:
    # The result is read back as our calculation, but the second sentence's figure is nowhere.
    first = "Amazon's operating margin was 2.38% in FY2022 [c1]. Its net sales grew 57% [c1]."
    h = _with_amazon_statement(harness({"draft": [first]}))
    answer = await h.ask(Q_MARGIN)
    assert answer.stop_reason == "accepted" and answer.revisions == 1
    assert h.roles() == ["draft"]
    assert "57%" not in answer.text and answer.text.startswith("The operating margin, 2022 is 2.38%")


async def test_a_verified_copied_figure_beside_a_failed_sentence_goes_back_to_the_model(harness) -> None:
    first = "Amazon's total net sales were $513,983 million in 2022 [c1]. Its margin was 9% [c1]."
    h = _with_amazon_statement(harness({"draft": [first, first.split(" Its")[0]]}))
    answer = await h.ask(Q_MARGIN)
    assert h.roles() == ["draft", "draft"]
    assert answer.stop_reason == "accepted" and "9%" not in answer.text


async def test_a_wrong_figure_without_a_listed_calculation_goes_back_to_the_model(harness) -> None:
    h = harness({"draft": ["Apple's total net sales were $81,790 million [c1].", GOOD]})
    answer = await h.ask(Q_SALES)
    assert answer.stop_reason == "accepted" and h.roles() == ["draft", "draft"]


async def test_a_judge_prompt_over_the_context_window_is_judged_on_the_cited_passage(harness) -> None:
    question = "What does Apple say about inflation risk in its 2023 Q3 10-Q?"
    claim = "Apple says inflation could materially adversely affect the Company [c2]."
    h = harness({"draft": [claim], "judge": ["YES"]})
    await h.ask(question)
    full_judge = h.model.calls[1][1]
    assert "Services" in full_judge  # the table passage [c1] is in the judge's context
    h = harness({"draft": [claim], "judge": ["YES"]})
    h.model.role_prompt_chars = {"judge": len(full_judge) - 1}  # every passage no longer fits
    answer = await h.ask(question)
    assert answer.stop_reason == "accepted" and answer.claims[0].reason == "judge: YES"
    # The full context was refused (a refused prompt is not recorded), then the cited passage judged.
    [judge_prompt] = [p for r, p in h.model.calls if r == "judge"]
    assert "Services" not in judge_prompt and "inflation" in judge_prompt


def test_spellings_of_one_company_do_not_make_a_question_multi_company() -> None:
    from agent.nodes.decompose import is_simple
    from agent.schemas import Scope

    question = "What is the FY2022 EBITDA margin for PepsiCo?"
    assert is_simple(question, Scope(companies=["PepsiCo, Inc.", "Pepsico"], fiscal_years=[2022]))
    assert is_simple(question, Scope(companies=["MGM Resorts International", "Mgm Resorts International"]))
    assert not is_simple(question, Scope(companies=["Apple Inc.", "Microsoft Corporation"]))


async def test_a_figure_question_drafts_from_compact_evidence(harness) -> None:
    """With candidate figures listed, the draft prompt shows only their passages and the top one
    (issue 18, point 3); numbering is kept, so the critic reads [cN] as the drafter meant it."""
    full = harness({"draft": [GOOD]})
    await full.ask(Q_SALES, figure_passages=0)
    compact = harness({"draft": [GOOD]})
    answer = await compact.ask(Q_SALES)
    full_prompt, compact_prompt = full.model.calls[0][1], compact.model.calls[0][1]
    shown = re.findall(r"^\[(c\d+)\]", compact_prompt, re.M)
    assert 1 <= len(shown) <= 2 and "c1" in shown, shown
    assert len(re.findall(r"^\[(c\d+)\]", full_prompt, re.M)) > len(shown)
    assert len(compact_prompt) < len(full_prompt)
    assert "Figures found in the passages" in compact_prompt
    assert answer.stop_reason == "accepted" and "$81,797 million" in answer.text


def test_shown_passages_lead_with_the_first_candidate_then_the_top_passage() -> None:
    figures = ["[c4] Total net sales, three months ended July 1, 2023 = 81,797", "[c2] Services = 21,213"]
    assert shown_passages(figures, 2) == ["c4", "c1"]
    assert shown_passages(figures, 3) == ["c4", "c1", "c2"]
    assert shown_passages(["[c1] Net sales = 5"], 2) == ["c1"]
    assert shown_passages(figures, 0) is None and shown_passages([], 2) is None
    assert shown_passages(["no alias here"], 2) is None


async def test_an_accepted_answer_states_what_its_scope_assumed(harness) -> None:
    """FY2021 is read from the FY2022 10-K's comparatives: the answer says so."""
    h = _with_amazon_statement(
        harness({"draft": ["Amazon's operating margin was CALC(24,879 / 469,822 * 100)% in FY2021 [c1]."]})
    )
    answer = await h.ask("What was Amazon's operating margin in FY2021?")
    assert answer.stop_reason == "accepted", answer
    assert answer.scope.assumptions and "comparative" in answer.scope.assumptions[0]
    assert "(Assumed: " in answer.text and "comparative" in answer.text


APPLE_SEGMENTS_23 = """Segment Operating Performance
The following table shows net sales by reportable segment for the three- and nine-month periods ended July 1, 2023 and June 25, 2022 (dollars in millions):
Three Months Ended Nine Months Ended
July 1,2023 June 25,2022 Change July 1,2023 June 25,2022 Change
Net sales by reportable segment:
Americas $ 35,383 $ 37,472 (6)% $ 122,445 $ 129,850 (6)%
Europe 20,205 19,287 5% 71,831 72,323 (1)%
Greater China 15,758 14,604 8% 57,475 58,730 (2)%
Japan 4,821 5,446 (11)% 18,752 20,277 (8)%
Rest of Asia Pacific 5,630 6,150 (8)% 23,284 23,002 1%
Total net sales $ 81,797 $ 82,959 (1)% $ 293,787 $ 304,182 (3)%"""


def _with_segments(h):
    from agent.finance.facts import DocPeriod, document_facts

    segments = chunk(APPLE_23, 60, APPLE_SEGMENTS_23, 17, item="2", table=True)
    lines = APPLE_SEGMENTS_23.splitlines()
    period = DocPeriod(fiscal_year=2023, fiscal_quarter=3, period_end="2023-07-01", form_type="10-Q")
    facts = [
        f.model_copy(update={"chunk_id": segments.id, "doc_id": APPLE_23.doc_id, "id": f"s{n}"})
        for n, f in enumerate(document_facts([(17, [(lines[:5], "\n".join(lines[5:]))])], period))
    ]
    h.resources.chunks.append(segments)
    h.resources.facts_of_chunks = lambda ids: [f for f in facts if f.chunk_id in ids]  # type: ignore[method-assign]
    return h


Q_REGION = (
    "Which of Apple's reportable segments had the largest net sales in the third quarter of fiscal 2023?"
)
AMERICAS = "The Americas had the largest net sales, $35,383 million, in the quarter ended July 1, 2023 [c1]."


async def test_a_superlative_is_ranked_and_stated_by_our_code(harness) -> None:
    """The plan marks the question a superlative; our code ranks every row of the passage's table
    (totals left out) and states the winner, cited, with no model call; the critic accepts it."""
    h = _with_segments(harness({"draft": [AMERICAS]}))
    answer = await h.ask(Q_REGION)
    assert "draft" not in h.roles(), h.roles()
    assert answer.stop_reason == "accepted" and "Americas has the highest" in answer.text
    assert "$35,383 million" in answer.text and "Europe" not in answer.text
    assert any("stated from our ranking" in f for f in answer.fallbacks)


async def test_a_superlative_drafted_by_the_model_has_our_ranking_listed_first(harness) -> None:
    """With computed answers off, the draft prompt's figure list starts with our ranking over every
    row of the passage's table (totals left out), which the drafter copies."""
    h = _with_segments(harness({"draft": [AMERICAS]}))
    answer = await h.ask(Q_REGION, computed_answers=False)
    prompt = h.model.calls[0][1]
    listed = prompt.split("Figures found in the passages")[1]
    first = listed.splitlines()[1]
    assert "highest Net sales by reportable segment" in first and "Americas = $35,383 million" in first, first
    assert "ranked by our code over 5 rows" in first and "Total" not in first
    assert answer.stop_reason == "accepted" and "$35,383 million" in answer.text


async def test_a_superlative_about_another_row_is_sent_back_with_the_ranked_one(harness) -> None:
    """A real figure of the wrong row ("Europe ... largest") is grounded, yet not the answer."""
    europe = "Europe had the largest net sales, $20,205 million, in the quarter ended July 1, 2023 [c1]."
    h = _with_segments(harness({"draft": [europe, AMERICAS]}))
    answer = await h.ask(Q_REGION, computed_answers=False)
    assert answer.revisions == 1 and answer.stop_reason == "accepted", answer
    assert "Americas" in answer.text and "Europe" not in answer.text
    assert "our ranking of all 5 rows gives Americas" in h.model.calls[-1][1]


def _shown(prompt: str) -> list[str]:
    return re.findall(r"^\[(c\d+)\]", prompt, re.M)


async def test_a_figure_question_prompt_keeps_to_its_token_budget(harness) -> None:
    """``draft_prompt_tokens`` leaves the lowest-ranked passages out of a figure question's draft
    prompt until it fits; numbering is kept and the top passage always stays."""
    full = harness({"draft": [GOOD]})
    await full.ask(Q_SALES, figure_passages=0, draft_prompt_tokens=0)
    every = _shown(full.model.calls[0][1])
    assert len(every) >= 2, every
    # The scripted model cannot count tokens: 3 characters a token (agent.models.CHARS_PER_TOKEN).
    budget = prompt_tokens(full.model, [HumanMessage(full.model.calls[0][1])]) - 1
    h = harness({"draft": [GOOD]})
    answer = await h.ask(Q_SALES, figure_passages=0, draft_prompt_tokens=budget)
    prompt = h.model.calls[0][1]
    assert 1 <= len(_shown(prompt)) < len(every) and _shown(prompt) == every[: len(_shown(prompt))]
    assert prompt_tokens(h.model, [HumanMessage(prompt)]) <= budget
    assert answer.stop_reason == "accepted" and "$81,797 million" in answer.text
    tiny = harness({"draft": [GOOD]})
    await tiny.ask(Q_SALES, figure_passages=0, draft_prompt_tokens=1)
    assert _shown(tiny.model.calls[0][1]) == ["c1"]


def test_a_budget_leaves_out_the_passages_a_later_round_added_last() -> None:
    """Under a prompt budget the earlier, lower-ranked passages go first: those were read without
    the answer, the ones a re-retrieval added were not; the top passage always stays."""
    from graph_fakes import CHUNKS, ScriptedChatModel

    from agent.nodes.draft import budgeted_messages
    from agent.prompts.common import render_context
    from agent.schemas import ScoredChunk

    model = ScriptedChatModel(scripts={})
    passages = [ScoredChunk(chunk=c, score=1.0) for c in CHUNKS]

    def build(block: str) -> list[HumanMessage]:
        return [HumanMessage(block)]

    def shown(budget: int, fresh: int) -> list[str]:
        return _shown(budgeted_messages(model, passages, None, budget, build, fresh)[0].content)

    every = shown(0, 0)
    assert every == ["c1", "c2", "c3", "c4"]
    first_and_last = prompt_tokens(model, build(render_context(passages, ["c1", "c4"])[0]))
    assert shown(first_and_last, 0) == ["c1"]
    assert shown(first_and_last, 1) == ["c1", "c4"]


async def test_a_narrative_question_keeps_every_passage_whatever_the_figure_budget(harness) -> None:
    question = "What does Apple say about inflation risk in its 2023 Q3 10-Q?"
    claim = "Apple says inflation could materially adversely affect the Company [c2]."
    unbounded = harness({"draft": [claim], "judge": ["YES"]})
    await unbounded.ask(question, draft_prompt_tokens=0)
    bounded = harness({"draft": [claim], "judge": ["YES"]})
    await bounded.ask(question, draft_prompt_tokens=1)
    assert _shown(bounded.model.calls[0][1]) == _shown(unbounded.model.calls[0][1])
    assert len(_shown(bounded.model.calls[0][1])) >= 2


async def test_a_superlative_that_no_table_in_context_ranks_is_not_left_to_the_model(harness) -> None:
    """The question ranks a line item (net sales) but no passage prints it for the rows: the model
    is never asked to pick the row, and the answer abstains saying why."""
    h = harness({"draft": [AMERICAS, AMERICAS]})
    answer = await h.ask(Q_REGION)
    assert "draft" not in h.roles()
    assert (
        answer.stop_reason.startswith("abstained")
        and "Americas" not in answer.text.split("passages found")[0]
    )
    assert any("never picked by the model" in f for f in answer.fallbacks)


async def test_a_superlative_over_listed_members_that_no_table_ranks_is_not_left_to_the_model(
    harness,
) -> None:
    question = (
        "Among operating, investing, and financing activities, which brought in the most cash for Apple "
        "in the quarter ended July 1, 2023?"
    )
    h = harness({"draft": ["Operating activities brought in the most cash [c1].", GOOD]})
    answer = await h.ask(question)
    assert "draft" not in h.roles() and answer.stop_reason.startswith("abstained")


async def test_a_superlative_over_an_amount_the_vocabulary_does_not_name_is_not_left_to_the_model(
    harness,
) -> None:
    question = (
        "Which of Apple's investments received the largest investment in the quarter ended July 1, 2023?"
    )
    h = harness({"draft": ["Products received the largest investment, $60,584 million [c1].", GOOD]})
    answer = await h.ask(question)
    assert "draft" not in h.roles() and answer.stop_reason.startswith("abstained")
    # A superlative over something that is no amount is still read from the passages by the model.
    risk = "What is the most significant risk Apple describes in its 2023 Q3 10-Q?"
    r = harness(
        {
            "draft": ["Apple says inflation could materially adversely affect the Company [c2]."],
            "judge": ["YES"],
        }
    )
    await r.ask(risk)
    assert "draft" in r.roles()


async def test_a_figure_dated_outside_the_asked_period_is_sent_back(harness) -> None:
    # The prior year's column is printed in the same table, so the figure is grounded; its date is not
    # the period asked.
    prior = "Apple's total net sales were $82,959 million for the three months ended June 25, 2022 [c1]."
    h = harness({"draft": [prior, GOOD]})
    answer = await h.ask(Q_SALES)
    assert answer.stop_reason == "accepted" and answer.revisions == 1
    drafts = [p for r, p in h.model.calls if r == "draft"]
    assert "does not ask about" in drafts[1]
    assert "82,959" not in answer.text and "$81,797 million" in answer.text


AMAZON_CREDIT_22 = (
    "Credit Facilities\nIn November 2022, we amended our unsecured revolving credit facility. The amendment "
    "increased the borrowing capacity of the revolving credit facility from $10.0 billion to $15.0 billion "
    "and extended its term to November 2025. There were no borrowings outstanding under the credit facility."
)
Q_CHANGE = "By how much did Amazon increase its revolving credit facility in FY2022?"


async def test_a_level_given_for_a_change_asked_is_redrafted_as_the_change(harness) -> None:
    h = harness(
        {
            "draft": [
                "Amazon increased its revolving credit facility to $15.0 billion [c1].",
                "Amazon increased its revolving credit facility by $CALC(15.0 - 10.0) billion [c1].",
            ]
        }
    )
    h.resources.chunks.append(chunk(AMAZON_22, 90, AMAZON_CREDIT_22, 52, item="8"))
    # The model drafts (our code would state the printed change itself: see below).
    answer = await h.ask(Q_CHANGE, computed_answers=False)
    assert answer.stop_reason == "accepted" and answer.revisions == 1, answer.text
    # The redraft was told which amounts the passage prints before and after.
    assert "$10.0 billion, $15.0 billion" in h.model.calls[-1][1]
    assert "by $5 billion [1]" in answer.text and "$15.0 billion" not in answer.text
    assert answer.claims[0].verdict == "calculation"


async def test_a_level_given_twice_for_a_change_asked_is_not_accepted(harness) -> None:
    h = harness({"draft": ["Amazon increased its revolving credit facility to $15.0 billion [c1]."]})
    h.resources.chunks.append(chunk(AMAZON_22, 90, AMAZON_CREDIT_22, 52, item="8"))
    answer = await h.ask(Q_CHANGE, computed_answers=False)
    assert answer.stop_reason != "accepted"
    assert "printed as an amount before or after the change" in answer.claims[0].reason


AMAZON_GUIDANCE_22 = (
    "Guidance. For 2023 we now expect operating margin of 7 percent (previously 5 percent) and net sales "
    "growth of 10 percent."
)


async def test_a_relative_change_given_for_percentage_points_is_redrafted_as_their_difference(
    harness,
) -> None:
    h = harness(
        {
            "draft": [
                "Amazon raised its operating margin guidance by CALC((7 - 5) / 5 * 100)% [c1].",
                "Amazon raised its operating margin guidance by CALC(7 - 5) percentage points [c1].",
            ]
        }
    )
    h.resources.chunks.append(chunk(AMAZON_22, 91, AMAZON_GUIDANCE_22, 53, item="7"))
    answer = await h.ask(
        "By how many percentage points did Amazon raise its operating margin guidance in FY2022?",
        computed_answers=False,
    )
    assert answer.stop_reason == "accepted" and answer.revisions == 1, answer.text
    assert "CALC(7 - 5)" in h.model.calls[-1][1]  # the feedback named the difference
    assert "by 2 percentage points [1]" in answer.text and "40" not in answer.text


async def test_a_change_a_passage_prints_as_amounts_before_and_after_is_stated_by_our_code(harness) -> None:
    """ "from $10.0 billion to $15.0 billion": our code states the difference as a CALC the critic
    re-checks over the printed amounts; no model call."""
    h = harness({})
    h.resources.chunks.append(chunk(AMAZON_22, 90, AMAZON_CREDIT_22, 52, item="8"))
    answer = await h.ask(Q_CHANGE)
    assert answer.stop_reason == "accepted" and "draft" not in h.roles(), answer.text
    assert "an increase of $5 billion [1]" in answer.text and answer.claims[0].verdict == "calculation"


async def test_a_change_in_percentage_points_is_the_difference_of_the_printed_percentages(harness) -> None:
    h = harness({})
    h.resources.chunks.append(chunk(AMAZON_22, 91, AMAZON_GUIDANCE_22, 53, item="7"))
    answer = await h.ask(
        "By how many percentage points did Amazon raise its operating margin guidance in FY2022?"
    )
    assert answer.stop_reason == "accepted" and "draft" not in h.roles(), answer.text
    assert "from 5 percent to 7 percent, an increase of 2 percentage points [1]" in answer.text


async def test_a_printed_change_of_something_else_is_left_to_the_model(harness) -> None:
    """The passage prints how operating margin guidance changed; the question asks about sales
    growth guidance, which it gives no earlier figure for: the model drafts."""
    h = harness({"draft": [CANNOT_ANSWER, CANNOT_ANSWER, CANNOT_ANSWER]})
    h.resources.chunks.append(chunk(AMAZON_22, 91, AMAZON_GUIDANCE_22, 53, item="7"))
    answer = await h.ask("By how much did Amazon raise its net sales growth guidance in FY2022?")
    assert "draft" in h.roles() and "5 percent" not in answer.text
