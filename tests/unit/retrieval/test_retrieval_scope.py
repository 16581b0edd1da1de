"""Scope parsing on real phrasings (FinanceBench / docugami style) over hand-made index records."""

from __future__ import annotations

import pytest
from retrieval_fakes import record

from agent.retrieval.scope import parse_forms, parse_quarters, parse_years, resolve_scope, scope_filter
from agent.schemas import Scope


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("What is Adobe's year-over-year change in operating income from FY2015 to FY2016?", [2015, 2016]),
        ("Did Pfizer grow its PPNE between FY20 and FY21?", [2020, 2021]),
        ("revenue in fiscal 2022", [2022]),
        ("As of FY2023Q1, why did Pepsico raise full year guidance?", [2023]),
        ("total of $2,022 million and 1,999 employees", []),
        ("What was net income?", []),
    ],
)
def test_parse_years(question: str, years: list[int]) -> None:
    assert parse_years(question) == years


@pytest.mark.parametrize(
    ("question", "quarters"),
    [
        ("In 2022 Q2, which of JPM's business segments had the highest net income?", [2]),
        ("risk in the second fiscal quarter of 2023", [2]),
        ("third quarter revenue", [3]),
        ("As of FY2023Q1, guidance", [1]),
        ("Which debt for MGM in H1 FY2023?", [2]),
        ("annual revenue", []),
    ],
)
def test_parse_quarters(question: str, quarters: list[int]) -> None:
    assert parse_quarters(question) == quarters


def test_parse_forms() -> None:
    assert parse_forms("in its latest annual report") == ["10-K", "10-K/A"]
    assert parse_forms("the 10-Q for Q3") == ["10-Q", "10-Q/A"]
    assert parse_forms("what did the earnings release say") == ["EARNINGS", "8-K"]
    assert parse_forms("operating margin") == []


@pytest.mark.parametrize(
    "question",
    ["What did 3M report?", "MMM revenue", "3M Company's net sales", "the 3m company segments"],
)
def test_company_aliases_3m(documents, question: str) -> None:
    scope = resolve_scope(question, documents)
    assert scope.companies == ["3M Company"]
    assert scope.doc_ids == ["mmm-22"]
    assert scope.source["companies"] == "parsed"


@pytest.mark.parametrize(
    ("question", "company"),
    [
        ("Apple revenue in 2023", "Apple Inc."),
        ("AAPL gross margin 2023", "Apple Inc."),
        ("Apple Inc.'s iPhone sales in 2023", "Apple Inc."),
        ("Did JnJ's net earnings as a percent of sales increase in Q2 of FY2023?", "Johnson & Johnson"),
        ("In 2022 Q2, which of JPM's business segments had the highest net income?", "JPMorgan Chase & Co."),
        ("JP Morgan's VaR in 2022", "JPMorgan Chase & Co."),
        (
            "How much did AMERICAN WATER WORKS pay in dividends for FY2021?",
            "American Water Works Company, Inc.",
        ),
        ("Which debt did MGM hold in H1 FY2023?", "MGM Resorts International"),
        ("What are the geographies that Pepsico primarily operates in as of FY2022?", "PepsiCo, Inc."),
    ],
)
def test_company_names_and_tickers(documents, question: str, company: str) -> None:
    scope = resolve_scope(question, documents)
    assert scope.status == "ok", scope.reason
    assert scope.companies == [company]


def test_renamed_company_keeps_all_its_filings(documents) -> None:
    scope = resolve_scope(
        "What is Block's (formerly known as Square) FY2016 working capital ratio?", documents
    )
    assert scope.status == "ok"
    assert scope.doc_ids == ["sq-16"]
    assert set(scope.companies) == {"Square, Inc.", "Block, Inc."}


def test_generic_first_word_is_not_a_company(documents) -> None:
    scope = resolve_scope("Which American companies grew revenue?", documents)
    assert scope.companies == []


def test_no_company_is_unscoped(documents) -> None:
    scope = resolve_scope("What is a reasonable working capital ratio?", documents)
    assert scope.status == "unscoped"
    assert scope_filter(scope) is None


