"""Finance-aware number parsing and grounding.

A number in an answer is *grounded* when the cited text contains the same quantity, allowing for
the ways filings write it: "$1.2 billion" is "1,193" under an "(in millions)" header (rounded to the
precision the answer uses), "(5)" is minus five, "%" and "percentage points" are percentages.
Years, dates, Item numbers and citation markers are references, not figures, and are not checked.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from agent.text import MONTHS_RE

SCALE_WORDS: dict[str, float] = {
    "thousand": 1e3,
    "thousands": 1e3,
    "k": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "mn": 1e6,
    "mm": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "trillions": 1e12,
    "tn": 1e12,
}

_MONTHS = MONTHS_RE + "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
# "July 1, 2023", "June 25 2022", "1 July 2023": the day and year are a period label, not a figure.
_DATE = re.compile(
    rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|\b\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}\b",
    re.I,
)
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
# Citation markers, Item/Note/Part/page references, form names, fiscal labels, footnote marks.
_REFERENCE = re.compile(
    r"\[[^\]]{0,40}\]"
    r"|\b(?:item|items|note|notes|part|page|pages|section|rule|article|exhibit)\s+\d+[a-z]?(?:\s*(?:,|and|or|-)\s*\d+[a-z]?)*"
    r"|\b\d+-[a-z]\b"
    r"|\b(?:fy|q|h)\s?\d{1,4}\b"
    r"|\b(?:first|second|third|fourth)\s+quarter\b",
    re.I,
)
_NUMBER = re.compile(
    r"(?P<neg>\(\s*)?(?P<minus>[-−–]\s?)?(?P<cur>[$€£¥])?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<close>\s*\))?"
    r"(?:\s?(?P<pct>%|percent\b|per\s?cent\b|percentage\s+points?\b|pp\b|bps\b|basis\s+points\b))?"
    r"(?:\s?(?P<scale>thousands?|millions?|billions?|trillions?|bn|mn|mm|tn|[kmb])\b)?",
    re.I,
)
_UNIT_HEADER = re.compile(
    r"\(\s*(?:\$|dollars|amounts|usd|u\.s\. dollars)?\s*(?:and shares\s+)?in\s+(thousands|millions|billions)\b"
    r"|\bin\s+(thousands|millions|billions)\s*(?:of\s+(?:u\.s\.\s+)?dollars)?\s*,?\s*(?:except|\))"
    r"|\(\s*(thousands|millions|billions)\s*(?:of dollars)?\s*\)",
    re.I,
)


@dataclass(frozen=True)
class NumberMention:
    """One number as written, with its value in absolute units."""

    raw: str
    value: float
    magnitude: float  # |value| in absolute units (scale word applied)
    precision: float  # half a unit of the last written digit, in absolute units
    is_percent: bool
    is_currency: bool
    has_scale: bool
    scale: float = 1.0  # the scale word's factor ("billion": 1e9); magnitude / scale is as printed


def _is_year(num: str, m: re.Match[str]) -> bool:
    if m.group("cur") or m.group("pct") or m.group("scale") or "," in num or "." in num:
        return False
    return len(num) == 4 and 1900 <= int(num) <= 2100


def _is_small_count(num: str, m: re.Match[str]) -> bool:
    if m.group("cur") or m.group("pct") or m.group("scale") or "." in num or "," in num:
        return False
    if m.group("neg") and m.group("close"):
        return False
    return int(num) <= 12


# A number hyphenated to the word after it modifies that word ("a 24-core processor", "a 30-day
# term", "its 5-year notes"): a description, checked as text by the judge, not a reported figure.
_MODIFIER_TAIL = re.compile(r"[-‑]([a-z]+)\b", re.I)


def _modifier(text: str, m: re.Match[str]) -> bool:
    if m.group("pct") or m.group("scale") or m.group("close"):
        return False
    tail = _MODIFIER_TAIL.match(text, m.end("num"))
    return tail is not None and tail.group(1).lower() not in SCALE_WORDS


def _strip_references(text: str) -> str:
    text = _DATE.sub(" ", text)
    text = _ISO_DATE.sub(" ", text)
    return _REFERENCE.sub(" ", text)


def extract_numbers(text: str, *, skip_years: bool = True) -> list[NumberMention]:
    """Numbers that state a quantity (years, dates and references removed)."""
    cleaned = _strip_references(text)
    out: list[NumberMention] = []
    for m in _NUMBER.finditer(cleaned):
        num = m.group("num")
        start = m.start("num")
        # A digit glued to letters ("10-K", "Q3", "2x") is a label, not a figure.
        if start > 0 and (cleaned[start - 1].isalpha() or cleaned[start - 1] == "_"):
            continue
        end = m.end("num")
        if end < len(cleaned) and cleaned[end].isalpha() and not m.group("pct") and not m.group("scale"):
            continue
        if _modifier(cleaned, m):
            continue
        if skip_years and _is_year(num, m):
            continue
        # Small bare integers ("2 segments", "12 months") are counts, not reported figures.
        if skip_years and _is_small_count(num, m):
            continue
        digits = num.replace(",", "")
        value = float(digits)
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        scale_word = (m.group("scale") or "").lower()
        # A lone "m"/"b"/"k" only counts as a scale right after a currency amount ("$5m").
        if scale_word in ("m", "b", "k") and not m.group("cur"):
            scale_word = ""
        scale = SCALE_WORDS.get(scale_word, 1.0)
        pct = (m.group("pct") or "").lower()
        if pct in ("bps", "basis points", "basis point"):
            value, decimals = value / 100, decimals + 2
        negative = bool(m.group("minus")) or (bool(m.group("neg")) and bool(m.group("close")))
        signed = -value if negative else value
        out.append(
            NumberMention(
                raw=m.group(0).strip(),
                value=signed * scale,
                magnitude=abs(value) * scale,
                precision=0.5 * 10 ** (-decimals) * scale,
                is_percent=bool(pct),
                is_currency=bool(m.group("cur")),
                has_scale=scale != 1.0,
                scale=scale,
            )
        )
    return out


def table_scales(text: str) -> list[float]:
    """Scales declared by unit headers such as "(in millions, except per share data)"."""
    scales = []
    for m in _UNIT_HEADER.finditer(text):
        word = next(g for g in m.groups() if g)
        scales.append(SCALE_WORDS[word.lower()])
    return scales


def source_values(text: str) -> list[float]:
    """Every absolute magnitude a source text supports: each number as written and, under a unit
    header, multiplied by the declared scale."""
    scales = table_scales(text)
    values: list[float] = []
    for n in extract_numbers(text, skip_years=False):
        values.append(n.magnitude)
        if not n.has_scale and not n.is_percent:
            values.extend(n.magnitude * s for s in scales)
    return values


def _matches(claim: NumberMention, value: float) -> bool:
    # Equal within the rounding the claim itself used ("$1.2 billion" covers 1,150-1,249 million).
    tolerance = max(claim.precision, 1e-9 * max(abs(value), 1.0))
    return math.isclose(claim.magnitude, value, rel_tol=1e-9) or abs(claim.magnitude - value) <= tolerance


def is_grounded(claim: NumberMention, sources: list[str]) -> bool:
    """True when some source text contains the claim's quantity (finance-aware, see module doc)."""
    return any(_matches(claim, value) for text in sources for value in source_values(text))


def ungrounded_numbers(text: str, sources: list[str]) -> list[NumberMention]:
    """Numbers in ``text`` that none of ``sources`` supports."""
    return [n for n in extract_numbers(text) if not is_grounded(n, sources)]


def parse_number(text: str) -> float | None:
    """The first quantity in a short answer string ("$1,577 million" -> 1.577e9), or None."""
    found = extract_numbers(text)
    return found[0].value if found else None


def supporting_lines(claim: NumberMention, sources: list[str]) -> list[str]:
    """The lines of the sources that hold the claim's quantity (a table row, or a sentence)."""
    out = []
    for text in sources:
        scales = table_scales(text)
        for line in text.splitlines():
            for n in extract_numbers(line, skip_years=False):
                values = [n.magnitude] + (
                    [n.magnitude * s for s in scales] if not n.has_scale and not n.is_percent else []
                )
                if any(_matches(claim, v) for v in values):
                    out.append(line)
                    break
    return out


def table_header(text: str) -> str:
    """The unit headers of a text (so a single cell can be re-checked under the same scale)."""
    return " ".join(m.group(0) for m in _UNIT_HEADER.finditer(text))
