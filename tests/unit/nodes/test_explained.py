"""The filer's own sentence explaining a line item's change, found by its grammar and its figures."""

from __future__ import annotations

import pytest

from agent.nodes.explained import explanation, item_explanations, line_names, outlook
from agent.schemas import Chunk, ChunkMetadata, Fact, FactPeriod, StandIn

# Microsoft's 10-Q for the quarter ended September 30, 2022 (docugami sec-10-q, MIT): MD&A.
MSFT_MDA = (
    "Three Months Ended September 30, 2022 Compared with Three Months Ended September 30, 2021 "
    "Research and development expenses increased $1.0 billion or 18% driven by investments in cloud "
    "engineering and LinkedIn. Interest expense decreased due to a decrease in outstanding long-term "
    "debt due to debt maturities."
)
# Intel's 10-Q for the quarter ended October 1, 2022: a segment's discussion (Mobileye), and the
# company's own line.
INTC_SEGMENT = (
    "Mobileye Revenue was $1.3 billion, up $274 million from YTD 2021 primarily driven by higher "
    "demand for EyeQ products. Operating income was $142 million, up $15 million from Q3 2021, "
    "primarily due to higher revenue."
)


@pytest.mark.parametrize(
    ("sentence", "item", "quoted"),
    [
        # The item is the subject after the period the discussion compares; the quote starts at it.
        (
            "Three Months Ended September 30, 2022 Compared with Three Months Ended September 30, 2021 "
            "Research and development expenses increased $1.0 billion or 18% driven by investments in cloud "
            "engineering and LinkedIn.",
            "r_and_d",
            "Research and development expenses increased $1.0 billion or 18% driven by investments in cloud "
            "engineering and LinkedIn.",
        ),
        (
            "Our inventories increased by $1.2 billion due to higher purchases of components.",
            "inventory",
            "Our inventories increased by $1.2 billion due to higher purchases of components.",
        ),
        # The item is the cause, not what changed.
        (
            "Cash provided by operating activities increased, primarily due to lower inventory.",
            "inventory",
            "",
        ),
        # The item is part of another subject: a segment's revenue, a longer line item.
        ("Gaming revenue was down 51% from a year ago, reflecting lower sell-in to partners.", "revenue", ""),
        (
            "Sales, general and administrative expense increases were primarily driven by compensation.",
            "revenue",
            "",
        ),
        # No cause, or no change.
        ("Revenue increased $4.8 billion or 11% in the quarter.", "revenue", ""),
        ("Inventories are stated at the lower of cost and net realizable value due to ...", "inventory", ""),
    ],
)
def test_an_explanation_has_the_item_as_subject_a_change_and_a_cause(
    sentence: str, item: str, quoted: str
) -> None:
    assert explanation(sentence, item) == quoted


def _chunk(cid: str, doc: str, text: str) -> Chunk:
    return Chunk(id=cid, text=text, metadata=ChunkMetadata(doc_id=doc, source_path=f"/docs/{doc}.pdf"))


def _fact(doc: str, label: str, value: float, n: int, end: str, months: int = 3) -> Fact:
    """A figure of the filing's income statement (one table) for the ``months`` ended ``end``."""
    return Fact(
        id=f"{doc}::f{n}",
        doc_id=doc,
        page=3,
        chunk_id=f"{doc}::3",
        statement="income",
        label=label,
        period=FactPeriod(kind="duration", end=end, months=months),
        value=value,
        scale=6,
        unit="USD",
    )


def test_the_figures_of_a_quoted_explanation_are_the_company_s_own() -> None:
    chunks = {
        "msft": [_chunk("msft::40", "msft", MSFT_MDA)],
        "intc": [_chunk("intc::52", "intc", INTC_SEGMENT)],
    }
    facts = [
        _fact("msft", "Research and development", 6628, 1, "2022-09-30"),
        _fact("msft", "Research and development", 5599, 2, "2021-09-30"),
        _fact("intc", "Revenue", 15338, 3, "2022-10-01"),
        _fact("intc", "Revenue", 18353, 4, "2021-09-25"),
        _fact("intc", "Operating income (loss)", -175, 5, "2022-10-01"),
        _fact("intc", "Operating income (loss)", 2526, 6, "2021-09-25"),
    ]
    found = item_explanations(["r_and_d"], ["msft"], lambda d: chunks[d], facts)
    assert [(q.split(" driven")[0], c.id) for q, c in found] == [
        ("Research and development expenses increased $1.0 billion or 18%", "msft::40")
    ]
    # $1.0 billion is 6,628 - 5,599 million and 18% their change; a wrong figure is no explanation.
    wrong = [f.model_copy(update={"value": 6100}) if f.value == 5599 else f for f in facts]
    assert item_explanations(["r_and_d"], ["msft"], lambda d: chunks[d], wrong) == []
    # A segment's revenue and operating income are not the company's.
    assert item_explanations(["revenue", "operating_income"], ["intc"], lambda d: chunks[d], facts) == []
    # A sentence printing no figure cannot be checked, so it is not quoted.
    assert item_explanations(["interest_expense"], ["msft"], lambda d: chunks[d], facts) == []
    # The $1.0 billion and 18% are the quarter against its own comparative column; printed only
    # between a quarter and another period's column (here a made-up year-to-date one), they are
    # no change of the item's.
    crossed = [
        _fact("msft", "Research and development", 6628, 1, "2022-09-30"),
        _fact("msft", "Research and development", 4000, 2, "2021-09-30"),
        _fact("msft", "Research and development", 5599, 7, "2022-09-30", months=9),
        _fact("msft", "Research and development", 3000, 8, "2021-09-30", months=9),
    ]
    assert item_explanations(["r_and_d"], ["msft"], lambda d: chunks[d], crossed) == []


