"""The critic holds a change asked for to the change, not the level before or after it."""

from __future__ import annotations

from agent.critic.change import hold_to_change
from agent.finance.plan import plan_question
from agent.schemas import Claim

AMENDMENT = {
    "c1": (
        "On March 3, 2024, the Company amended its five year revolving credit agreement. The amendment "
        "increased the lenders' commitments from $3,100,000,000 to $3,600,000,000. Borrowings bear interest "
        "at SOFR plus a margin."
    ),
}
GUIDANCE = {
    "c1": (
        "For fiscal 2024 the Company now expects 11 percent core EPS growth (previously 9 percent) and "
        "7 percent organic revenue growth."
    ),
}


def _held(sentence: str, passages: dict[str, str]) -> Claim:
    claim = Claim(text=sentence, chunk_ids=["c1"], numbers=["x"], verdict="supported")
    hold_to_change([claim], passages)
    return claim


def test_plan_reads_a_change_asked() -> None:
    assert plan_question("By how much did Acme increase its revolving credit agreement in 2024?").asks_change
    assert plan_question("By how many percentage points did Acme raise its EPS growth guidance?").asks_change
    assert plan_question("How much did Acme's long-term debt grow during fiscal 2023?").asks_change
    assert not plan_question("How much did Acme spend on capital expenditures in FY2023?").asks_change
    assert not plan_question("What is the total amount Acme may borrow under its agreements?").asks_change
    # A superlative over changes is ranked by our code, not held here.
    assert not plan_question("Which segment had the biggest increase in revenue?").asks_change


def test_the_level_after_the_change_is_sent_back_with_both_levels_named() -> None:
    claim = _held("Acme increased its revolving credit agreement to $3,600,000,000 [c1].", AMENDMENT)
    assert claim.verdict == "unsupported"
    assert "$3,100,000,000, $3,600,000,000" in claim.reason
    assert "CALC(after - before)" in claim.reason
    # The model calling the level a change changes nothing: the passage decides what the figure is.
    assert _held("Acme increased the agreement by $3.6 billion [c1].", AMENDMENT).verdict == "unsupported"


def test_a_guidance_level_is_sent_back() -> None:
    claim = _held("Acme raised its core EPS growth guidance to 11 percent [c1].", GUIDANCE)
    assert claim.verdict == "unsupported"
    assert "11 percent, 9 percent" in claim.reason


def test_the_size_of_a_new_agreement_is_sent_back() -> None:
    # Neither "from" nor "to": the old and the new agreement's sizes are printed as their amounts.
    passages = {
        "c1": (
            "Effective June 1, 2024, Acme terminated the $2,000,000,000 unsecured revolving credit agreement. "
            "On June 1, 2024, Acme entered into a new $2,250,000,000 unsecured revolving credit agreement that "
            "enables it to borrow up to $2,250,000,000."
        )
    }
    claim = _held("Acme increased its revolving credit agreement by $2,250,000,000 [c1].", passages)
    assert claim.verdict == "unsupported"
    assert "$2,000,000,000, $2,250,000,000" in claim.reason


def test_a_printed_change_and_a_calculation_pass() -> None:
    passages = {"c1": "The amendment increased the commitments by $500,000,000 to $3,600,000,000."}
    assert _held("Acme increased the agreement by $500,000,000 [c1].", passages).verdict == "supported"
    passages = {"c1": "Core EPS growth guidance was raised 2 percentage points, to 11 percent."}
    assert _held("Acme raised its guidance by 2 percentage points [c1].", passages).verdict == "supported"
    passages = {"c1": "Acme obtained an additional $250,000,000 of commitments under the agreement."}
    assert _held("Acme increased the agreement by $250,000,000 [c1].", passages).verdict == "supported"
    passages = {"c1": "Net sales rose 12 percent to $4,000,000,000 in 2024."}
    assert _held("Net sales rose 12 percent [c1].", passages).verdict == "supported"
    assert _held("Acme raised its guidance by 2 percentage points [c1].", passages).verdict == "supported"
    claim = Claim(
        text="The increase was $500,000,000 CALC(3,600,000,000 - 3,100,000,000) [c1].",
        chunk_ids=["c1"],
        verdict="calculation",
    )
    hold_to_change([claim], AMENDMENT)
    assert claim.verdict == "calculation"


def test_a_figure_printed_as_neither_is_not_judged() -> None:
    # "7 percent organic revenue growth" is neither before nor after a change.
    assert _held("Acme expects 7 percent organic revenue growth [c1].", GUIDANCE).verdict == "supported"
    passages = {"c1": "Revenue was $2,500,000,000 in fiscal 2023."}
    assert _held("Revenue was $2,500,000,000 [c1].", passages).verdict == "supported"


