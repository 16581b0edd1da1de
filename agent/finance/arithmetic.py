"""Plain arithmetic over numbers (+ - * / and parentheses), evaluated without ``eval``.

Shared by our own calculations over facts (:mod:`agent.finance.calculate`) and the critic's check
of a drafted ``CALC(...)`` (:mod:`agent.critic.calc`).
"""

from __future__ import annotations

import ast
import operator

_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


class CalcError(ValueError):
    """The expression is not plain arithmetic over numbers."""


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = _eval(node.operand)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval(node.left), _eval(node.right))
    raise CalcError(f"not plain arithmetic: {ast.dump(node)[:60]}")


def arithmetic(expression: str) -> float:
    """The value of ``expression`` (digits without thousands separators); raises CalcError,
    SyntaxError or ZeroDivisionError."""
    return _eval(ast.parse(expression.strip(), mode="eval"))
