"""Derived figures computed by our code, not the model.

The drafter writes ``CALC(<arithmetic over numbers copied from the context>)``; we evaluate the
expression safely (numbers, + - * /, parentheses only), substitute the result and keep the operands
so the critic can check each one is grounded in the cited text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.finance.arithmetic import CalcError, arithmetic


def _balanced(depth: int) -> str:
    """Text with parentheses balanced to ``depth`` levels of nesting."""
    inner = r"[^()]*"
    for _ in range(depth):
        inner = rf"(?:[^()]|\({inner}\))*"
    return inner


# Balanced to four levels of nested parentheses inside CALC(...): "(a - b) / b * 100", and a
# question's own formula over averages, "365 * ((a + b) / 2) / (c + (d - e))".
CALC_PATTERN = re.compile(rf"CALC\s*\(({_balanced(4)})\)", re.I)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")

__all__ = ["CALC_PATTERN", "CalcError", "Calculation", "evaluate", "expand_calculations", "format_result"]


@dataclass
class Calculation:
    expression: str
    result: float | None
    operands: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.result is not None


def evaluate(expression: str) -> Calculation:
    """Evaluate one CALC expression; never raises (errors are recorded on the result)."""
    cleaned = _THOUSANDS.sub("", expression)
    cleaned = re.sub(r"[$€£%]", "", cleaned).replace("×", "*").replace("÷", "/").replace("−", "-")
    operands = re.findall(r"\d+(?:\.\d+)?", cleaned)
    try:
        result = arithmetic(cleaned)
    except (SyntaxError, CalcError, ZeroDivisionError, RecursionError, ValueError) as exc:
        return Calculation(expression, None, operands, error=f"{type(exc).__name__}: {exc}")
    return Calculation(expression, result, operands)


def format_result(value: float, decimals: int | None = None) -> str:
    """Readable result: thousands separators, at most two decimals, trailing zeros dropped; with
    ``decimals`` (the rounding a question asks for), exactly that many."""
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    text = f"{value:,.2f}" if abs(value) < 1e6 else f"{value:,.0f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def expand_calculations(text: str, decimals: int | None = None) -> tuple[str, list[Calculation]]:
    """Replace every CALC(...) by its computed value (rounded to ``decimals`` when given); failed
    ones are left visibly unresolved."""
    calcs: list[Calculation] = []

    def _sub(m: re.Match[str]) -> str:
        calc = evaluate(m.group(1))
        calcs.append(calc)
        return format_result(calc.result, decimals) if calc.result is not None else m.group(0)

    return CALC_PATTERN.sub(_sub, text), calcs
