"""The text a scoped search ranks by: the query without the words its filter already enforces.

A scope resolved to filings is applied as a hard filter on their document ids, so the words that
named it (the company, its ticker, the form, the fiscal year and quarter) can no longer tell two
candidates apart: every candidate is in those filings. Left in the query they do harm. BM25 weighs
a company name by its rarity across the whole corpus, and the embedder leans toward passages that
repeat the name and the period (cover pages, certifications, forward-looking-statement lists,
quarter headlines), so they outrank the passage on the asked subject (an acquisition note, a
lawsuit). This is the split a self-query retriever makes: the structured part of a question becomes
the filter, the rest is what is searched.

Only what the filter enforces is taken out: company names are those of the filings in scope, and
nothing is taken out of an unscoped search. Spans that choose columns or rows inside a filing
("six months", "year-to-date", a segment's name) stay. When too little would be left, the query is
searched as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agent.retrieval.companies import CompanyCatalog, DocumentLike
from agent.schemas import Scope
from agent.text import FUNCTION_WORDS

# Words a scoped search can no longer use: the form and the fiscal period the filter holds.
_FORMS = re.compile(
    r"\b(?:form\s+)?(?:10-?[kq]|8-?k)(?:/a)?(?:['’]?s)?\b|\b(?:annual|quarterly|current)\s+(?:report|filing)s?\b",
    re.I,
)
_PERIODS = re.compile(
    r"\bFY\s?['’]?\d{2,4}\b|\bfiscal(?:\s+year)?\s+\d{4}\b|\b(?:Q[1-4]|[1-4]Q)(?:\s?(?:19|20)\d{2})?\b"
    r"|\b(?:first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:fiscal\s+)?quarter(?:\s+of)?\b"
    r"|(?<![\d$.,])(?:19|20)\d{2}(?![\d,.]\d|%)",
    re.I,
)
# Content words that must remain ("NVIDIA 10-Q Q3 2023" leaves none) for the stripped text to be searched instead of the query.
MIN_REMAINING_WORDS = 1
_CONTENT = re.compile(r"[A-Za-z]{3,}")
_FILLER = FUNCTION_WORDS | {"what", "which", "did", "does", "how", "any", "there", "these", "those"}


def _company_patterns(catalog: CompanyCatalog) -> list[re.Pattern[str]]:
    """Each alias of the companies in scope as a pattern over the raw text (possessive included),
    longest first; tickers only as written, in capitals."""
    out = []
    for alias in sorted(catalog.aliases, key=len, reverse=True):
        words = [re.escape(w) for w in alias.split()]
        out.append(re.compile(r"(?<![\w&])" + r"[\W_]*".join(words) + r"(?:['’]s)?(?![\w&])", re.I))
    for ticker in sorted(catalog.tickers, key=len, reverse=True):
        out.append(re.compile(r"(?<![\w$])\$?" + re.escape(ticker) + r"(?:['’]s)?(?![\w])"))
    return out


def _content_words(text: str) -> list[str]:
    return [w for w in _CONTENT.findall(text) if w.lower() not in _FILLER]


def search_text(query: str, scope: Scope | None, documents: Iterable[DocumentLike]) -> str:
    """``query`` without the company, form and period words of a scope resolved to filings."""
    if scope is None or scope.status != "ok" or not scope.doc_ids:
        return query
    in_scope = set(scope.doc_ids)
    catalog = CompanyCatalog.from_documents(d for d in documents if d.doc_id in in_scope)
    text = query
    for pattern in [*_company_patterns(catalog), _FORMS, _PERIODS]:
        text = pattern.sub(" ", text)
    text = re.sub(r"\s+([,.;:?!])", r"\1", " ".join(text.split()))
    if len(_content_words(text)) < MIN_REMAINING_WORDS:
        return query
    return text
