"""Lexical query expansion with the names filings actually print.

People say "income statement" or "P&L"; filings title it "Consolidated Statements of Operations"
(or "... of Income" / "... of Earnings"). BM25 only sees shared words, so each statement a question
names gets the titles registrants use for it. Pure and deterministic; no dev-set wording.
"""

from __future__ import annotations

import re

from agent.finance.vocabulary import ITEMS
from agent.retrieval.companies import SUFFIXES, core_name
from agent.schemas import Scope
from agent.text import FUNCTION_WORDS

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


# A form named in a question ("these 10-Qs", "the annual report", "Form 8-K filings").
_FORM_MENTION = re.compile(
    r"\b(?:(?:the|these|those|this|its|their|each|all|both)\s+)?(?:form\s+)?(?:10-?[kq]|8-?k)(?:/a)?['’]?s?\b"
    r"(?:\s+(?:reports?|filings?|documents?))?"
    r"|\b(?:(?:the|these|those|this|its|their|each|all|both)\s+)?(?:quarterly|annual)\s+(?:reports?|filings?)\b",
    re.I,
)


def _company_mention(name: str) -> re.Pattern[str] | None:
    """The company's name as a question writes it: the name without its legal form, or its first
    word alone, possessive or not ("Amazon's" for "Amazon.com, Inc.")."""
    words = [w for w in core_name(name) if w != "&"]
    if not words:
        return None
    joined = r"[\W_]*".join(re.escape(w) for w in words)
    first = re.escape(words[0]) if len(words) > 1 and len(words[0]) >= 3 else None
    names = f"{joined}|{first}" if first else joined
    legal = "|".join(re.escape(w) for w in sorted(SUFFIXES - {"&", "the"}))
    return re.compile(rf"\b(?:{names})(?:[\s,]+(?:{legal})\b\.?)*(?:['’]s?)?(?!\w)", re.I)


def chose_filings(scope: Scope | None) -> bool:
    """Whether the scope resolved and chose the filings searched (their company, form and period
    then need no words of the query)."""
    return scope is not None and scope.status == "ok" and bool(scope.doc_ids)


def topic_query(query: str, scope: Scope | None) -> str:
    """The query's topic: the query without the names the scope filter already applies.

    Inside one company's scoped filings its name and the form's name ("Amazon", "these 10-Qs") are
    on every page, so they rank the pages that print them most: cover, contents, statement headers,
    certifications ("I have reviewed this Form 10-Q"). With several companies in scope a query's
    company name picks its filer, and is kept. The query stays whole when fewer than two content
    words would be left. (The hybrid search runs the topic beside the whole query: a figure's
    statement page is headed by the filer's name, a note's is not.)"""
    if scope is None or not chose_filings(scope):
        return query
    text = _FORM_MENTION.sub(" ", query)
    firsts = {(core_name(c) or ("",))[0] for c in scope.companies}
    if len(firsts) == 1:
        for company in scope.companies:
            pattern = _company_mention(company)
            if pattern is not None:
                text = pattern.sub(" ", text)
    text = " ".join(text.split())
    content = [w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in FUNCTION_WORDS]
    return text if len(content) >= 2 else query
