"""A definition the question spells out is read whole into terms over line items, or not at all.
The wordings are our own (no evaluation question is copied here)."""

from __future__ import annotations

import pytest

from agent.finance.formula import Term, read_formula


def test_ratio_of_two_items() -> None:
    f = read_formula(
        "What was the quick ratio of Acme in FY2020? Quick ratio here is defined as: "
        "(total current assets - inventories) / total current liabilities. Round to two decimals."
    )
    assert f is not None and f.name == "Quick ratio"
    assert [t.item.key for t in f.terms()] == ["current_assets", "inventory", "current_liabilities"]
    assert f.tokens[0] == "(" and "-" in f.tokens and "/" in f.tokens


def test_averages_changes_years_and_constants() -> None:
    f = read_formula(
        "Days inventory outstanding is defined as: 365 * (average inventories between FY2020 and FY2021) "
        "/ (FY2021 cost of goods sold + change in accounts payable between FY2020 and FY2021)."
    )
    assert f is not None
    assert f.tokens[0] == 365.0
    terms = f.terms()
    assert terms[0] == Term(terms[0].item, "average", (2020, 2021)) and terms[0].item.key == "inventory"
    assert (terms[1].item.key, terms[1].kind, terms[1].years) == ("cogs", "value", (2021,))
    assert (terms[2].item.key, terms[2].kind, terms[2].years) == ("accounts_payable", "change", (2020, 2021))


def test_operators_in_words_and_the_define_imperative() -> None:
    f = read_formula("Define net debt cover as cash from operations divided by total current liabilities.")
    assert f is not None and f.name == "net debt cover"
    assert f.words() == "cash from operations / total current liabilities"
    g = read_formula("Define spare cash as cash from operations less capital expenditures.")
    assert g is not None and [t.item.key for t in g.terms()] == ["cfo", "capex"] and "-" in g.tokens


@pytest.mark.parametrize(
    "question",
    [
        "What was Acme's revenue in FY2021?",  # no definition
        "Leverage is defined as: total debt / total equity.",  # items not in the vocabulary
        "Coverage is defined as: total non-current assets / total current liabilities.",  # 'non-' left over
        "Cash burn is defined as: cash from operations / total current liabilities of the parent.",  # leftover
        "X is defined as: average inventories between FY2022 and FY2021 / revenue.",  # years reversed
    ],
)
def test_a_definition_not_read_whole_gives_none(question: str) -> None:
    assert read_formula(question) is None


def test_a_definition_right_after_the_question_mark_starts_its_own_sentence() -> None:
    from agent.finance.formula import read_formula

    question = (
        "What is the FY2020 free cash flow (FCF) for Acme? FCF here is defined as: "
        "(cash from operations - capex). Answer in USD millions."
    )
    formula = read_formula(question)
    assert formula is not None and question[formula.start :].strip().startswith("FCF here is defined")
    assert "FY2020" in question[: formula.start]  # the question's own year stays the question's
