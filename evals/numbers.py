"""Finance-aware number extraction and matching for the deterministic answer metrics.

"$1.2 billion" and "1,200 (in millions)" are the same amount; "(1,234)" is negative; a percentage
may be written as "65.4%" or "0.654"; FinanceBench writes amounts in millions without saying so
("$11588.00") and rounds its references, so two numbers match when they agree within a relative
tolerance *or* within half a unit of the coarser one's last printed digit, allowing a power-of-1000
scale difference when either side leaves its scale implicit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_SCALES = {
    "thousand": 1e3, "k": 1e3,
    "million": 1e6, "mn": 1e6, "m": 1e6, "mm": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9,
    "trillion": 1e12, "tn": 1e12,
}  # fmt: skip

_NUMBER = re.compile(
    r"""
    (?<![\w.,])(?<!\w[-\u2013])  # "COVID-19" and "Rule 10b5-1" are names, not amounts
    (?P<open>\()?\s*
    (?P<minus>[-−–])?\s*
    (?P<cur>\$|US\$|USD\s)?\s*
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    (?P<cur2>\$)?
    (?:\s*(?P<pct>%|percent\b|per\scent\b|percentage\spoints?\b|basis\spoints?\b|bps\b)
     |\s*(?P<scale>thousand|million|billion|trillion|mn|bn|tn|mm|[kmb])\b)?
    (?P<close>\))?
    (?![\w-]*[A-Za-z])
    """,
    re.IGNORECASE | re.VERBOSE,
)
_CITATION_MARKER = re.compile(r"\[\d+(?:\s*[,;-]\s*\d+)*\]")
# Month names whole or abbreviated, never a longer word ("decreased 3%", "market 10" are no dates).
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DATE = re.compile(
    rf"\b{_MONTHS}\s+(?:\d{{1,2}}(?!\d)(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?|\d{{4}}\b)", re.IGNORECASE
)
# Digits that label or locate rather than measure: a list's enumerator at the start of a line, a
# section or note reference ("Note 10", "Item 1A", "Part II, Item 2"), a file name ("2023 Q1 AMZN.pdf")
# and a constant of a written-out calculation ("x 100", "/ 2").
_ENUMERATOR = re.compile(r"^[ \t]*(?:\(?\d{1,2}[.)]|[-*\u2022])[ \t]+", re.MULTILINE)
_SECTION_REF = re.compile(
    r"\b(?:notes?|items?|parts?|sections?|rules?|levels?|tiers?|articles?|exhibits?|schedules?|"
    r"chapters?|pages?|footnotes?|steps?|phases?)\s+\d+[a-z]?(?:[.-]\d+[a-z]?)*\b",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(r"(?:[\w&'-]+[ \t]){0,4}[\w&'-]+\.(?:pdf|html?|txt|xlsx?|docx?)\b", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})\b")
_CALC_CONSTANT = re.compile(r"[*\u00d7\u00f7/][ \t]*\d{1,3}(?![\d,.])")
_DIRECTION = re.compile(
    r"\b(decreas\w*|declin\w*|lower|down|drop\w*|fell|fall\w*|loss\w*|negative|reduc\w*|outflow)\b", re.I
)


@dataclass(frozen=True)
class Quantity:
    """A number as written, with its value in base units (dollars, or percent for percentages)."""

    raw: str
    value: float
    is_percent: bool = False
    explicit_scale: bool = False
    currency: bool = False
    decimals: int = 0
    scale: float = 1.0

    @property
    def is_year(self) -> bool:
        return (
            not (self.is_percent or self.explicit_scale or self.currency)
            and self.decimals == 0
            and "," not in self.raw
            and 1900 <= self.value <= 2100
        )

    @property
    def half_unit(self) -> float:
        """Half the value of the last printed digit, in base units: the rounding slack."""
        return 0.5 * 10 ** (-self.decimals) * self.scale


def strip_noise(text: str) -> str:
    """Remove digits that are not amounts: citation markers, calendar dates, list enumerators, section
    and note references, file names and the constants of a written-out calculation."""
    for pattern in (
        _CITATION_MARKER,
        _FILE_NAME,
        _DATE,
        _NUMERIC_DATE,
        _ENUMERATOR,
        _SECTION_REF,
        _CALC_CONSTANT,
    ):
        text = pattern.sub(" ", text)
    return text


def extract_quantities(text: str, *, include_years: bool = False) -> list[Quantity]:
    """All numbers in ``text`` with their finance meaning; years are dropped unless asked for."""
    out: list[Quantity] = []
    for m in _NUMBER.finditer(strip_noise(text)):
        digits = m.group("num").replace(",", "")
        try:
            value = float(digits)
        except ValueError:
            continue
        decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
        scale_word = (m.group("scale") or "").lower()
        scale = _SCALES.get(scale_word, 1.0)
        pct_word = (m.group("pct") or "").lower()
        is_pct = bool(pct_word)
        if pct_word.startswith(("basis", "bps")):
            value, decimals = value / 100.0, decimals + 2
        negative = bool(m.group("minus")) or bool(m.group("open") and m.group("close"))
        q = Quantity(
            raw=m.group(0).strip(),
            value=(-1 if negative else 1) * value * scale,
            is_percent=is_pct,
            explicit_scale=bool(scale_word),
            currency=bool(m.group("cur") or m.group("cur2")),
            decimals=decimals,
            scale=scale,
        )
        if include_years or not q.is_year:
            out.append(q)
    return out


def _close(x: float, y: float, slack: float, rel_tol: float) -> bool:
    return math.isclose(x, y, rel_tol=rel_tol, abs_tol=0.0) or abs(x - y) <= slack + 1e-12


def quantities_match(a: Quantity, b: Quantity, *, rel_tol: float = 0.005, signed: bool = True) -> bool:
    """Whether two quantities denote the same amount, allowing rounding and implicit scale."""
    x, y = a.value, b.value
    if not signed:
        x, y = abs(x), abs(y)
    elif (x < 0) != (y < 0) and x != 0 and y != 0:
        return False
    slack = max(a.half_unit, b.half_unit)
    if a.is_percent and b.is_percent:
        # Percentages are graded on rounding alone: 66.0% is not 65.4%, 65% is (coarser rounding).
        return abs(x - y) <= slack + 1e-9
    if a.is_percent != b.is_percent:
        # "65.4%" vs "0.654": the bare side is a fraction, or a percentage written without its sign.
        pct, bare = (a, b) if a.is_percent else (b, a)
        px, bx = (x, y) if a.is_percent else (y, x)
        return (
            abs(px - bx * 100) <= max(pct.half_unit, bare.half_unit * 100) + 1e-9
            or abs(px - bx) <= slack + 1e-9
        )
    if _close(x, y, slack, rel_tol):
        return True
    if a.explicit_scale and b.explicit_scale:
        return False
    # One side leaves the scale implicit ("(in millions)" table, FinanceBench's bare millions).
    for k in (1e3, 1e6, 1e9, 1e-3, 1e-6, 1e-9):
        if _close(x, y * k, max(a.half_unit, b.half_unit * k), rel_tol):
            return True
    return False


@dataclass(frozen=True)
class NumericMatch:
    """Outcome of grading a predicted answer's numbers against a reference answer."""

    score: float | None  # fraction of reference numbers found; None: reference has no numbers
    matched: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def ok(self) -> bool | None:
        return None if self.score is None else self.score == 1.0


