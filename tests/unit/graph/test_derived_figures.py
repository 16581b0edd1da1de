"""Derived figures (margins, growth, averages, ratios) offered to the drafter as CALC expressions
over operands located in real statement tables (Best Buy's FY2017 10-K, pypdf layout text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.critic.calc import evaluate
from agent.critic.check import check_draft
from agent.critic.restore import parse_derived, restore_calculations
from agent.finance.derived import (
    ITEMS,
    asked_metric,
    derived_figures,
    implied_rows,
    named_items,
    normalise_label,
)
from agent.finance.figures import figure_candidates
from agent.schemas import Chunk, ChunkMetadata

TEXT = Path(__file__).with_name("bestbuy_10k_2017_statements.txt").read_text()
# Balance sheet, statement of earnings, statement of cash flows: one passage each.
PAGES = ["Table of Contents\n" + p for p in TEXT.split("Table of Contents\n")[1:]]


def _chunks(company: str = "Best Buy Co., Inc.") -> list[Chunk]:
    return [
        Chunk(
            id=f"bby::{i}",
            text=page,
            metadata=ChunkMetadata(
                doc_id="bby", source_path="/bby.pdf", company=company, page=55 + i, chunk_index=i
            ),
        )
        for i, page in enumerate(PAGES)
    ]


def _calc(line: str) -> float:
    """The value of the line's 'CALC(...)' ('... = CALC(expr)% (from ...)')."""
    expression = line.split("= CALC(", 1)[1].split(" (from ", 1)[0].rstrip("%")[:-1]
    result = evaluate(expression).result
    assert result is not None, line
    return result


@pytest.mark.parametrize(
    ("question", "expected", "alias"),
    [
        ("What is Best Buy's FY2017 operating margin?", 1854 / 39403 * 100, "[c2]"),
        (
            "What is the FY2015 - FY2017 3 year average operating income % margin for Best Buy?",
            (1450 / 40339 + 1375 / 39528 + 1854 / 39403) / 3 * 100,
            "[c2]",
        ),
        ("What was Best Buy's revenue growth from FY2016 to FY2017?", (39403 - 39528) / 39528 * 100, "[c2]"),
        ("What is Best Buy's FY2017 working capital ratio?", 10516 / 7122, "[c1]"),
        ("What is the FY2016 gross margin for Best Buy?", 9191 / 39528 * 100, "[c2]"),
        ("What is the FY2017 dividend payout ratio for Best Buy?", 505 / 1228 * 100, "[c3][c2]"),
        ("FY2017 cost of goods sold as a % of revenue for Best Buy", 29963 / 39403 * 100, "[c2]"),
        (
            "What is the 3 year average effective tax rate for Best Buy in FY2017?",
            (141 / 1387 + 503 / 1310 + 609 / 1816) / 3 * 100,
            "[c2]",
        ),
    ],
)
def test_derived_figure_from_the_rows_and_year_columns_a_definition_names(
    question: str, expected: float, alias: str
) -> None:
    lines = derived_figures(question, _chunks())
    assert len(lines) == 1, lines
    assert lines[0].startswith(alias + " ")
    assert _calc(lines[0]) == pytest.approx(expected, rel=1e-9)
    # Stated as a sentence (the draft node's fallback when the model's figure was wrong), the
    # calculation passes the critic: operands grounded in the cited passages, on the defined rows.
    chunks = _chunks()
    [calc] = parse_derived(lines)
    aliases = {f"c{i}": c.id for i, c in enumerate(chunks, start=1)}
    context = {c.id: c for c in chunks}
    [claim] = check_draft(calc.sentence(), aliases, context, set(context)).claims
    assert claim.verdict == "calculation", (calc.sentence(), claim.reason)


def test_no_candidate_when_an_operand_is_missing_or_the_convention_is_ambiguous() -> None:
    chunks = _chunks()
    # Days payable outstanding depends on averaging and day-count conventions: not guessed.
    assert asked_metric("What is FY2017 days payable outstanding for Best Buy?") is None
    # A year the tables do not print.
    assert derived_figures("What is Best Buy's FY2012 operating margin?", chunks) == []
    # An average needs every year of its span.
    assert derived_figures("What is the FY2013 - FY2017 average operating margin?", chunks) == []
    # A plain lookup or a narrative question is left to the figure matcher.
    assert derived_figures("What does Best Buy say about competition in FY2017?", chunks) == []


