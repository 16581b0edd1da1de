"""One figure over the periods ("how have net sales changed over time?"): our code lists the
figure of every scoped filing's period, oldest first, with the change from the first to the last.
When the question asks only for the figures the draft is ours (no model call) and the real critic
checks it; when it asks for more (what they suggest), the model drafts with our figures listed first."""

from __future__ import annotations

import pytest
from graph_fakes import APPLE_22, APPLE_23, CHUNKS, Doc, chunk

from agent.schemas import Fact, FactPeriod, Series


def _quarter(end: str, start: str, year: int) -> FactPeriod:
    return FactPeriod(kind="duration", start=start, end=end, months=3, fiscal_year=year, fiscal_quarter=3)


Q23 = _quarter("2023-07-01", "2023-04-02", 2023)
Q22 = _quarter("2022-06-25", "2022-03-27", 2022)


def _income_fact(doc_id: str, chunk_id: str, n: int, label: str, period: FactPeriod, value: int) -> Fact:
    """A row of an income statement's "Net sales" in millions, as the ingest stores it."""
    return Fact(
        id=f"{doc_id}::f{n}",
        doc_id=doc_id,
        page=3,
        chunk_id=chunk_id,
        statement="income",
        label=label,
        group="Net sales",
        period=period,
        value=value,
        scale=6,
        unit="USD",
        text=f"{value:,}",
    )


def _facts() -> list[Fact]:
    rows = [
        (APPLE_23, CHUNKS[0], "Total net sales", Q23, 81_797),
        (APPLE_23, CHUNKS[0], "Services", Q23, 21_213),
        (APPLE_23, CHUNKS[0], "Total net sales", Q22, 82_959),  # the comparative column
        (APPLE_22, CHUNKS[2], "Total net sales", Q22, 82_959),
        (APPLE_22, CHUNKS[2], "Services", Q22, 19_604),
    ]
    return [
        _income_fact(doc.doc_id, chunk.id, n, label, period, value)
        for n, (doc, chunk, label, period, value) in enumerate(rows)
    ]


async def test_the_figure_of_every_quarter_without_a_model_call(harness) -> None:
    h = harness({"draft": ["(the model must not be asked)"]})
    h.resources.facts = _facts()
    answer = await h.ask("How have Apple's total net sales changed over time?")
    assert answer.stop_reason == "accepted", answer.text
    assert "draft" not in h.roles() and "judge" not in h.roles()
    text = answer.text
    # Oldest first, each period named by its printed dates, each figure cited to its own report.
    assert text.index("$82,959 million") < text.index("$81,797 million"), text
    assert "three months ended June 25, 2022" in text and "three months ended July 1, 2023" in text
    assert "-1.4" in text  # (81,797 - 82,959) / 82,959 = -1.40 %, computed by our code
    assert {c.doc_id for c in answer.citations} == {APPLE_22.doc_id, APPLE_23.doc_id}
    first, last, change = answer.calculations
    assert (first.result, last.result) == (82_959, 81_797)
    assert change.unit == "%" and change.result == pytest.approx((81_797 - 82_959) / 82_959 * 100)
    # Each level's operand is the report's own figure, not a later report's comparative.
    assert first.operands[0].doc_id == APPLE_22.doc_id


async def test_a_named_part_of_the_item_is_listed_never_the_total(harness) -> None:
    h = harness({"draft": ["(the model must not be asked)"]})
    h.resources.facts = _facts()
    answer = await h.ask("How has Apple's Services revenue changed over the quarters?")
    assert answer.stop_reason == "accepted", answer.text
    assert "$19,604 million" in answer.text and "$21,213 million" in answer.text
    assert "82,959" not in answer.text and "81,797" not in answer.text


