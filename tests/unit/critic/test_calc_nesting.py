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
