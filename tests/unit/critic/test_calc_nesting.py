"""A question's own formula nests parentheses deeper than a margin does: the critic still reads the
whole CALC(...), and the scale writer never edits inside one."""

from __future__ import annotations

from agent.critic.calc import CALC_PATTERN, expand_calculations
from agent.critic.scale import add_scales

DEEP = "The asset turnover ratio is CALC(65,398 / ( ((47,528 + 50,710) / 2) )) [c1]."
TABLE = "(in millions)\nNet sales 65,398 59,812\nTotal assets 50,710 47,528"


def test_four_levels_of_parentheses_are_one_calculation() -> None:
    assert CALC_PATTERN.findall(DEEP) == ["65,398 / ( ((47,528 + 50,710) / 2) )"]
    text, [calc] = expand_calculations(DEEP, decimals=2)
    assert text == "The asset turnover ratio is 1.33 [c1]." and calc.operands == [
        "65398",
        "47528",
        "50710",
        "2",
    ]


def test_the_scale_writer_leaves_a_calculation_alone() -> None:
    scaled, notes = add_scales(DEEP, [TABLE])
    assert scaled == DEEP and notes == []


STATEMENT = """CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Unaudited)
(In millions)
Three Months Ended Nine Months Ended
July 1,2023 June 25,2022 July 1,2023 June 25,2022
Total net sales 81,797 82,959 293,787 304,182"""


def test_a_growth_over_a_quarter_and_nine_months_is_rejected() -> None:
    from agent.critic.check import check_draft
    from agent.schemas import Chunk, ChunkMetadata

    chunk = Chunk(
        id="d::3", text=STATEMENT, metadata=ChunkMetadata(doc_id="d", source_path="/f.pdf", company="Acme")
    )
    mixed = "Total net sales increased by CALC((293,787 - 82,959) / 82,959 * 100)% [c1]."
    same = "Total net sales for the nine months changed by CALC((293,787 - 304,182) / 304,182 * 100)% [c1]."
    checks = [check_draft(d, {"c1": chunk.id}, {chunk.id: chunk}, {chunk.id}) for d in (mixed, same)]
    assert checks[0].claims[0].verdict == "unsupported"
    assert "different period lengths (9 months and 3 months)" in checks[0].claims[0].reason
    assert checks[1].claims[0].verdict == "calculation", checks[1].claims[0].reason


def test_a_constant_the_question_states_needs_no_passage() -> None:
    from agent.critic.check import check_draft
    from agent.schemas import Chunk, ChunkMetadata

    chunk = Chunk(
        id="d::3", text=STATEMENT, metadata=ChunkMetadata(doc_id="d", source_path="/f.pdf", company="Acme")
    )
    draft = "The days of total net sales are CALC(365 * 81,797 / 82,959) [c1]."
    args = (draft, {"c1": chunk.id}, {chunk.id: chunk}, {chunk.id})
    assert check_draft(*args).claims[0].verdict == "ungrounded_number"  # 365 is printed nowhere
    assert check_draft(*args, given=frozenset({365.0})).claims[0].verdict == "calculation"


def test_a_formula_the_question_states_may_be_echoed_in_words() -> None:
    from agent.critic.check import check_draft
    from agent.schemas import Chunk, ChunkMetadata

    chunk = Chunk(
        id="d::3", text=STATEMENT, metadata=ChunkMetadata(doc_id="d", source_path="/f.pdf", company="Acme")
    )
    draft = "The sales days (365 * total net sales / total net sales) are CALC(365 * 81,797 / 82,959) [c1]."
    args = (draft, {"c1": chunk.id}, {chunk.id: chunk}, {chunk.id})
    assert check_draft(*args, given=frozenset({365.0})).claims[0].verdict == "calculation"
    assert check_draft(*args).claims[0].verdict == "ungrounded_number"
