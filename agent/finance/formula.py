"""A formula the question spells out, read into terms over line items and years.

Analysts' questions often define the metric they want: "Operating cash flow ratio is defined as:
cash from operations / total current liabilities", "DPO is defined as: 365 * (average accounts
payable between FY2017 and FY2018) / (FY2018 COGS + change in inventory between FY2017 and
FY2018)". This module reads such a definition with a small grammar: arithmetic (+ - * / and
parentheses) over numbers and terms, where a term is a line item of the vocabulary, optionally
with a year ("FY2018 revenue"), an average over two years or a change between them. Anything the
grammar cannot read whole (an unknown line item, leftover words such as "non-" in "non-current
assets") gives no formula at all, so a half-read definition never becomes a calculation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.finance.derived import METRICS, named_items
from agent.finance.vocabulary import ITEMS, Item

_DEFINED = re.compile(
    r"(?:(?P<name>[\w&'’ ().-]{2,80}?)\s+(?:here\s+)?(?:is|are)\s+(?:defined|calculated|computed)\s+as"
    r"|\b(?:define|calculate|compute)\s+(?P<name2>[\w&'’ ().-]{2,80}?)\s+as)\s*:?\s*"
    r"(?P<body>.+?)(?=\.\s|\.$|\?|;|$)",
    re.I,
)
# Operators written as words: "total current assets less total current liabilities".
_WORD_OPS = [
    (re.compile(r"\s+(?:less(?!\s+than)|minus)\s+", re.I), " - "),
    (re.compile(r"\s+plus\s+", re.I), " + "),
    (re.compile(r"\s+divided\s+by\s+", re.I), " / "),
    (re.compile(r"\s+(?:times|multiplied\s+by)\s+", re.I), " * "),
]
_YEAR = r"(?:fy\s?'?|fiscal\s+(?:year\s+)?)?((?:19|20)\d\d)"
_AVERAGE = re.compile(
    rf"^(?:the\s+)?average\s+(?:of\s+)?(?:the\s+)?(?P<what>.+?)\s+(?:between|from|over|for)\s+{_YEAR}"
    rf"\s+(?:and|to|through|-)\s+{_YEAR}$",
    re.I,
)
_CHANGE = re.compile(
    rf"^(?:the\s+)?(?:change|difference)\s+in\s+(?:the\s+)?(?P<what>.+?)\s+(?:between|from)\s+{_YEAR}"
    rf"\s+(?:and|to)\s+{_YEAR}$",
    re.I,
)
_ONE_YEAR = re.compile(rf"^(?:(?P<before>{_YEAR})\s+)?(?P<what>.+?)(?:\s+(?:in|for|of|at)\s+{_YEAR})?$", re.I)
_SPLIT = re.compile(r"(\s[-–−]\s|[+*/×÷()])")
_NUMBER = re.compile(r"^\d[\d,]*(?:\.\d+)?$")
# Words a term may carry besides its line item and years.
_FILLER = {"the", "total", "of", "in", "for", "at", "year", "end", "fiscal", "fy", "amount", "a", "company's"}


@dataclass(frozen=True)
class Term:
    """One line item in a formula: its value in one year, the average over two, or the change."""

    item: Item
    kind: str  # "value", "average", "change"
    years: tuple[int, ...]  # () means the question's own year

    def words(self) -> str:
        if self.kind == "average":
            return f"average {self.item.name} {self.years[0]}-{self.years[1]}"
        if self.kind == "change":
            return f"change in {self.item.name} {self.years[0]}-{self.years[1]}"
        return f"{self.item.name}{f' {self.years[0]}' if self.years else ''}"


@dataclass(frozen=True)
class Formula:
    """A definition read whole: its name and its tokens (operators, numbers, terms) in order."""

    name: str
    tokens: tuple[str | float | Term, ...]
    start: int = 0  # where the sentence holding the definition starts in the question

    def terms(self) -> list[Term]:
        return [t for t in self.tokens if isinstance(t, Term)]

    def words(self) -> str:
        """'cash from operations / total current liabilities'."""
        parts = [
            t.words() if isinstance(t, Term) else f"{t:g}" if isinstance(t, float) else t for t in self.tokens
        ]
        text = re.sub(r"\s+", " ", " ".join(parts).replace("( ", "(").replace(" )", ")")).strip()
        return text[1:-1] if _wrapped(text) else text


def _wrapped(text: str) -> bool:
    """Whether one pair of parentheses holds the whole text: "(a - b)", not "(a) / (b)"."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and i < len(text) - 1:
            return False
    return True


def _item(text: str) -> Item | None:
    """The one line item ``text`` names, with nothing else left over but filler words."""
    items = named_items(text)
    if len(items) != 1:
        return None
    match = items[0].asked.search(text)
    assert match is not None
    rest = (text[: match.start()] + " " + text[match.end() :]).lower()
    leftover = [w for w in re.findall(r"[\w&'’-]+", rest) if w not in _FILLER]
    return None if leftover or re.search(r"\w-$", text[: match.start()]) else items[0]


