"""A yes/no question whether something happened ("Were there any acquisitions?"): our code lists
the context's sentences holding the question's most distinctive words, the drafter picks the ones
that report it (a short call), and our code quotes them, cited; when it picks none, the drafter
writes from the passages as usual."""

from __future__ import annotations

import pytest
from graph_fakes import APPLE_22, APPLE_23, chunk, scored

from agent.nodes.key_sentences import DISTINCTIVE_SHARE, explaining_sentences, key_sentences, picked

QUESTION = "Were there any significant acquisitions or divestitures reported by Apple in the Q3 2023 10-Q?"
TOPIC = "Were there any significant acquisitions or divestitures reported in the Q3 2023?"
DEAL = (
    "Three Months Ended Nine Months Ended\n"
    "Net unrealized gains (losses) on equity securities $ (26) $ (93) $ 141 $ (337)\n"
    "The gains are recorded in other income.\n"
    "Note 9: Acquisitions and Divestitures\n"
    "During the third quarter of 2023, the Company entered into a definitive agreement to acquire\n"
    "Widget Semiconductor Ltd. in a cash transaction."
)
REPORT = (
    "This Quarterly Report on Form 10-Q includes forward-looking statements that involve significant risks.\n"
    "The Company reported significant growth in services during the quarter."
)
FILLER = "The Company reported significant net sales of products and services in the quarter under review."


def _filing(deal: str = DEAL, filler: str = FILLER, passages: int = 14) -> list:
    fillers = [chunk(APPLE_23, 10 + i, filler, 10 + i) for i in range(passages)]
    return [chunk(APPLE_23, 1, REPORT, 2), chunk(APPLE_23, 2, deal, 16), *fillers]


def test_the_sentence_with_the_questions_distinctive_words_is_key_not_the_table_or_the_framing() -> None:
    filing = _filing()
    context = scored(filing[:2])
    found = key_sentences(TOPIC, context, [c.text for c in filing])
    assert found == [
        (
            "During the third quarter of 2023, the Company entered into a definitive agreement to acquire "
            "Widget Semiconductor Ltd. in a cash transaction.",
            "c2",
        )
    ]


def _keys(topic: str, deal: str) -> list[str]:
    """The key sentences of a filing whose second passage prints ``deal``, its first two passages
    the context."""
    filing = _filing(deal=deal)
    return [s for s, _ in key_sentences(topic, scored(filing[:2]), [c.text for c in filing])]


def test_a_heading_run_into_a_sentence_is_no_evidence_that_it_reports_what_the_heading_names() -> None:
    # The page runs "NOTE 1 — ACCOUNTING POLICIES" into a sentence about something else.
    notes = (
        "NOTES TO FINANCIAL STATEMENTS\n(Unaudited)\nNOTE 1 — ACCOUNTING POLICIES\nAccounting Principles\n"
        "Our interim financial statements for the quarter are prepared in accordance with generally accepted "
        "principles."
    )
    assert (
        _keys("Were there any significant changes in accounting policies reported in the most recent?", notes)
        == []
    )


def test_no_key_sentence_without_a_distinctive_word_of_the_question() -> None:
    # Words printed in most passages are no distinctive words: the list would be noise.
    common = FILLER + " Acquisitions and divestitures were made in the ordinary course."
    filing = _filing(filler=common)
    assert len(filing) * DISTINCTIVE_SHARE < sum("cquisition" in c.text for c in filing)
    assert key_sentences(TOPIC, scored(filing[:2]), [c.text for c in filing]) == []
    assert key_sentences(TOPIC, scored(filing[:2]), [c.text for c in filing], limit=0) == []


def test_a_sentence_that_says_no_when_reports_no_event() -> None:
    # A bylaw's rule uses the question's words but reports nothing that happened; the vote does.
    vote = (
        "At the annual meeting held on May 17, 2023, one nominee received 9,120,411 votes against election."
    )
    votes = (
        "Under the Bylaws, a nominee must receive more votes cast for than votes cast against election.\n"
        + vote
    )
    topic = "Were there any board nominees who had substantially more votes against than the other nominees?"
    assert _keys(topic, votes) == [vote]


def test_the_drafters_pick_is_read_as_sentence_numbers() -> None:
    assert picked("2", 3) == [1]
    assert picked("1, 3", 3) == [0, 2]
    assert picked("3, 3, 1, 2", 3) == [2, 0]  # each once, at most two
    assert picked("0", 3) == [] and picked("none of them", 3) == [] and picked("5", 3) == []


async def test_the_picked_sentence_is_quoted_with_its_citation_and_no_draft(harness) -> None:
    h = harness({"pick": ["1"], "judge": ["YES"]})
    h.resources.chunks = _filing()
    answer = await h.ask(QUESTION)
    assert answer.stop_reason == "accepted", (answer.text, h.roles(), answer.fallbacks)
    assert "definitive agreement to acquire Widget Semiconductor Ltd." in answer.text
    assert "[1]" in answer.text and answer.citations[0].page == 17
    assert h.roles().count("pick") == 1 and "draft" not in h.roles()
    assert any("quoted the 1 sentence(s) the drafter picked" in f for f in answer.fallbacks)
    pick_prompt = next(p for r, p in h.model.calls if r == "pick")
    assert "Net unrealized gains" not in pick_prompt  # a table line is no sentence
    # The drafter judges the kind of event: the scope already holds the company, form and period.
    asked = next(line for line in pick_prompt.split("\n") if line.startswith("Question:"))
    assert asked == "Question: Were there any significant acquisitions or divestitures reported?", asked