def test_operands_printed_before_one_scale_word_are_grounded() -> None:
    from agent.critic.operands import calc_operands_grounded

    prose = ["The amendment increased the capacity from $10.0 billion to $15.0 billion."]
    assert calc_operands_grounded("15.0 - 10.0", prose)[0]
    # Digits printed before different scale words, or not at all, are no operands of one calculation.
    mixed = ["Capacity rose from $900 million to $1.5 billion."]
    assert not calc_operands_grounded("1.5 - 900", mixed)[0]
    assert not calc_operands_grounded("15.0 - 7.5", prose)[0]


def test_a_line_of_prose_is_no_table_row() -> None:
    from agent.critic.rows import wrong_row

    # Its first figure comes early ("In November 2022"), but the words go on after it: no row label.
    prose = ["In November 2022, we amended the facility from $10.0 billion to $15.0 billion and extended it."]
    assert wrong_row("Acme increased its revolving credit facility to $15.0 billion.", prose) == ""
    table = ["Revolving credit facility 10.0 15.0"]
    assert "is on the row 'Revolving credit facility'" in wrong_row("Acme's term loan was 15.0.", table)


def test_a_relative_change_is_no_change_in_percentage_points() -> None:
    from agent.critic.change import relative_change

    assert plan_question("By how many percentage points did Acme's gross margin change in 2024?").points
    assert plan_question("How many basis points did the rate rise?").points
    assert not plan_question("By how much did Acme's revenue grow in 2024?").points
    reason = relative_change("(11 - 9) / 9 * 100")
    assert "CALC(11 - 9)" in reason and "relative change" in reason
    assert relative_change("11 - 9") == ""
    # A difference of two computed margins is a change in points, not a relative change.
    assert relative_change("(450 / 1,000 * 100) - (400 / 1,000 * 100)") == ""


OUTLOOK = (
    "Given our results, we now expect full-year organic revenue to increase 8 percent (previously 6 percent) "
    "and core EPS to increase 9 percent (previously 8 percent)."
)


def test_printed_changes_pair_the_amounts_before_and_after_with_what_changed() -> None:
    from agent.critic.change import printed_changes

    found = printed_changes(
        OUTLOOK
        + " Backlog rose to $3.4 billion from $3.1 billion, while margin fell from 12% to $2. Sales grew from 2021 to 2022."
    )
    pairs = [(c.subject, c.before.raw, c.after.raw) for c in found]
    assert pairs == [
        ("we now expect full-year organic revenue to increase", "6 percent", "8 percent"),
        ("core EPS to increase", "8 percent", "9 percent"),
        ("Backlog rose", "$3.1 billion", "$3.4 billion"),
    ]  # "from 12% to $2" pairs a percentage with money, "from 2021 to 2022" two years: no change


def test_the_asked_change_is_the_one_whose_clause_names_the_question() -> None:
    from agent.critic.change import asked_change

    passages = [("c1", OUTLOOK)]
    found = asked_change(
        "By how many points did Initech raise its core EPS growth outlook?", {"initech"}, passages
    )
    assert found is not None and (found[0].before.raw, found[0].after.raw, found[1]) == (
        "8 percent",
        "9 percent",
        ["c1"],
    )
    assert asked_change("By how much did Initech raise its dividend?", {"initech"}, passages) is None
    # Two different changes that name the question equally: neither is picked.
    both = [("c1", "Core EPS rose from $1.10 to $1.20."), ("c2", "Core EPS rose from $2.10 to $2.40.")]
    assert asked_change("By how much did core EPS rise?", set(), both) is None


def test_a_new_amount_and_the_one_it_replaced_are_paired_across_one_filings_passages() -> None:
    """An 8-K ends one facility and enters a new one of the same name, in two passages; a facility
    of another name beside them is another thing."""
    from agent.critic.change import asked_change

    ended = (
        "Effective March 3, 2024, Initech terminated the $2,500,000,000 three year senior credit facility, dated "
        "as of March 1, 2021. It also terminated the $900,000,000 term loan facility."
    )
    entered = (
        "On March 3, 2024, Initech entered into a new $3,000,000,000 three year senior credit facility (the "
        "Facility) among Initech and the lenders, and a new $700,000,000 term loan facility, with the lenders."
    )
    passages = [("c1", ended), ("c2", entered)]
    found = asked_change(
        "By how much did Initech increase its three year senior credit facility?",
        {"initech"},
        passages,
        [["c1", "c2"]],
    )
    assert found is not None
    change, cited = found
    assert (change.subject, change.before.raw, change.after.raw, cited) == (
        "three year senior credit facility",
        "$2,500,000,000",
        "$3,000,000,000",
        ["c1", "c2"],
    )
    # Not paired across filings.
    assert asked_change("By how much did Initech increase its three year senior credit facility?", {"initech"},
                        passages, [["c1"], ["c2"]]) is None  # fmt: skip