def test_an_unknown_company_in_the_plural_possessive_fails_closed(documents) -> None:
    scope = resolve_scope("What was Northwind Instruments' total revenue for fiscal 2023?", documents)
    assert scope.status == "no_match" and "Northwind Instruments" in scope.reason
    # A known company's segment in the plural possessive is still that company.
    scope = resolve_scope("What was Amazon Web Services' operating income in 2022?", documents)
    assert scope.status != "no_match", scope


def test_unknown_company_fails_closed(documents) -> None:
    scope = resolve_scope("What was Tesla's revenue in 2022?", documents)
    assert scope.status == "no_match"
    assert "Tesla" in scope.reason and "Apple Inc." in scope.reason
    assert scope_filter(scope) == {"doc_id": []}


def test_two_companies(documents) -> None:
    scope = resolve_scope("Compare Apple's and Amazon's results in 2022", documents)
    assert scope.status == "ok"
    assert set(scope.companies) == {"Apple Inc.", "Amazon.com, Inc."}
    assert scope.doc_ids == ["aapl-22q3", "amzn-22"]


def test_two_companies_one_lacking_the_year_fails_closed(documents) -> None:
    scope = resolve_scope("Compare 3M and Apple in FY2023", documents)
    assert scope.status == "no_match"
    assert "3M Company" in scope.reason and "10-K FY2022" in scope.reason


def test_year_the_index_lacks_fails_closed_listing_holdings(documents) -> None:
    scope = resolve_scope("What was Apple's revenue in fiscal 2015?", documents)
    assert scope.status == "no_match"
    assert scope.doc_ids == []
    assert "10-Q FY2022 Q3" in scope.reason and "10-Q FY2023 Q3" in scope.reason
    assert scope_filter(scope) == {"doc_id": []}


def test_exact_year_preferred_over_comparatives(documents) -> None:
    scope = resolve_scope("Amazon's FY2019 net income", documents)
    assert scope.doc_ids == ["amzn-19"]


def test_missing_year_served_by_a_later_annual_report(documents) -> None:
    scope = resolve_scope(
        "Were there events that substantially increased Pfizer's net income in 2019?", documents
    )
    assert scope.status == "ok"
    assert scope.doc_ids == ["pfe-21"]
    assert "comparative" in scope.reason


def test_quarter_and_bare_year_of_a_10q(documents) -> None:
    scope = resolve_scope("Apple's net sales in the third quarter of 2022", documents)
    assert scope.doc_ids == ["aapl-22q3"]
    assert scope.quarters == [3] and scope.fiscal_years == [2022]


def test_quarter_the_index_lacks_fails_closed(documents) -> None:
    scope = resolve_scope("Apple Q1 2023 revenue", documents)
    assert scope.status == "no_match"
    assert "10-Q FY2023 Q3" in scope.reason


def test_form_type_filters(documents) -> None:
    scope = resolve_scope("What did PepsiCo's 8-K from 2023 say about its credit agreement?", documents)
    assert scope.doc_ids == ["pep-23-8k"]
    annual = resolve_scope("PepsiCo's annual report: restructuring costs", documents)
    assert annual.doc_ids == ["pep-22"]
    missing = resolve_scope("Apple 10-K revenue", documents)
    assert missing.status == "no_match" and "10-Q" in missing.reason


def test_sections_map_to_items_per_form(documents) -> None:
    annual = resolve_scope("Summarise the risk factors in 3M's 10-K", documents)
    assert annual.items == ["1A"]
    mdna = resolve_scope("What does Apple's MD&A say about 2023 Q3 gross margin?", documents)
    assert mdna.items == ["2"]  # MD&A is Item 2 of a 10-Q
    for worded in ("the management discussion", "management's discussion", "the managements discussion"):
        question = f"How does {worded} in Apple's 2023 Q3 10-Q explain its debt?"
        assert resolve_scope(question, documents).items == ["2"], worded
    # The same Item, however the question words it; risks of something else are not the Item.
    for worded in (
        "Outline the risk elements associated with Amazon's business in 2022",
        "What are the main risks facing Amazon's business in 2022?",
        "Which risks to the business did Amazon name in 2022?",
    ):
        assert resolve_scope(worded, documents).items == ["1A"], worded
    assert resolve_scope("What are the risks of Amazon's 2022 debt?", documents).items == []
    # The market risk Item by its usual short name, beside the risk factors it is compared with.
    aligned = resolve_scope(
        "How does Amazon's 2022 discussion on market risk align with its risk factors?", documents
    )
    assert sorted(aligned.items) == ["1A", "7A"]
    literal = resolve_scope("Amazon 2022 Item 7", documents)
    assert scope_filter(literal) == {"doc_id": ["amzn-22"], "item": ["7"]}