async def test_when_nothing_in_the_one_filing_reports_it_the_answer_says_not_reported(harness) -> None:
    # The drafter rejects the one key sentence, the rest of the filing holds no other, and the
    # model finds nothing in the passages: the filing was read whole, so no second search either.
    h = harness({"pick": ["0"], "draft": ["I cannot answer this from the provided filings."]})
    h.resources.chunks = _filing()
    answer = await h.ask(QUESTION)
    assert h.roles() == ["pick", "draft"], h.roles()
    assert answer.usage.llm_calls == 2
    assert answer.stop_reason == "not reported", (answer.stop_reason, answer.text)
    assert answer.text.startswith(
        "Not reported. I read every passage of Apple Inc. 10-Q FY2023 Q3 for the sentences using the "
        "question's rarest words (acquisitions, divestitures): none of them reports it"
    ), answer.text
    assert "The closest passages found: [1]" in answer.text and answer.citations


@pytest.mark.parametrize(("listed", "stop"), [(4, "not reported"), (1, "abstained: no evidence")])
async def test_not_reported_only_when_every_sentence_with_the_words_was_shown(harness, listed, stop) -> None:
    # Three dated sentences use the question's rarer word "acquired" (about equipment, land,
    # buildings). Listing four at a time, the drafter saw and rejected all of them: not reported.
    # Listing one at a time, two readings showed two: one went unread, so nothing is claimed.
    bought = [
        "In March 2023, the Company acquired manufacturing equipment for its assembly plants in Texas and Ohio.",
        "In May 2023, the Company acquired land for a new research campus outside Austin, Texas.",
        "In June 2023, the Company acquired two office buildings for its growing engineering teams.",
    ]
    fillers = [chunk(APPLE_23, 10 + i, FILLER, 10 + i) for i in range(30)]  # "acquired": 3 passages of 34
    filing = [
        chunk(APPLE_23, 1, REPORT, 2),
        *(chunk(APPLE_23, 2 + i, b, 16 + i) for i, b in enumerate(bought)),
    ]
    h = harness({"pick": ["0", "0"], "draft": ["I cannot answer this from the provided filings."]})
    h.resources.chunks = [*filing, *fillers]
    answer = await h.ask(QUESTION, key_sentences=listed)
    assert answer.stop_reason == stop, (answer.stop_reason, answer.text, h.roles())


async def test_reported_frames_the_question_and_is_no_word_of_what_happened(harness) -> None:
    # "reported by Apple" frames the question. The filing's dated sentences saying "reported" (in 2
    # passages of 20: rare enough to count) report no change of policy, and the drafter was never
    # shown them: weighed as a topic word, "reported" would leave them unread and block the finding.
    said = "In the third quarter of 2023, the Company reported growth in services net sales."
    filing = [
        chunk(
            APPLE_23, 1, "NOTE 1 - SUMMARY OF SIGNIFICANT POLICIES\nThe Company's fiscal year is 52 weeks.", 7
        ),
        *(chunk(APPLE_23, 2 + i, said, 30 + i) for i in range(2)),
        *(chunk(APPLE_23, 10 + i, FILLER.replace("reported", "had"), 40 + i) for i in range(17)),
    ]
    h = harness({"draft": ["I cannot answer this from the provided filings."]})
    h.resources.chunks = filing
    answer = await h.ask(
        "Were there any significant changes in accounting policies reported by Apple in the Q3 2023 10-Q?"
    )
    assert answer.stop_reason == "not reported", (answer.stop_reason, answer.text, h.roles())
    assert "pick" not in h.roles()
    words = answer.text.split("rarest words (", 1)[1].split(")", 1)[0].split(", ")
    assert "policies" in words and "reported" not in words, words


async def test_every_filing_the_scope_chose_is_read_for_the_sentence_that_answers(harness) -> None:
    # Two filings in scope, the deal printed in the older one only, outside the passages the search
    # ranked first: the second reading covers both filings and quotes it, cited to its page.
    deal = "In May 2022, the Company completed its acquisition of Widget Semiconductor Ltd. for cash."
    older = [
        chunk(APPLE_22, 1, REPORT, 2),
        *(chunk(APPLE_22, 10 + i, FILLER, 10 + i) for i in range(12)),
        chunk(APPLE_22, 30, deal, 19),
    ]
    h = harness({"pick": ["1"], "judge": ["YES"]})
    h.resources.chunks = [*_filing(deal=FILLER), *older]
    answer = await h.ask(
        "Were there any significant acquisitions or divestitures reported by Apple in its 10-Qs?",
        context_chunks=4,
    )
    assert answer.stop_reason == "accepted", (answer.stop_reason, answer.text, h.roles())
    assert answer.text.startswith(deal.rstrip(".")), answer.text
    assert [(c.period, c.page) for c in answer.citations] == [("FY2022 Q3", 20)], answer.citations


