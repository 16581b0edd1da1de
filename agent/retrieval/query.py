"""Lexical query expansion with the names filings actually print.

People say "income statement" or "P&L"; filings title it "Consolidated Statements of Operations"
(or "... of Income" / "... of Earnings"). BM25 only sees shared words, so each statement a question
names gets the titles registrants use for it. Pure and deterministic; no dev-set wording.
"""

from __future__ import annotations

import re

from agent.finance.vocabulary import ITEMS

_EXPANSIONS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"\bincome statements?\b|\bstatements? of (?:income|operations|earnings)\b|\bp\s?&\s?l\b"
            r"|\bprofit and loss\b",
            re.I,
        ),
        "consolidated statements of operations income earnings net revenue total",
    ),
    (
        re.compile(r"\bbalance sheets?\b|\bstatements? of financial (?:position|condition)\b", re.I),
        "consolidated balance sheets total assets liabilities shareholders equity",
    ),
    (
        re.compile(r"\bcash ?flows? statements?\b|\bstatements? of cash flows?\b", re.I),
        "consolidated statements of cash flows operating investing financing activities",
    ),
    (re.compile(r"\bsg\s?&\s?a\b", re.I), "selling general and administrative expenses"),
    (re.compile(r"\beps\b", re.I), "earnings per share diluted basic"),
]


# Line items written short ("capex", "PP&E"), from the one line-item vocabulary.
_EXPANSIONS += [(item.short, item.printed) for item in ITEMS.values() if item.short is not None]


def expand_query(query: str) -> str:
    """The query followed by the filing vocabulary for the statements and line items it names."""
    extra = [words for pattern, words in _EXPANSIONS if pattern.search(query)]
    return " ".join([query, *extra]) if extra else query