async def test_asked_for_more_than_figures_the_model_writes_only_the_rest(harness) -> None:
    # c3: the risk factors passage (after the two income statements).
    reply = "Global and regional economic conditions, including inflation, could materially adversely affect the Company [c3]."
    h = harness({"draft": [reply], "judge": ["YES"]})
    h.resources.facts = _facts()
    calls = []
    calculate = h.resources.calculate
    h.resources.calculate = lambda plan, q: calls.append(q) or calculate(plan, q)  # type: ignore[method-assign]
    answer = await h.ask(
        "How have Apple's total net sales changed over time, and what might this suggest about demand?"
    )
    assert len(calls) == 1  # the facts are read once per draft, not by each of its steps
    drafts = [prompt for role, prompt in h.model.calls if role == "draft"]
    assert drafts, h.roles()
    # The model is told which figures our code already states, and asked for the rest only.
    assert "already states these figures" in drafts[0] and "$82,959 million" in drafts[0]
    assert answer.stop_reason == "accepted", answer.text
    # Our sentences (with unit and period) first, then the model's.
    assert (
        answer.text.index("$82,959 million")
        < answer.text.index("$81,797 million")
        < answer.text.index("economic conditions")
    )
    assert any("the model wrote the rest" in f for f in answer.fallbacks), answer.fallbacks


async def test_when_the_model_finds_nothing_more_our_figures_stand(harness) -> None:
    from agent.prompts.common import CANNOT_ANSWER

    h = harness({"draft": [CANNOT_ANSWER]})
    h.resources.facts = _facts()
    answer = await h.ask("How have Apple's total net sales changed over time, and what drove it?")
    assert answer.stop_reason == "accepted", answer.text
    assert "$82,959 million" in answer.text and CANNOT_ANSWER not in answer.text
    assert any("found nothing more to add" in f for f in answer.fallbacks), answer.fallbacks
    # The answer says the passages found said nothing on the rest ("what drove it").
    assert "say nothing more on the rest of the question" in answer.text


async def test_one_period_asked_is_no_series(harness) -> None:
    h = harness({"draft": ["(the model must not be asked)"]})
    h.resources.facts = _facts()
    answer = await h.ask("What were Apple's total net sales for the three months ended July 1, 2023?")
    assert answer.stop_reason == "accepted" and "82,959" not in answer.text
    assert not isinstance(h.resources.calculate(None, ""), Series)


async def test_a_breakdown_read_off_a_table_that_adds_up(harness) -> None:
    h = harness({"draft": ["(the model must not be asked)"]})
    products = _facts()[0].model_copy(
        update={"id": f"{APPLE_23.doc_id}::f20", "label": "Products", "value": 60_584, "text": "60,584"}
    )
    h.resources.facts = [*_facts(), products]
    answer = await h.ask(
        "What were Apple's net sales by products and services for the three months ended July 1, 2023?"
    )
    assert answer.stop_reason == "accepted", answer.text
    assert "draft" not in h.roles()
    assert "$81,797 million" in answer.text and "Products was $60,584 million" in answer.text
    assert "Services was $21,213 million" in answer.text
    whole, *parts = answer.calculations
    assert whole.result == 81_797 and sum(p.result for p in parts) == 81_797


async def test_the_models_repetition_of_our_figures_is_left_out(harness) -> None:
    reply = (
        "Revenue was $82,959 million in the three months ended June 25, 2022 [c2]. "
        "There has been a considerable shift in demand. "
        "Global and regional economic conditions, including inflation, could materially adversely affect the Company [c3]."
    )
    h = harness({"draft": [reply], "judge": ["YES"]})
    h.resources.facts = _facts()
    answer = await h.ask(
        "How have Apple's total net sales changed over time, and what might this suggest about demand?"
    )
    assert answer.stop_reason == "accepted", answer.text
    assert answer.text.count("82,959") == 1, answer.text  # our sentence, not the model's copy
    assert [c.result for c in answer.calculations][:2] == [82_959, 81_797]  # our typed calculations travel
    assert "economic conditions" in answer.text
    # A sentence citing no passage is left out of the draft, not only of the answer: the critic
    # never counts it against the draft.
    assert not any("considerable shift" in c.text for c in answer.claims), answer.claims