def test_follow_up_inherits_unstated_parts(documents) -> None:
    first = resolve_scope("What was Apple's revenue in the third quarter of 2023?", documents)
    follow = resolve_scope("And what about gross margin?", documents, previous=first)
    assert follow.doc_ids == ["aapl-23q3"]
    assert follow.source == {"companies": "inherited", "fiscal_years": "inherited", "quarters": "inherited"}
    other_year = resolve_scope("And in 2022?", documents, previous=first)
    assert other_year.doc_ids == ["aapl-22q3"]
    assert other_year.source["fiscal_years"] == "parsed"


def test_follow_up_switching_company_keeps_period(documents) -> None:
    first = resolve_scope("Amazon's net income in FY2022", documents)
    follow = resolve_scope("And 3M's?", documents, previous=first)
    assert follow.doc_ids == ["mmm-22"]
    assert follow.source["companies"] == "parsed" and follow.source["fiscal_years"] == "inherited"


def test_empty_question_is_rejected(documents) -> None:
    with pytest.raises(ValueError, match="empty question"):
        resolve_scope("  ", documents)


def test_scope_filter_never_widens_an_ok_scope_without_documents() -> None:
    assert scope_filter(Scope(status="ok", companies=["X"])) == {"doc_id": []}


class _ScriptedLLM:
    """Stands in for the planner: returns a fixed structured reply (or raises)."""

    def __init__(self, reply: object) -> None:
        self.reply = reply
        self.prompts: list[str] = []

    def with_structured_output(self, schema: type) -> _ScriptedLLM:
        self.schema = schema
        return self

    def invoke(self, prompt: str) -> object:
        self.prompts.append(prompt)
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.schema.model_validate(self.reply)


def test_llm_fallback_only_when_parsing_finds_no_company(documents) -> None:
    llm = _ScriptedLLM({"company": "Apple Inc."})
    scope = resolve_scope("How did the iPhone maker do in Q3 2023?", documents, llm=llm)
    assert scope.doc_ids == ["aapl-23q3"] and scope.source["companies"] == "llm"
    resolve_scope("Apple in Q3 2023", documents, llm=llm)
    assert len(llm.prompts) == 1  # parsing found Apple: the LLM was not asked


def test_llm_fallback_cannot_invent_a_company(documents) -> None:
    scope = resolve_scope(
        "How did the EV maker do in 2022?", documents, llm=_ScriptedLLM({"company": "Tesla"})
    )
    assert scope.companies == [] and "companies" not in scope.source


def test_llm_fallback_survives_malformed_output(documents) -> None:
    scope = resolve_scope("How did the iPhone maker do?", documents, llm=_ScriptedLLM(ValueError("not JSON")))
    assert scope.status == "unscoped"


def test_latest_filing_of_a_company(documents) -> None:
    scope = resolve_scope("What was the gross margin for Apple in the latest 10-Q report?", documents)
    assert scope.doc_ids == ["aapl-23q3"]
    # The latest filing's own period becomes the asked one, and the answer says which it took.
    assert (scope.fiscal_years, scope.quarters) == ([2023], [3])
    assert scope.source["fiscal_years"] == scope.source["quarters"] == "latest filing"
    assert any("latest filing is the 10-Q FY2023 Q3" in note for note in scope.assumptions), scope.assumptions
    both = resolve_scope("How has Apple's net sales changed over time?", documents)
    assert both.doc_ids == ["aapl-22q3", "aapl-23q3"]
    # "The latest quarter against prior quarters" asks about the earlier reports too.
    prior = resolve_scope(
        "How do Apple's net sales in the latest quarter compare with prior quarters?", documents
    )
    assert prior.doc_ids == ["aapl-22q3", "aapl-23q3"] and not prior.quarters