def test_operands_come_only_from_the_companies_a_sub_question_names() -> None:
    chunks = _chunks()
    assert derived_figures("Best Buy FY2017 operating margin", chunks, companies=["Other Corp"]) == []
    lines = figure_candidates([("Best Buy FY2017 operating margin", ["Best Buy Co., Inc."])], chunks)
    assert lines[0].startswith("[c2] operating margin, 2017 = CALC(1,854 / 39,403 * 100)%")
    # A question asking what drove a change wants reasons, not a computed growth rate.
    assert derived_figures("What drove the increase in Best Buy's revenue in FY2017?", chunks)
    assert figure_candidates([("What drove the increase in Best Buy's revenue in FY2017?", [])], chunks) == []


def test_critic_accepts_the_definition_rows_and_still_rejects_other_rows() -> None:
    chunks = _chunks()
    aliases = {f"c{i}": c.id for i, c in enumerate(chunks, start=1)}
    context = {c.id: c for c in chunks}
    line = derived_figures("What is Best Buy's FY2017 operating margin?", chunks)[0]
    calc = "CALC(" + line.split("= CALC(", 1)[1].split(")%", 1)[0] + ")"
    good = check_draft(
        f"Best Buy's FY2017 operating margin was {calc}% [c2].", aliases, context, set(context)
    ).claims
    assert [c.verdict for c in good] == ["calculation"]
    assert good[0].text.startswith("Best Buy's FY2017 operating margin was 4.71%")
    # Net earnings is not part of an operating margin: the row check still applies to it.
    bad = check_draft(
        "Best Buy's FY2017 operating margin was CALC(1,228 / 39,403 * 100)% [c2].",
        aliases,
        context,
        set(context),
    ).claims
    assert bad[0].verdict == "unsupported" and "1,228" in bad[0].reason
    assert len(implied_rows("the operating margin")) == 2
    assert len(implied_rows("Best Buy's revenue in 2017")) == 1 and not implied_rows("the outlook for 2018")


CASH_FLOWS = """Consolidated Statements of Cash Flows (in millions)
Year Ended December 31, 2022 2021
Net cash provided by operating activities 4,112 3,950
Purchases of property and equipment (1,577) (1,210)"""


def test_line_items_named_by_their_common_name_are_found_and_accepted_by_the_critic() -> None:
    chunk = Chunk(
        id="x::0", text=CASH_FLOWS, metadata=ChunkMetadata(doc_id="x", source_path="/x.pdf", company="X Corp")
    )
    lines = derived_figures("What was X's capital expenditure in FY2022?", [chunk])
    assert lines == ["[c1] capital expenditure (Purchases of property and equipment), 2022 = (1,577)"]
    free = derived_figures("What was X's FY2022 free cash flow?", [chunk])
    assert _calc(free[0]) == 4112 - 1577
    context = {chunk.id: chunk}
    claims = check_draft(
        "X's capital expenditures in 2022 were $1,577 million [c1].", {"c1": chunk.id}, context, {chunk.id}
    ).claims
    assert [c.verdict for c in claims] == ["supported"]
    # A figure from another row is still caught, common name or not.
    claims = check_draft(
        "X's capital expenditures in 2022 were $4,112 million [c1].", {"c1": chunk.id}, context, {chunk.id}
    ).claims
    assert claims[0].verdict == "unsupported"


def test_statement_passages_move_to_the_front_for_metric_questions_only() -> None:
    from agent.retrieval.statements import promote_statements
    from agent.schemas import ScoredChunk

    chunks = _chunks()
    prose = Chunk(
        id="bby::prose",
        text="Our operating margin improved as revenue grew in fiscal 2017.",
        metadata=chunks[0].metadata,
    )
    ranked = [ScoredChunk(chunk=c, score=1.0) for c in (prose, chunks[0], chunks[2], chunks[1])]
    question = "What is the FY2015 - FY2017 3 year average operating margin for Best Buy?"
    # The statement of earnings prints both operands (operating income, revenue) for the years.
    assert [c.id for c in promote_statements(question, ranked, 3)] == ["bby::1", "bby::prose", "bby::0"]
    unchanged = promote_statements("What does Best Buy say about competition?", ranked, 3)
    assert [c.id for c in unchanged] == ["bby::prose", "bby::0", "bby::2"]