def numeric_answer_match(predicted: str, reference: str, *, rel_tol: float = 0.005) -> NumericMatch:
    """Grade the numbers of ``predicted`` against those of ``reference`` (FinanceBench style).

    A sign difference is forgiven when either text states the direction in words
    ("decreased by 2.5%" vs "-2.5%").
    """
    ref_q = extract_quantities(reference)
    if not ref_q:
        return NumericMatch(score=None)
    pred_q = extract_quantities(predicted)
    signed = not (_DIRECTION.search(predicted) or _DIRECTION.search(reference))
    matched: list[str] = []
    missing: list[str] = []
    for r in ref_q:
        (
            matched
            if any(quantities_match(p, r, rel_tol=rel_tol, signed=signed) for p in pred_q)
            else missing
        ).append(r.raw)
    return NumericMatch(score=len(matched) / len(ref_q), matched=tuple(matched), missing=tuple(missing))


def grounded_numbers(
    answer: str, contexts: list[str], *, rel_tol: float = 0.001
) -> tuple[list[str], list[str]]:
    """Split the answer's numbers into (grounded, ungrounded) against the context texts.

    Grounded means the same amount is printed in a context (rounding and implicit table scale allowed);
    derived figures (a computed growth rate) count as ungrounded here: the critic rechecks those.
    """
    ctx_q = [q for c in contexts for q in extract_quantities(c, include_years=True)]
    grounded: list[str] = []
    ungrounded: list[str] = []
    for q in extract_quantities(answer):
        hit = any(quantities_match(q, c, rel_tol=rel_tol, signed=False) for c in ctx_q)
        (grounded if hit else ungrounded).append(q.raw)
    return grounded, ungrounded
