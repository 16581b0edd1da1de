"""Amounts written the way an analyst reads them: unit and scale spelled out, sign kept."""

from __future__ import annotations

SCALE_WORDS = {3: "thousand", 6: "million", 9: "billion", 12: "trillion"}
# The power of ten a unit line or a question names: "(in millions)" -> 6.
SCALE_EXPONENTS = {"thousands": 3, "millions": 6, "billions": 9}


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{abs(value):,.0f}"
    return f"{abs(value):,.2f}".rstrip("0").rstrip(".") if abs(value) >= 1 else f"{abs(value):.4g}"


def describe_amount(value: float, scale: int, unit: str) -> str:
    """'$513,983 million', '-$2.09 per share', '1,234 thousand shares', '12.5%'."""
    sign = "-" if value < 0 else ""
    number = _number(value)
    words = SCALE_WORDS.get(scale, f"x 10^{scale}" if scale else "")
    scaled = f"{number} {words}" if words else number
    if unit == "USD":
        return f"{sign}${scaled}"
    if unit == "USD/share":
        return f"{sign}${scaled} per share"
    if unit == "%":
        return f"{sign}{number}%"
    if unit == "shares":
        return f"{sign}{scaled} shares"
    return f"{sign}{scaled} {unit}".rstrip()