def test_promotion_covers_the_items_of_two_statements_and_skips_cash_flow_changes() -> None:
    from agent.retrieval.statements import promote_statements
    from agent.schemas import ScoredChunk

    balance, earnings, cash_flows = _chunks()
    prose = Chunk(id="bby::prose", text="Payables rose with inventory.", metadata=balance.metadata)
    ranked = [ScoredChunk(chunk=c, score=1.0) for c in (cash_flows, prose, earnings, balance)]
    question = (
        "What is Best Buy's FY2017 days payable outstanding, from accounts payable and cost of goods sold?"
    )
    # Payables are a balance: the cash-flow row "Accounts payable 518" is the year's change.
    assert [c.id for c in promote_statements(question, ranked, 3)] == ["bby::1", "bby::0", "bby::2"]


def test_a_statement_half_that_lacks_the_rows_brings_in_its_neighbour() -> None:
    from agent.retrieval.statements import neighbour_ids, promote_statements
    from agent.schemas import ScoredChunk

    earnings = _chunks()[1]
    head_text, tail_text = earnings.text.split("Gain (loss) from discontinued operations")
    header = "\n".join(earnings.text.splitlines()[:4])
    meta = earnings.metadata
    head = Chunk(id="bby::7", text=head_text, metadata=meta.model_copy(update={"chunk_index": 7}))
    tail = Chunk(
        id="bby::8",
        text=header + "\nGain (loss) from discontinued operations" + tail_text,
        metadata=meta.model_copy(update={"chunk_index": 8}),
    )
    prose = Chunk(
        id="bby::20", text="Operating margin grew.", metadata=meta.model_copy(update={"chunk_index": 20})
    )
    ranked = [ScoredChunk(chunk=c, score=1.0) for c in (prose, tail)]
    store = {c.id: c for c in (head, tail, prose)}
    asked: list[list[str]] = []

    def lookup(ids: list[str]) -> list[Chunk]:
        asked.append(ids)
        return [store[i] for i in ids if i in store]

    question = "What is Best Buy's FY2017 operating margin?"
    assert neighbour_ids(tail) == ["bby::6", "bby::7", "bby::9", "bby::10"]
    assert [c.id for c in promote_statements(question, ranked, 2)] == ["bby::20", "bby::8"]
    promoted = promote_statements(question, ranked, 2, neighbours=lookup)
    assert [c.id for c in promoted] == ["bby::7", "bby::20"]
    assert promoted[0].stage_scores["neighbour_of"] == 8
    assert "bby::21" in asked[0] and "bby::8" not in asked[0]  # known candidates are not fetched
    # A question naming no line item reads no neighbours.
    calls = len(asked)
    assert (
        promote_statements("What does Best Buy say about competition?", ranked, 2, neighbours=lookup)
        == ranked
    )
    assert len(asked) == calls
    # A neighbour that prints nothing asked never enters the context.
    assert [
        c.id
        for c in promote_statements("What is Best Buy's FY2017 quick ratio?", ranked, 2, neighbours=lookup)
    ] == [
        "bby::20",
        "bby::8",
    ]


def test_re_retrieval_also_searches_for_the_rows_a_metric_is_computed_from() -> None:
    from agent.nodes.rewrite import rewrite
    from agent.schemas import Scope

    scope = Scope(companies=["Best Buy Co., Inc."], fiscal_years=[2017], doc_ids=["bby"], status="ok")
    queries = rewrite("What is Best Buy's FY2017 EBITDA margin?", scope, 2)
    assert queries[-1] == "Best Buy Co., Inc. 2017 depreciation and amortization operating income revenue"
    assert len(rewrite("What does Best Buy say about competition?", scope, 2)) == 1