async def test_each_listed_part_over_the_quarters_without_a_model_call(harness) -> None:
    h = harness({"draft": ["(the model must not be asked)"]})
    products = [
        _facts()[i].model_copy(
            update={"id": f"{doc.doc_id}::f3{i}", "label": "Products", "value": v, "text": f"{v:,}"}
        )
        for i, doc, v in ((0, APPLE_23, 60_584), (3, APPLE_22, 63_355))
    ]
    h.resources.facts = [*_facts(), *products]
    answer = await h.ask("How have Apple's Products and Services net sales changed over the quarters?")
    assert answer.stop_reason == "accepted", answer.text
    assert "draft" not in h.roles()
    text = answer.text
    # Each part's own rows, oldest first, one after the other; never the total in their place.
    for earlier, later in (("63,355", "60,584"), ("19,604", "21,213")):
        assert text.index(f"${earlier} million") < text.index(f"${later} million"), text
    assert text.index("63,355") < text.index("19,604")
    assert "82,959" not in text and "81,797" not in text
    assert [c.result for c in answer.calculations if c.unit == "USD"] == [63_355, 60_584, 19_604, 21_213]


ASKED_BESIDE = (
    "What were Apple's total net sales in Q3 2023, and which risks from global and regional economic "
    "conditions did the Company disclose?"
)


async def test_a_figure_asked_beside_another_ask_is_stated_by_our_code(harness) -> None:
    # "What was X in Q3, and which ...?": our code states X from the facts; the model the rest.
    reply = "Global and regional economic conditions, including inflation, could materially adversely affect the Company [c1]."
    h = harness({"draft": [reply], "judge": ["YES"]})
    h.resources.facts = _facts()
    answer = await h.ask(ASKED_BESIDE)
    drafts = [prompt for role, prompt in h.model.calls if role == "draft"]
    assert drafts and "already states these figures" in drafts[0] and "$81,797 million" in drafts[0]
    assert answer.stop_reason == "accepted", answer.text
    assert answer.text.index("$81,797 million") < answer.text.index("economic conditions"), answer.text
    assert "82,959" not in answer.text  # the comparative column is not the quarter asked
    assert [c.result for c in answer.calculations] == [81_797]
    assert any("our code stated 1 figure(s); the model wrote the rest" in f for f in answer.fallbacks)


async def test_a_figure_stated_when_the_rest_is_not_found_says_so(harness) -> None:
    from agent.nodes.leads import REST_UNANSWERED
    from agent.prompts.common import CANNOT_ANSWER

    h = harness({"draft": [CANNOT_ANSWER]})
    h.resources.facts = _facts()
    answer = await h.ask(ASKED_BESIDE)
    assert answer.stop_reason == "accepted", answer.text
    assert "$81,797 million" in answer.text and answer.text.rstrip().endswith(REST_UNANSWERED)


async def test_an_assessment_of_a_figure_gets_no_figure_of_ours_first(harness) -> None:
    # "... and what might they suggest?": the model answers whole; our figure alone would read as the answer.
    from agent.prompts.common import CANNOT_ANSWER

    h = harness({"draft": [CANNOT_ANSWER, CANNOT_ANSWER]})
    h.resources.facts = _facts()
    answer = await h.ask(
        "What were Apple's total net sales in Q3 2023, and what might they suggest about demand?"
    )
    drafts = [prompt for role, prompt in h.model.calls if role == "draft"]
    assert drafts and not any("already states these figures" in d for d in drafts)
    assert answer.stop_reason != "accepted"


# Apple's 10-Q for the quarter ended July 1, 2023, MD&A (docugami sec-10-q, MIT).
APPLE_MDA_23 = (
    "Total net sales decreased 1% or $1.2 billion during the third quarter of 2023 compared to the same "
    "quarter in 2022 due to lower net sales of Mac and iPhone, partially offset by higher net sales of Services."
)