async def test_only_a_question_whether_there_was_any_is_answered_not_reported(harness) -> None:
    # Finding nothing answers "were there any ...?"; it does not answer "did it complete the ...?".
    h = harness({"pick": ["0"], "draft": ["I cannot answer this from the provided filings."] * 2})
    h.resources.chunks = _filing()
    answer = await h.ask("Did Apple complete the divestiture it planned, as reported in the Q3 2023 10-Q?")
    assert answer.stop_reason.startswith("abstained"), (answer.stop_reason, answer.text, h.roles())


async def test_without_a_whole_reading_nothing_found_stays_an_abstention(harness) -> None:
    # Two filings in scope: no filing was read whole, so nothing found is no finding.
    h = harness({"pick": ["0", "0"], "draft": ["I cannot answer this from the provided filings."] * 2})
    h.resources.chunks = _filing()
    answer = await h.ask(
        "Were there any significant acquisitions or divestitures reported by Apple in its 10-Qs?"
    )
    assert answer.stop_reason.startswith("abstained"), (answer.stop_reason, answer.text)
    assert not answer.text.startswith("Not reported")


async def test_the_period_words_the_scope_applied_list_no_sentence(harness) -> None:
    # "the most recent 10-Q" chose the filing; its "recent" is no word of the event asked about, so
    # a sentence saying "recently" is not listed for the drafter to pick (it would be quoted).
    recently = (
        "In 2018, a regulator began investigating whether the recently implemented rules were followed."
    )
    h = harness({"pick": ["1"], "draft": ["I cannot answer this from the provided filings."]})
    h.resources.chunks = _filing(deal=recently)
    answer = await h.ask(
        "Were there any significant changes in accounting policies reported by Apple in the most recent 10-Q?"
    )
    assert "pick" not in h.roles(), h.roles()
    assert answer.stop_reason == "not reported", (answer.stop_reason, answer.text)
    assert "recently implemented" not in answer.text.split("The closest passages")[0]


# In the filing, outside the passages the search ranked first: no heading names the deal.
LATER_DEAL = (
    "In August 2023, the Company entered into a definitive agreement to acquire Widget Semiconductor Ltd."
)


async def test_the_rest_of_the_one_filing_is_read_when_the_context_holds_no_answer(harness) -> None:
    h = harness({"pick": ["1"], "judge": ["YES"]})
    h.resources.chunks = _filing(deal=LATER_DEAL)
    answer = await h.ask(QUESTION, context_chunks=4)
    assert h.roles().count("pick") == 1 and "draft" not in h.roles(), h.roles()
    assert answer.stop_reason == "accepted", (answer.text, answer.fallbacks)
    assert answer.text.startswith(LATER_DEAL.rstrip(".")), answer.text
    assert [c.page for c in answer.citations] == [17]
    assert any("key sentences of the rest of the filing" in f for f in answer.fallbacks)


# Apple's 10-Q for the quarter ended July 1, 2023, page 18 (MD&A), as printed.
APPLE_MDA = (
    "iPhone\niPhone net sales decreased during the third quarter and first nine months of 2023 compared to "
    "the same periods in 2022 due primarily to lower net sales from certain iPhone models, partially offset "
    "by higher net sales of iPhone 14 Pro models.\nServices\nServices net sales increased during the third "
    "quarter of 2023 compared to the third quarter of 2022 due primarily to higher net sales from "
    "advertising, cloud services and the App Store.\nThe Company believes its Services business will keep "
    "growing with its installed base of active devices."
)
OTHER = "The Company's effective tax rate was lower compared to the prior year period."


def test_the_filers_sentences_giving_a_cause_with_the_questions_rarest_words() -> None:
    # The Services sentence gives a cause and holds the question's rare word; the iPhone one gives a
    # cause about something else; the last one names Services but gives no cause.
    filing = [chunk(APPLE_23, 1, APPLE_MDA, 18), *(chunk(APPLE_23, 10 + i, OTHER, 20 + i) for i in range(24))]
    topic = "How has Services revenue changed over the quarters, and what drove it?"
    found = explaining_sentences(topic, scored(filing[:1]), [c.text for c in filing], 2)
    assert found == [
        (
            "Services net sales increased during the third quarter of 2023 compared to the third quarter of "
            "2022 due primarily to higher net sales from advertising, cloud services and the App Store.",
            "c1",
        )
    ]
    # Printed again in a later passage but for a comma and spacing: quoted once, from the first.
    again = chunk(APPLE_23, 2, APPLE_MDA.replace("advertising, cloud", "advertising,  cloud,"), 19)
    twice = explaining_sentences(topic, scored([filing[0], again]), [c.text for c in [*filing, again]], 2)
    assert [alias for _, alias in twice] == ["c1"]
    assert explaining_sentences(topic, scored(filing[:1]), [c.text for c in filing], 0) == []