def test_the_second_look_searches_the_topic_without_the_one_filers_and_forms_names() -> None:
    from agent.nodes.rewrite import rewrite
    from agent.schemas import Scope

    scope = Scope(companies=["Amazon.com, Inc."], fiscal_years=[2023], doc_ids=["amzn"], status="ok")
    question = "Does Amazon report any significant new business acquisitions or divestitures in these 10-Qs?"
    assert rewrite(question, scope, 2) == ["significant new business acquisitions divestitures"]
    # Several filers in scope: their names pick the passages, so the query keeps them.
    two = Scope(companies=["Apple Inc.", "Amazon.com, Inc."], doc_ids=["a", "b"], status="ok")
    assert rewrite("Compare Apple's and Amazon's acquisitions", two, 2) == [
        "Apple Inc. Compare Apple's Amazon's acquisitions"
    ]


SEGMENTS = """Year Ended December 31,
2021 | 2022
North America
Net sales | $279,833 | $315,880
Consolidated
Net sales | $469,822 | $513,983
Purchases of property and equipment | (61,053) | (63,645)"""


def test_segment_rows_are_not_company_totals_and_rows_the_question_names_are_left_to_the_matcher() -> None:
    from agent.finance.derived import normalise_label

    assert normalise_label("North America: Net sales") == "North America: Net sales"
    assert normalise_label("Consolidated: Net sales") == "Net sales"
    assert normalise_label("Operating Activities: Net income (loss)") == "Net income"
    chunk = Chunk(
        id="a::0", text=SEGMENTS, metadata=ChunkMetadata(doc_id="a", source_path="/a.htm", company="A")
    )
    # "net sales" is printed as asked: the figure matcher lists it, not the line-item lookup.
    assert derived_figures("What were A's total net sales for 2022?", [chunk]) == []
    assert derived_figures("What was A's capex in 2022?", [chunk]) == [
        "[c1] capital expenditure (Consolidated: Purchases of property and equipment), 2022 = (63,645)"
    ]
    assert _calc(derived_figures("A's revenue growth from 2021 to 2022", [chunk])[0]) == pytest.approx(
        (513983 - 469822) / 469822 * 100
    )


def test_losses_stay_negative_and_outflows_keep_their_size() -> None:
    from agent.finance.derived import Operand

    assert Operand("operating_income", 2022, "Operating income (loss)", "(265)", 1).number == "-265"
    assert Operand("capex", 2022, "Purchases of property and equipment", "(1,577)", 1).number == "1,577"
    assert Operand("revenue", 2022, "Revenue", "$ 39,403", 1).number == "39,403"
    assert evaluate("-265 / 1,000 * 100").result == pytest.approx(-26.5)


def test_questions_asking_for_reasons_keep_their_prose_ranking() -> None:
    from agent.retrieval.statements import promote_statements
    from agent.schemas import ScoredChunk

    ranked = [ScoredChunk(chunk=c, score=1.0) for c in reversed(_chunks())]
    question = "What drove the increase in Best Buy's revenue in FY2017?"
    assert [c.id for c in promote_statements(question, ranked, 3)] == [c.id for c in ranked]


def test_a_copied_figure_is_not_a_margin_because_margins_are_defined_over_its_row() -> None:
    chunks = _chunks()
    aliases = {f"c{i}": c.id for i, c in enumerate(chunks, start=1)}
    context = {c.id: c for c in chunks}
    claims = check_draft(
        "Best Buy's FY2017 net margin was 39,403 [c2].", aliases, context, set(context)
    ).claims
    assert claims[0].verdict == "unsupported"