async def test_a_figure_asked_why_is_stated_with_the_filer_s_own_explanation(harness) -> None:
    from graph_fakes import chunk

    from agent.prompts.common import CANNOT_ANSWER

    h = harness({"draft": [CANNOT_ANSWER]})
    h.resources.facts = _facts()
    h.resources.chunks.append(chunk(APPLE_23, 25, APPLE_MDA_23, 20, item="2"))
    answer = await h.ask("What were Apple's total net sales in Q3 2023, and what drove their change?")
    assert answer.stop_reason == "accepted", answer.text
    drafts = [prompt for role, prompt in h.model.calls if role == "draft"]
    assert drafts and "already states these figures" in drafts[0]
    # Our figure first, then the filing's own sentence, quoted and cited to its page.
    assert answer.text.index("$81,797 million") < answer.text.index(
        "due to lower net sales of Mac and iPhone"
    )
    quoted = next(c for c in answer.claims if "lower net sales of Mac" in c.text)
    assert quoted.verdict == "supported" and quoted.chunk_ids == [f"{APPLE_23.doc_id}::25"]


async def test_the_changes_of_each_item_a_report_names_without_a_model_call(harness) -> None:
    # "What changes in A and B did the Q3 report show?": each item's quarter beside the comparative
    # column its own table prints, with the change, all by our code.
    h = harness({"draft": ["(the model must not be asked)"]})
    income = [
        f.model_copy(
            update={
                "id": f"{f.doc_id}::f9{i}",
                "label": "Operating income",
                "group": "",
                "value": v,
                "text": f"{v:,}",
            }
        )
        for i, (f, v) in enumerate(((_facts()[0], 22_998), (_facts()[2], 23_076)))
    ]
    h.resources.facts = [*_facts(), *income]
    answer = await h.ask(
        "What changes in total net sales and operating income did Apple report in the Q3 2023 10-Q?"
    )
    assert answer.stop_reason == "accepted", answer.text
    assert "draft" not in h.roles() and "judge" not in h.roles()
    text = answer.text
    for earlier, later in (("82,959", "81,797"), ("23,076", "22,998")):
        assert text.index(f"${earlier} million") < text.index(f"${later} million"), text
    assert text.index("81,797") < text.index("23,076")  # the question's order
    changes = [c.result for c in answer.calculations if c.unit == "%"]
    assert changes == [
        pytest.approx((81_797 - 82_959) / 82_959 * 100),
        pytest.approx((22_998 - 23_076) / 23_076 * 100),
    ]
    # Both columns come from the Q3 2023 report's own table, not from the 2022 report.
    assert {o.doc_id for c in answer.calculations for o in c.operands} == {APPLE_23.doc_id}


APPLE_Q2_23 = Doc("0000320193-23-000064", "Apple Inc.", "AAPL", "10-Q", 2023, 2, "2023-04-01")
APPLE_INCOME_Q2_23 = """CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Unaudited)
(In millions, except number of shares, which are reflected in thousands, and per-share amounts)
Three Months Ended April 1, 2023 March 26, 2022
Net sales: Products $ 73,929 $ 77,457 Services 20,907 19,821
Total net sales 94,836 97,278"""


def _three_quarters(h) -> None:
    """A third Apple 10-Q between the two bundled ones, with its statement and facts."""
    q2 = _quarter("2023-04-01", "2022-12-25", 2023).model_copy(update={"fiscal_quarter": 2})
    page = chunk(APPLE_Q2_23, 3, APPLE_INCOME_Q2_23, 3, table=True)
    h.resources.docs.append(APPLE_Q2_23)
    h.resources.chunks.append(page)
    more = [
        _income_fact(APPLE_Q2_23.doc_id, page.id, n, label, q2, value)
        for n, (label, value) in enumerate([("Total net sales", 94_836), ("Services", 20_907)])
    ]
    h.resources.facts = [*_facts(), *more]


async def test_how_a_series_moved_is_said_by_our_code(harness) -> None:
    # Services rose each quarter: said so, from the first figure to the last, each report cited.
    h = harness({"draft": ["(the model must not be asked)"]})
    _three_quarters(h)
    answer = await h.ask("How has Apple's Services revenue changed over the quarters?")
    assert answer.stop_reason == "accepted", answer.text
    assert "draft" not in h.roles() and "judge" not in h.roles()
    assert (
        "Services revenue rose from each period listed to the next, from $19,604 million in the three "
        "months ended June 25, 2022 to $21,213 million in the three months ended July 1, 2023"
    ) in answer.text, answer.text
    assert len({c.doc_id for c in answer.citations}) == 3