def _with_symbols(text: str) -> str:
    """``text`` with its word operators ("less", "divided by") written as symbols (" - ", " / ")."""
    for pattern, op in _WORD_OPS:
        text = pattern.sub(op, text)
    return text


def _year(text: str) -> int:
    return int(re.sub(r"\D", "", text)[-4:])


def _term(text: str) -> Term | None:
    text = text.strip().strip(",")
    for pattern, kind in ((_AVERAGE, "average"), (_CHANGE, "change")):
        m = pattern.match(text)
        if m:
            item = _item(m.group("what"))
            first, last = int(m.group(2)), int(m.group(3))
            return Term(item, kind, (first, last)) if item and first < last else None
    m = _ONE_YEAR.match(text)
    if m is None:
        return None
    item = _item(m.group("what"))
    years = [int(y) for y in (m.group(2), m.group(4)) if y]
    if item is None or len(years) > 1:
        return None
    return Term(item, "value", tuple(years))


def read_formula(question: str) -> Formula | None:
    """The formula a question defines ("X is defined as: ..."), or None when it defines none or
    the definition cannot be read whole."""
    m = _DEFINED.search(question)
    if m is None:
        return None
    body = _with_symbols(m.group("body"))
    tokens: list[str | float | Term] = []
    for piece in _SPLIT.split(body):
        piece = piece.strip()
        if not piece:
            continue
        if piece in "+*/×÷()-–−" and len(piece) == 1:
            tokens.append({"×": "*", "÷": "/", "–": "-", "−": "-"}.get(piece, piece))
        elif _NUMBER.match(piece):
            tokens.append(float(piece.replace(",", "")))
        elif (term := _term(piece)) is not None:
            tokens.append(term)
        else:
            return None
    if not any(isinstance(t, Term) for t in tokens):
        return None
    name = re.split(r"[.?!]\s+|:\s*", m.group("name") or m.group("name2"))[-1].strip()
    # The sentence holding the definition starts after the last sentence end before it (the match
    # may begin right after the "?" of the question, with the space inside the name).
    ends = [e.end() for e in re.finditer(r"[.?!](?=\s|$)", question[: m.start() + 1])]
    start = ends[-1] if ends else 0
    return Formula(name, tuple(tokens), start)


# "What is the FY2022 unadjusted EBITDA less capex for Acme?": the figure the question asks, up to
# the company it names or the question mark.
_ASKED = re.compile(
    r"\b(?i:what)\s+(?i:is|was|were|are)\s+(?i:the\s+)?(?P<phrase>[^?]+?)(?:\s+(?:for|of|at)\s+[A-Z][^?]*)?\?",
)
_ASKED_OP = re.compile(r"\s([-+*/])\s")
_QUALIFIERS = re.compile(rf"\b(?:{_YEAR}|unadjusted|reported|gaap|total|the|year[- ]end)\b", re.I)


def _unqualified(text: str) -> str:
    """The name without its years, qualifiers and the company's possessive ("Acme's")."""
    text = re.sub(r"[\w.&-]+['’]s\b", " ", text)
    return re.sub(r"\s+", " ", _QUALIFIERS.sub(" ", text)).strip(" ,")


def _bare(text: str) -> str:
    return _unqualified(text).lower()


def _named_formula(piece: str, defined: Formula | None) -> list[str | float | Term] | None:
    """The tokens a name in the asked expression stands for: the question's own definition, or a
    textbook amount (EBITDA, free cash flow, working capital) over line items."""
    name = _bare(piece)
    if defined is not None and name == _bare(defined.name):
        return ["(", *defined.tokens, ")"]
    for metric in METRICS:
        if not metric.percent and not metric.growth and metric.asked.fullmatch(name):
            tokens: list[str | float | Term] = ["("]
            for part in re.split(r"(\{\w+\}|[()+\-*/])", metric.formulas[0]):
                part = part.strip()
                if part.startswith("{"):
                    tokens.append(Term(ITEMS[part[1:-1]], "value", ()))
                elif part:
                    tokens.append(part)
            return [*tokens, ")"]
    return None


def asked_expression(question: str, defined: Formula | None) -> Formula | None:
    """The expression the question asks when it is more than one figure: "EBITDA less capex" over
    the question's definition of EBITDA (or the textbook one) and the line item capex. None when the
    question asks no such expression; a Formula with no tokens when it asks one that cannot be read
    whole (so that no other figure is computed in its place)."""
    m = _ASKED.search(question[: defined.start] if defined is not None else question)
    if m is None:
        return None
    phrase = m.group("phrase")
    body = _with_symbols(phrase)
    if body == phrase:
        return None  # no word operator: one figure
    name = _unqualified(phrase)
    # The years are the question's: its whole text, or the part before its definition.
    start = defined.start if defined is not None else len(question)
    tokens: list[str | float | Term] = []
    for i, piece in enumerate(_ASKED_OP.split(body)):
        if i % 2:  # the operators sit between the pieces
            tokens.append(piece)
            continue
        named = _named_formula(piece, defined)
        term = None if named is not None else _term(_bare(piece))
        if named is None and term is None:
            return Formula(name, (), start)
        tokens.extend(named if named is not None else [term])  # type: ignore[list-item]
    return Formula(name, tuple(tokens), start)