def test_renamed_company_without_cik_is_one_registrant() -> None:
    from retrieval_fakes import record

    docs = [
        record("adbe-16", "Adobe Systems Incorporated", "10-K", 2016),
        record("adbe-22", "Adobe Inc.", "10-K", 2022),
        record("awk-21", "American Water Works Company, Inc.", "10-K", 2021),
    ]
    assert resolve_scope("Adobe's FY2022 operating margin", docs).doc_ids == ["adbe-22"]
    assert resolve_scope("Adobe Systems operating income FY2016", docs).doc_ids == ["adbe-16"]
    assert resolve_scope("How did Adobe's revenue develop?", docs).doc_ids == ["adbe-16", "adbe-22"]


def test_initials_of_a_name_that_lost_its_ampersand() -> None:
    from retrieval_fakes import record

    docs = [
        record("jnj", "Johnson Johnson", "EARNINGS", 2023, 2),
        record("pep", "Pepsico", "EARNINGS", 2023, 1),
    ]
    scope = resolve_scope("Did JnJ's net earnings as a percent of sales increase in Q2 of FY2023?", docs)
    assert scope.doc_ids == ["jnj"]
    unknown = resolve_scope("Did Tesla's margin rise in 2023?", docs)
    assert unknown.status == "no_match" and unknown.reason.startswith("Tesla is not")


def test_a_mangled_name_starting_with_a_function_word_does_not_make_it_an_alias(documents) -> None:
    from retrieval_fakes import record

    mangled = record("x-18", "For the transition period Nike, Inc.", "10-K", 2018, None, None, None)
    scope = resolve_scope("What is the FY2022 revenue for PepsiCo?", [*documents, mangled])
    assert scope.status == "ok" and scope.companies == ["PepsiCo, Inc."]


def test_a_fiscal_year_named_by_its_start_is_found_by_its_end_date_and_said(documents) -> None:
    """A retailer's fiscal 2022 ends on 28 January 2023: asked for FY2023 with no filing named so,
    the filing whose year ends in 2023 is used and the assumption is stated (issue 18, point 2)."""
    retailer = record("bby-22", "Best Buy Co., Inc.", "10-K", 2022, None, "BBY", "0000764478")
    retailer.period_end = "2023-01-28"
    older = record("bby-21", "Best Buy Co., Inc.", "10-K", 2021, None, "BBY", "0000764478")
    older.period_end = "2022-01-29"
    scope = resolve_scope("What was Best Buy's revenue in FY2023?", [*documents, retailer, older])
    assert scope.status == "ok" and scope.doc_ids == ["bby-22"]
    assert scope.assumptions and "ending 2023-01-28" in scope.assumptions[0]
    # The name wins when a filing carries it.
    assert resolve_scope("Best Buy revenue FY2022", [*documents, retailer, older]).doc_ids == ["bby-22"]
    assert resolve_scope("Best Buy revenue FY2022", [*documents, retailer, older]).assumptions == []
    # A quarter ending in December is not the calendar year's annual report.
    quarter = record("aapl-23q1", "Apple Inc.", "10-Q", 2023, 1, "AAPL", "0000320193")
    quarter.period_end = "2022-12-31"
    assert resolve_scope("Apple's revenue in FY2022", [quarter]).status == "no_match"


def test_initials_of_a_three_word_name_in_capitals_name_the_company() -> None:
    from retrieval_fakes import record

    docs = [
        record("amd", "Advanced Micro Devices, Inc.", "10-K", 2015),
        record("awk", "American Water Works Company, Inc.", "10-K", 2015),
        record("gm", "General Motors Company", "10-K", 2015),
        record("gis", "General Mills, Inc.", "10-K", 2015),
    ]
    assert resolve_scope("What is the FY2015 D&A % margin for AMD?", docs).doc_ids == ["amd"]
    assert resolve_scope("AWW's FY2015 revenue", docs).doc_ids == ["awk"]
    # In lower case it is a word, not a name; two-letter initials ("GM") name nobody.
    assert resolve_scope("what was the amd margin in 2015?", docs).doc_ids != ["amd"]
    assert resolve_scope("GM's FY2015 revenue", docs).doc_ids not in (["gm"], ["gis"])
