"""Questions the graph refuses before any model call (issue 16, point 2): the run ends with stop
reason "invalid question" and a one-line reason, for server and SDK callers as for the CLI."""

from __future__ import annotations

import pytest
from graph_fakes import APPLE_22, APPLE_23

from agent.routing import route_after_scope
from agent.schemas import Scope
from agent.state import State

Q_SALES = "What were Apple's total net sales for the three months ended July 1, 2023?"
GOOD = "Apple's total net sales were $81,797 million for the three months ended July 1, 2023 [c1]."


async def test_over_long_question_is_refused_with_its_length_and_the_limit(harness) -> None:
    h = harness({"draft": [GOOD]})
    answer = await h.ask(Q_SALES + " Please be thorough." * 120)
    assert answer.stop_reason == "invalid question"
    assert "characters long; the limit is 2,000" in answer.text
    # Not an abstention that blames the passages, and no model, search or scope call.
    assert "passages" not in answer.text and not answer.citations
    assert h.roles() == [] and answer.usage.llm_calls == 0 and h.resources.searches == []


async def test_limit_is_a_context_field(harness) -> None:
    h = harness({"draft": [GOOD]})
    answer = await h.ask(Q_SALES, max_question_chars=20)
    assert answer.stop_reason == "invalid question"
    assert f"is {len(Q_SALES)} characters long; the limit is 20" in answer.text


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("Quel était le chiffre d'affaires d'Apple au troisième trimestre 2023 ?", "must be in English"),
        ("   ", "empty"),
        ("What were Apple's \x1b[2J net sales in 2023?", "control characters"),
    ],
)
async def test_other_refusals_cost_no_model_call(harness, question: str, says: str) -> None:
    h = harness({"draft": [GOOD]})
    answer = await h.ask(question)
    assert answer.stop_reason == "invalid question" and says in answer.text
    assert h.roles() == []


async def test_a_refused_question_leaves_the_conversation_as_it_was(harness) -> None:
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
    refused = await h.ask("x" * 3000, thread="t1")
    assert refused.stop_reason == "invalid question"
    # The follow-up still leans on the last answered question, not on the refused one.
    second = await h.ask("And the year before?", thread="t1")
    assert second.scope.doc_ids == [APPLE_22.doc_id]
    assert second.stop_reason == "accepted" and "82,959" in second.text


def test_route_after_scope_sends_a_refusal_to_the_answer() -> None:
    state = State(question="q", refusal="The question is empty.", scope=Scope(status="ok"))
    assert route_after_scope(state) == "finalize_answer"
