"""A figure a passage states in prose must not be given to a subject the passage does not give it to."""

from __future__ import annotations

import pytest

from agent.critic.check import check_draft
from agent.critic.subject import sentence_around, unnamed_subject
from agent.schemas import Chunk, ChunkMetadata

# Amazon's 10-Q for the quarter ended March 31, 2023 (docugami sec-10-q, page 24), as pypdf reads it.
AMAZON = """Net sales information is as follows (in
millions):
Three Months EndedMarch 31,
2022 2023
Net Sales:
North America $ 69,244 $ 76,881
International 28,759 29,123
AWS 18,441 21,354
Consolidated $ 116,444 $ 127,358
Year-over-year Percentage Growth (Decline):
North America 8% 11%
International (6) 1
AWS 37 16
Consolidated 7 9
Sales increased 9% in Q1 2023 compared to the comparable prior year period.
Changes in foreign exchange rates reduced net sales by $2.4 billion for Q1
2023."""
RETAIL_Q = "How has Amazon's revenue from online retail services fluctuated across quarters?"

# Apple's 10-Q for the quarter ended April 1, 2023 (docugami sec-10-q, page 16).
APPLE = """Quarterly Highlights
Weakness in foreign currencies relative to the U.S. dollar had an unfavorable impact on the Company’s total net sales, which decreased 3% or $2.4 billion during
the second quarter of 2023 compared to the same quarter in 2022.
The year-over-year net sales decrease consisted primarily of lower net sales of Mac, partially
offset by higher net sales of Services."""
FX_Q = (
    "For Apple's Q2 2023 report, analyze the relationship between Apple's revenue from international "
    "markets and its segment on foreign currency risk."
)


@pytest.mark.parametrize(
    ("sentence", "source", "question", "held"),
    [
        # The question's subject put on the whole company's figure.
        ("Revenue from online retail services increased 9% in Q1 2023.", AMAZON, RETAIL_Q, True),
        ("Revenue from international markets decreased by 3% or $2.4 billion in Q2 2023.", APPLE, FX_Q, True),
        # What the passage says the figure is, in other words ("revenue" is "sales") or its own.
        ("Revenue increased 9% in Q1 2023 compared to the prior year period.", AMAZON, RETAIL_Q, False),
        ("Total net sales decreased 3% or $2.4 billion in the second quarter of 2023.", APPLE, FX_Q, False),
        # A clause that names no subject of its own ("which ...") is not compared.
        ("Net sales fell as foreign currencies weakened, which decreased them by 3%.", APPLE, FX_Q, False),
        # A table row the sentence names holds the figure: the row check's domain, not this one.
        (
            "International segment revenue grew 1% in Q1 2023.",
            AMAZON,
            "How did international revenue grow?",
            False,
        ),
        # Words the question does not use are the drafter's own paraphrase, not its subject.
        ("Online retail sales grew 9% in Q1 2023.", AMAZON, "How did Amazon's sales change?", False),
    ],
)
def test_a_prose_figure_keeps_its_subject(sentence: str, source: str, question: str, held: bool) -> None:
    reason = unnamed_subject(sentence, [source], question)
    assert bool(reason) is held, reason
    if held:
        assert "which does not say it is about" in reason


def test_the_printed_sentence_runs_over_its_lines_and_stops_at_the_table() -> None:
    line = next(ln for ln in APPLE.splitlines() if "3%" in ln)
    assert sentence_around(APPLE, line).endswith("compared to the same quarter in 2022.")
    assert sentence_around(APPLE, line).startswith("Weakness in foreign currencies")
    line = next(ln for ln in AMAZON.splitlines() if ln.startswith("Sales increased"))
    assert sentence_around(AMAZON, line) == line


def test_the_critic_sends_back_the_figure_given_to_the_question_s_subject() -> None:
    chunk = Chunk(
        id="amzn::89",
        text=AMAZON,
        metadata=ChunkMetadata(
            doc_id="amzn", source_path="/docs/2023 Q1 AMZN.pdf", company="Amazon.com, Inc.", page_number=24
        ),
    )
    draft = "Amazon's revenue from online retail services increased 9% in Q1 2023 [c1]."
    args = ({"c1": chunk.id}, {chunk.id: chunk}, {chunk.id})
    (claim,) = check_draft(draft, *args, question=RETAIL_Q).claims
    assert claim.verdict == "unsupported"
    assert "online retail services" in claim.reason and "Sales increased 9%" in claim.reason
    (plain,) = check_draft(draft, *args).claims  # without the question there is no subject to hold
    assert plain.verdict == "supported"