def test_a_drafted_result_is_read_back_as_the_listed_calculation_it_equals() -> None:
    chunks = _chunks()
    aliases = {f"c{i}": c.id for i, c in enumerate(chunks, start=1)}
    context = {c.id: c for c in chunks}
    texts = [c.text for c in chunks]
    lines = derived_figures("What was Best Buy's revenue growth from FY2016 to FY2017?", chunks)
    [calc] = parse_derived(lines)
    assert calc.aliases == ("c2",) and calc.percent
    assert calc.result == pytest.approx((39403 - 39528) / 39528 * 100)
    # Written to two decimals, uncited: put back as the CALC with its passage id, then checked.
    draft, notes = restore_calculations(
        "Best Buy's revenue declined 0.32% from FY2016 to FY2017.", [calc], texts
    )
    assert (
        draft == f"Best Buy's revenue declined CALC({calc.expression})% [c2] from FY2016 to FY2017." and notes
    )
    [claim] = check_draft(draft, aliases, context, set(context)).claims
    assert claim.verdict == "calculation" and "0.32%" in claim.text
    # A sum in the table's units, written with "$" and "million": only the digits become the CALC.
    [capital] = parse_derived(derived_figures("What is Best Buy's FY2017 working capital?", chunks))
    draft, _ = restore_calculations("Best Buy's FY2017 working capital was $3,394 million.", [capital], texts)
    assert draft == f"Best Buy's FY2017 working capital was $CALC({capital.expression}) million [c1]."
    [claim] = check_draft(draft, aliases, context, set(context)).claims
    assert claim.verdict == "calculation" and "$3,394 million" in claim.text
    # A figure that is not the result, a figure the filing prints, a ratio for a percent: untouched.
    for sentence in (
        "Best Buy's revenue declined 0.41% from FY2016 to FY2017 [c2].",
        "Best Buy's revenue was $39,403 million in FY2017 [c2].",
        "Best Buy's revenue changed by -0.32 from FY2016 to FY2017 [c2].",
    ):
        assert restore_calculations(sentence, [calc], texts) == (sentence, [])


@pytest.mark.parametrize(
    ("label", "capex"),
    [
        ("Purchases of land, buildings, and equipment", True),
        ("Additions to property, plant and equipment", True),
        ("Payments for property, plant and equipment", True),
        ("Capital spending", True),
        ("Proceeds from disposal of land, buildings, and equipment", False),
        ("Acquisitions of businesses, net of cash acquired", False),
    ],
)
def test_capital_expenditure_is_read_under_the_names_cash_flow_statements_print(
    label: str, capex: bool
) -> None:
    assert bool(ITEMS["capex"].rows.fullmatch(normalise_label(label))) is capex


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("What is the FY2020 free cash flow (FCF) for General Mills?", "free cash flow"),
        ("What was the company's free cashflow in FY2021?", "free cash flow"),
        # Conversion, yield and margin divide free cash flow by something whose choice varies.
        ("Does the company have an improving free cashflow conversion as of FY2022?", None),
        ("What is the FY2022 FCF yield?", None),
        ("Did the company grow its PP&E between FY20 and FY21?", "property, plant and equipment growth"),
    ],
)
def test_metric_names_in_their_common_spellings(question: str, metric: str | None) -> None:
    found = asked_metric(question)
    assert (found.name if found else None) == metric


def test_net_property_plant_and_equipment_rows_are_not_capital_expenditure() -> None:
    for label in (
        "Property, plant and equipment, net",
        "Property and equipment, net",
        "Net property, plant and equipment",
    ):
        assert ITEMS["ppe"].rows.fullmatch(normalise_label(label))
        assert not ITEMS["capex"].rows.fullmatch(normalise_label(label))
    assert [i.key for i in named_items("capital expenditures on property, plant and equipment")] == [
        "capex",
        "ppe",
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Did the company grow its PPNE between FY20 and FY21?", "ppe"),
        ("net PP&E at year end", "ppe"),
        ("average accounts payable between FY2017 and FY2018", "accounts_payable"),
        ("trade receivables at the end of FY2022", "accounts_receivable"),
    ],
)
def test_common_names_and_abbreviations_name_their_line_items(text: str, key: str) -> None:
    assert [i.key for i in named_items(text)] == [key]


def test_balances_are_read_from_dated_columns_not_from_a_years_change() -> None:
    balance, _earnings, cash_flows = _chunks()
    # Cash flows first in the context: its "Merchandise inventories 193" is the year's change.
    lines = derived_figures("What is Best Buy's FY2017 quick ratio?", [cash_flows, balance])
    assert len(lines) == 1 and "[c2]" in lines[0] and "[c1]" not in lines[0]
    assert _calc(lines[0]) == pytest.approx((10516 - 4864) / 7122)


