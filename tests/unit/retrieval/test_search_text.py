"""A scoped search ranks by the question without the words its filter already enforces."""

from __future__ import annotations

from retrieval_fakes import FakeIndex, make_chunk, record

from agent.config import Context
from agent.retrieval.hybrid import HybridRetriever
from agent.retrieval.scope import resolve_scope
from agent.retrieval.search_text import search_text
from agent.schemas import Scope

DOCS = [
    record("i23", "Intel Corporation", "10-Q", 2023, 2, "INTC"),
    record("a23", "Amazon.com, Inc.", "10-Q", 2023, 2, "AMZN"),
    record("g23", "General Mills, Inc.", "10-K", 2023, None, "GIS"),
]


def _text(question: str) -> str:
    return search_text(question, resolve_scope(question, DOCS), DOCS)


def test_company_form_and_period_words_leave_a_scoped_query() -> None:
    assert (
        _text(
            "Were there any significant acquisitions or divestitures mentioned by Intel in the Q2 2023 10-Q?"
        )
        == "Were there any significant acquisitions or divestitures mentioned by in the?"
    )
    assert _text(
        "What legal proceedings are disclosed in Amazon.com's 10-Qs for the second quarter of 2023?"
    ) == ("What legal proceedings are disclosed in for the?")
    assert _text("How did INTC's gross margin change in fiscal 2023?") == "How did gross margin change in?"


def test_words_that_choose_rows_or_columns_stay() -> None:
    # "six months" picks the year-to-date columns; "general and administrative" is a row, not General Mills.
    assert (
        _text("Amazon net sales for the six months of 2023 by segment")
        == "net sales for the six months of by segment"
    )
    assert _text("General Mills general and administrative expenses in FY2023") == (
        "general and administrative expenses in"
    )


def test_unscoped_or_empty_remainders_keep_the_query() -> None:
    assert search_text("Intel revenue in 2023", Scope(), DOCS) == "Intel revenue in 2023"
    assert search_text("Intel revenue", Scope(status="no_match"), DOCS) == "Intel revenue"
    assert _text("Intel 10-Q Q2 2023") == "Intel 10-Q Q2 2023"


def test_the_hybrid_search_and_its_section_lanes_use_the_search_text() -> None:
    index = FakeIndex(
        [
            make_chunk("i23::0", "i23", "acquisitions tower semiconductor"),
            make_chunk("i23::1", "i23", "intel 2023"),
        ],
        DOCS,
    )
    question = "What acquisitions did Intel report in its Q2 2023 10-Q?"
    scope = resolve_scope(question, DOCS)
    hits = HybridRetriever(index, Context()).search(question, scope)
    assert set(index.queries) == {"What acquisitions did report in its?"}
    assert [h.id for h in hits] == ["i23::0"]