async def test_a_series_that_rose_and_fell_is_placed_by_its_highest_and_lowest(harness) -> None:
    h = harness({"draft": ["(the model must not be asked)"]})
    _three_quarters(h)
    answer = await h.ask("How have Apple's total net sales changed over time?")
    assert answer.stop_reason == "accepted", answer.text
    assert "rose from each" not in answer.text and "fell from each" not in answer.text
    assert (
        "highest in the three months ended April 1, 2023 ($94,836 million) and lowest in the three "
        "months ended July 1, 2023 ($81,797 million)"
    ) in answer.text, answer.text


async def test_asked_why_the_rows_that_moved_it_most_are_named(harness) -> None:
    # Products and Services add up to total net sales in each report: the change of each is ours.
    from agent.prompts.common import CANNOT_ANSWER

    h = harness({"draft": [CANNOT_ANSWER]})
    products = [
        fact.model_copy(
            update={"id": f"{fact.doc_id}::f9{n}", "label": "Products", "value": v, "text": f"{v:,}"}
        )
        for n, (fact, v) in enumerate(
            [(_facts()[1], 60_584), (_facts()[4], 63_355)]  # beside each report's own Services row
        )
    ]
    h.resources.facts = [*_facts(), *products]
    answer = await h.ask("How have Apple's total net sales changed over time, and what drove the change?")
    assert answer.stop_reason == "accepted", answer.text
    text = answer.text
    assert (
        "Of the rows that add up to Revenue, the largest change was in Products: from $63,355 "
        "million in the three months ended June 25, 2022 to $60,584 million in the three months ended "
        "July 1, 2023"
    ) in text, text
    assert "The next largest was in Services: from $19,604 million" in text, text
    assert text.index("Products: from") < text.index("Services: from")


async def test_rows_that_do_not_add_up_to_the_item_name_no_driver(harness) -> None:
    from agent.prompts.common import CANNOT_ANSWER

    h = harness({"draft": [CANNOT_ANSWER]})
    h.resources.facts = _facts()  # Services alone does not add up to total net sales
    answer = await h.ask("How have Apple's total net sales changed over time, and what drove the change?")
    assert answer.stop_reason == "accepted", answer.text
    assert "largest change" not in answer.text and "$82,959 million" in answer.text


async def test_when_the_model_writes_nothing_of_why_the_filers_own_cause_is_quoted(harness) -> None:
    from agent.nodes.leads import REST_UNANSWERED
    from agent.prompts.common import CANNOT_ANSWER

    # Apple's MD&A (10-Q for the quarter ended July 1, 2023, page 18) among the filing's passages.
    mda = (
        "Services\nServices net sales increased during the third quarter of 2023 compared to the third "
        "quarter of 2022 due primarily to higher net sales from advertising, cloud services and the App Store."
    )
    other = "The Company's effective tax rate was lower compared to the prior year period."
    filing = [chunk(APPLE_23, 50, mda, 18, item="2")]
    filing += [chunk(APPLE_23, 60 + i, other, 20 + i) for i in range(24)]
    h = harness({"draft": [CANNOT_ANSWER], "judge": ["YES"]})
    h.resources.chunks = [*CHUNKS, *filing]
    h.resources.facts = _facts()
    answer = await h.ask("How has Apple's Services revenue changed over the quarters, and what drove it?")
    assert answer.stop_reason == "accepted", answer.text
    text = answer.text
    assert "$19,604 million" in text and "$21,213 million" in text
    cause = "due primarily to higher net sales from advertising, cloud services and the App Store"
    assert text.index("$21,213 million") < text.index(cause), text
    quoted = next(c for c in answer.citations if c.chunk_id == filing[0].id)
    assert f"[{quoted.n}]" in text[text.index("Services net sales increased") :]
    assert REST_UNANSWERED not in text
    assert any("quoted 1 sentence(s) of the context giving a cause" in f for f in answer.fallbacks)