# Corning's 2020 income statement (pypdf layout text): the years sit on the units line.
CORNING = """Consolidated Statements of Income Corning Incorporated and Subsidiary Companies
Year ended December 31,
(In millions, except per share amounts) 2020 2019 2018
Net sales $ 11,303 $ 11,503 $ 11,290
Cost of sales 7,772 7,468 6,829
Gross margin 3,531 4,035 4,461
Operating income 509 1,306 1,575
Income before income taxes 623 1,216 1,503"""


def test_an_average_over_a_span_of_years_may_use_the_years_inside_the_span() -> None:
    chunk = Chunk(
        id="glw::244",
        text=CORNING,
        metadata=ChunkMetadata(doc_id="glw", source_path="/glw.pdf", company="Corning", page=69),
    )
    [line] = derived_figures("What is Corning's FY2018 - FY2020 3 year average operating margin?", [chunk])
    [calc] = parse_derived([line])
    assert "2018-2020 average" in calc.sentence()
    [claim] = check_draft(calc.sentence(), {"c1": chunk.id}, {chunk.id: chunk}, {chunk.id}).claims
    assert claim.verdict == "calculation", claim.reason
    assert _calc(line) == pytest.approx((1575 / 11290 + 1306 / 11503 + 509 / 11303) / 3 * 100)
    # A change from one year to another uses no year in between.
    [claim] = check_draft(
        "Operating income changed from 2018 to 2020 by CALC((1,306 - 1,575) / 1,575 * 100)% [c1].",
        {"c1": chunk.id},
        {chunk.id: chunk},
        {chunk.id},
    ).claims
    assert claim.verdict == "unsupported" and "2019 column" in claim.reason


def test_an_own_calculation_of_a_listed_metric_must_agree_with_the_listed_one() -> None:
    chunk = Chunk(
        id="glw::244",
        text=CORNING,
        metadata=ChunkMetadata(doc_id="glw", source_path="/glw.pdf", company="Corning", page=69),
    )
    ids = ({"c1": chunk.id}, {chunk.id: chunk}, {chunk.id})
    question = "What is Corning's FY2018 - FY2020 3 year average operating margin?"
    derived = parse_derived(derived_figures(question, [chunk]))
    # Grounded operands on the right rows, but summed and never averaged: three times too large.
    wrong = (
        "The FY2018 - FY2020 3 year average operating margin is "
        "CALC((1,575 / 11,290 + 1,306 / 11,503 + 509 / 11,303) * 100)% [c1]."
    )
    [claim] = check_draft(wrong, *ids).claims
    assert claim.verdict == "calculation"  # nothing to compare with: the operands alone pass
    [claim] = check_draft(wrong, *ids, derived).claims
    assert claim.verdict == "unsupported" and "2018-2020 average is CALC(" in claim.reason
    assert claim.reason.startswith("CALC gives 29.81%") and claim.reason.endswith("= 9.94%")
    # The same metric written another way, with the same result, agrees with the listed one.
    right = (
        "The FY2018 - FY2020 3 year average operating margin is "
        "CALC((1,575 / 11,290 * 100 + 1,306 / 11,503 * 100 + 509 / 11,303 * 100) / 3)% [c1]."
    )
    [claim] = check_draft(right, *ids, derived).claims
    assert claim.verdict == "calculation", claim.reason
    # A decline written as a positive size agrees with the listed (negative) growth.
    [growth] = parse_derived(
        derived_figures("What was Corning's operating income growth from 2019 to 2020?", [chunk])
    )
    declined = "Operating income declined by CALC((1,306 - 509) / 1,306 * 100)% from 2019 to 2020 [c1]."
    [claim] = check_draft(declined, *ids, [growth]).claims
    assert growth.result < 0 and claim.verdict == "calculation", claim.reason
    # Another period than the listed one is not compared: the listing says nothing about it.
    other = "Corning's 2020 operating margin is CALC(509 / 11,303 * 100)% [c1]."
    [claim] = check_draft(other, *ids, derived).claims
    assert claim.verdict == "calculation", claim.reason
