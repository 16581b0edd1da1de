"""What a question names of its scope, read by rules: fiscal years, quarters, form types and
filing sections (the company is :mod:`agent.retrieval.companies`' job). Used by
:func:`agent.retrieval.scope.resolve_scope`.
"""

from __future__ import annotations

import re

_WORD_NUMBERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}

# Filing sections people ask for by name; values are (10-K Item, 10-Q Item).
_SECTIONS: list[tuple[re.Pattern[str], tuple[str, str]]] = [
    (re.compile(r"\bmd&a\b|\bmanagement(?:['’]?s)?\s+discussion", re.I), ("7", "2")),
    # "risk factors", "risk elements", "the risks to / facing / associated with Acme's business".
    (
        re.compile(
            r"\brisk (?:factors?|elements?)\b|\brisks?\s+(?:to|facing|of|for|associated\s+with|relat(?:ed|ing)\s+to)\s+"
            r"(?:the\s+|its\s+|their\s+|our\s+)?(?:[\w&.-]+['’]s?\s+){0,2}?business(?:es)?\b",
            re.I,
        ),
        ("1A", "1A"),
    ),
    (re.compile(r"\blegal proceedings\b", re.I), ("3", "1")),
    # "Quantitative and Qualitative Disclosures About Market Risk", "the discussion on market risk".
    (re.compile(r"\bmarket risks?\b(?!\s+premium)", re.I), ("7A", "3")),
    (re.compile(r"\bcontrols and procedures\b", re.I), ("9A", "4")),
    (re.compile(r"\bunresolved staff comments\b", re.I), ("1B", "1B")),
]
_ITEM_RE = re.compile(r"\bitem\s+(\d{1,2}[a-c]?)\b", re.I)

_FORM_PATTERNS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"\b10-?k\b|\bannual report\b|\bannual filing\b", re.I), ("10-K", "10-K/A")),
    (re.compile(r"\b10-?q\b|\bquarterly (?:report|filing)\b", re.I), ("10-Q", "10-Q/A")),
    (re.compile(r"\b8-?k\b|\bcurrent report\b", re.I), ("8-K",)),
    (
        re.compile(r"\bearnings (?:release|report|call|press release)\b|\bpress release\b", re.I),
        ("EARNINGS", "8-K"),
    ),
]

_FY_RE = re.compile(r"\bFY\s?['’]?(\d{4}|\d{2})(?!\d)", re.I)
_FISCAL_RE = re.compile(r"\bfiscal(?:\s+year)?\s+(\d{4})\b", re.I)
_YEAR_RE = re.compile(r"(?<![\d$.,])((?:19|20)\d{2})(?![\d,.]\d)")
_Q_RE = re.compile(r"\bQ([1-4])\b|(?<=\d{4})\s?Q([1-4])\b|\b([1-4])Q\b", re.I)
_Q_WORD_RE = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:fiscal\s+)?quarter\b", re.I)
_HALF_RE = re.compile(r"\b(?:H1|first half|six months)\b", re.I)
_NINE_RE = re.compile(r"\b(?:nine months|9M|first three quarters)\b", re.I)


def _two_digit_year(value: str) -> int:
    year = int(value)
    return year if year >= 100 else 2000 + year


def parse_years(question: str) -> list[int]:
    """Fiscal years named in the question ("2022", "FY2022", "FY22", "fiscal 2022")."""
    years: list[int] = []
    for match in _FY_RE.finditer(question):
        years.append(_two_digit_year(match.group(1)))
    for match in _FISCAL_RE.finditer(question):
        years.append(int(match.group(1)))
    for match in _YEAR_RE.finditer(question):
        years.append(int(match.group(1)))
    return sorted(set(years))


def parse_quarters(question: str) -> list[int]:
    """Fiscal quarters named in the question ("Q3", "3Q", "third quarter", "H1" -> the Q2 report)."""
    quarters: set[int] = set()
    for match in _Q_RE.finditer(question):
        quarters.add(int(next(g for g in match.groups() if g)))
    for match in _Q_WORD_RE.finditer(question):
        quarters.add(_WORD_NUMBERS[match.group(1).lower()])
    if not quarters:
        # Year-to-date figures live in the report of the half / nine months' last quarter.
        if _HALF_RE.search(question):
            quarters.add(2)
        elif _NINE_RE.search(question):
            quarters.add(3)
    return sorted(quarters)


# "the most recent", "the latest", "last reported": the period the scope resolved them to.
_RECENT_RE = re.compile(r"\b(?:the\s+)?(?:most\s+recent|latest|newest|last\s+(?:reported|filed))\b", re.I)
# What a removed period leaves behind before the end of a clause: "mentioned by in the ?".
_DANGLING_RE = re.compile(
    r"(?:\s+\b(?:in|for|during|of|by|from|at|on|as|the|its|their|this|these|that|those|and|or))+\s*(?=[?.,;!]|$)",
    re.I,
)


def without_periods(text: str) -> str:
    """The text with the periods it names taken out ("in the Q2 2023", "fiscal 2022", "the most
    recent") and the words a removed name leaves dangling before the end of a clause: what a
    question asks about once the scope already holds its periods (and, with
    :func:`agent.retrieval.query.topic_query`, its company and form)."""
    for pattern in (_FY_RE, _FISCAL_RE, _Q_WORD_RE, _Q_RE, _YEAR_RE, _HALF_RE, _NINE_RE, _RECENT_RE):
        text = pattern.sub(" ", text)
    text, before = " ".join(text.split()), ""
    while text != before:  # "a buyback during the , or in ?": each pass takes off what the last left
        before = text
        text = _DANGLING_RE.sub("", text)
        text = re.sub(r"\s*[,;]\s*(?=[?.!]|$)", "", re.sub(r"\s+([?.,;!])", r"\1", text))
    return text.strip()


def parse_forms(question: str) -> list[str]:
    """Form types named in the question; 'annual report' means 10-K (and its amendments)."""
    forms: list[str] = []
    for pattern, values in _FORM_PATTERNS:
        if pattern.search(question):
            forms.extend(v for v in values if v not in forms)
    return forms


def parse_sections(question: str) -> list[tuple[str, str]]:
    """Sections asked for, as (10-K Item, 10-Q Item) pairs; 'Item 7' is taken literally for both."""
    found: list[tuple[str, str]] = []
    for match in _ITEM_RE.finditer(question):
        item = match.group(1).upper()
        found.append((item, item))
    for pattern, items in _SECTIONS:
        if pattern.search(question):
            found.append(items)
    return list(dict.fromkeys(found))