def test_a_figure_from_another_report_does_not_count_against_the_sentence() -> None:
    # NVIDIA's 10-Q for the quarter ended July 30, 2023: "sequentially" compares with a quarter
    # this report's tables do not print.
    text = (
        "Operating expenses were up 10% from a year ago and up 6% sequentially, primarily driven by "
        "compensation and benefits, including stock-based compensation."
    )
    chunks = [_chunk("nvda::30", "nvda", text)]
    facts = [
        _fact("nvda", "Total operating expenses", 2662, 1, "2023-07-30"),
        _fact("nvda", "Total operating expenses", 2416, 2, "2022-07-31"),
    ]
    found = item_explanations(["operating_expenses"], ["nvda"], lambda d: chunks, facts)
    assert [c.id for _q, c in found] == ["nvda::30"]
    other = [
        _fact("nvda", "Total operating expenses", 2662, 1, "2023-07-30"),
        _fact("nvda", "Total operating expenses", 2000, 2, "2022-07-31"),
    ]
    assert item_explanations(["operating_expenses"], ["nvda"], lambda d: chunks, other) == []


# Amazon's 10-Q for the quarter ended September 30, 2023 (docugami sec-10-q, MIT): its R&D is in
# "Technology and infrastructure" (agent.finance.stand_in).
TECH = StandIn(item="r_and_d", label="Technology and infrastructure", chunk_id="q3::113", quote="")


@pytest.mark.parametrize(
    ("sentence", "quoted"),
    [
        # The filer's expectation for the line: the verb, the line a few words after it, a change.
        (
            "We expect spending in technology and infrastructure to increase over time as we continue to "
            "add employees and infrastructure.",
            True,
        ),
        ("We expect our research and development expenses to increase in absolute dollars.", True),
        # No verb of expectation (Microsoft's 10-Q): the line is named, nothing is expected of it.
        (
            "Additions to property and equipment will continue, including new facilities, datacenters, and "
            "computer systems for research and development, sales and marketing, support, and "
            "administrative staff.",
            False,
        ),
        # Expected of something else; the line named far from the verb, as its object.
        ("We expect to fund the acquisition of iRobot Corporation with cash on hand.", False),
        (
            "We expect foreign currency exchange rate fluctuations to continue to affect our research and "
            "development costs, which increased.",
            False,
        ),
        # The line expected, but no change said of it.
        ("We believe our research and development capabilities are a competitive advantage.", False),
    ],
)
def test_the_filer_s_outlook_for_the_line(sentence: str, quoted: bool) -> None:
    names = line_names(["r_and_d"], [TECH])
    assert bool(outlook(sentence, names)) is quoted
    if quoted:
        assert outlook(sentence, names) == sentence


def test_no_line_named_matches_nothing() -> None:
    names = line_names([], [])
    assert outlook("We expect revenue to increase over time.", names) == ""
    assert names.search("anything") is None


class _Resources:
    """What explained_sentences reads of the index: the company's facts and a filing's chunks."""

    def __init__(self, facts: list[Fact], chunks: list[Chunk]) -> None:
        self.facts, self.chunks = facts, chunks

    def company_facts(self, plan: object) -> list[Fact]:
        return self.facts

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        return [c for c in self.chunks if c.metadata.doc_id == doc_id]


def test_what_answers_the_rest_is_the_outlook_when_asked_for_else_the_explanation() -> None:
    from agent.nodes.explained import explained_sentences
    from agent.schemas import Calculation, Operand, QuestionPlan

    facts = [
        _fact("msft", "Research and development", 6628, 1, "2022-09-30"),
        _fact("msft", "Research and development", 5599, 2, "2021-09-30"),
    ]
    # An outlook in the form 10-Qs print it (written for the test; Microsoft's filings here print none).
    expects = "We expect research and development expenses to increase as we invest in cloud engineering."
    operand = Operand(
        fact_id=facts[0].id, doc_id="msft", page=1, item="r_and_d", label="Research and development",
        period="Q1", value=6628, printed="6,628",
    )  # fmt: skip
    calcs = [
        Calculation(
            name="research and development", expression="6,628", operands=[operand], result=6628, unit="USD"
        )
    ]
    plan = QuestionPlan(companies=["Microsoft Corporation"], items=["r_and_d"])
    why_only = _Resources(facts, [_chunk("msft::40", "msft", MSFT_MDA)])
    context: list = []
    quoted, answering = explained_sentences(plan, calcs, context, {}, why_only)  # type: ignore[arg-type]
    assert len(quoted) == 1 and answering == 1  # "why": the explanation answers it
    # "What does it indicate": an explanation of the change does not answer it; the outlook does.
    quoted, answering = explained_sentences(plan, calcs, [], {}, why_only, outlook=True)  # type: ignore[arg-type]
    assert len(quoted) == 1 and answering == 0
    both = _Resources(facts, [_chunk("msft::40", "msft", MSFT_MDA), _chunk("msft::41", "msft", expects)])
    aliases: dict[str, str] = {}
    quoted, answering = explained_sentences(plan, calcs, [], aliases, both, outlook=True)  # type: ignore[arg-type]
    assert answering == 1 and quoted[-1] == f"{expects[:-1]} [{aliases['msft::41']}]."
