"""Lexical support of a narrative claim: a cheap gate before the judge model.

A small drafter often copies a real sentence but pins it on the wrong subject ("AWS sales were
driven by price, selection and convenience", a sentence the filing writes about its retail
segments). The judge model tends to accept those. So a claim must (1) share at least
``MIN_COVERAGE`` of its content words with one sentence of the cited passages, and (2) every
name it mentions (acronyms and capitalised words past the first) must appear in that sentence
or the one before it.
"""

from __future__ import annotations

import re

from agent.text import FUNCTION_WORDS, MONTHS

MIN_COVERAGE = 0.4
WINDOW = 1  # sentences before the best-matching one that may name its subject
_STOP = FUNCTION_WORDS
_NOT_NAMES = set(
    [
        "the",
        "in",
        "on",
        "during",
        "for",
        "as",
        "of",
        "a",
        "an",
        "and",
        "total",
        "net",
        "company",
        "company's",
        "our",
        "its",
        "this",
        "that",
        "these",
        "fiscal",
        "year",
        "quarter",
        "compared",
        "according",
        "based",
    ]
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z][a-z0-9&-]+", text.lower()) if w not in _STOP and len(w) > 2}


def _names(claim: str, company: str) -> set[str]:
    """Names the claim relies on: acronyms and capitalised words after the first word."""
    skip = {w.lower().strip(".,") for w in company.split()} | _NOT_NAMES | set(MONTHS)
    tokens = re.findall(r"[A-Za-z][A-Za-z0-9&.'-]*", claim)
    names = set()
    for i, tok in enumerate(tokens):
        bare = tok.rstrip(".'s").rstrip("'")
        if not bare or bare.lower() in skip:
            continue
        if (bare.isupper() and len(bare) >= 2) or (i > 0 and bare[0].isupper()):
            names.add(bare.lower())
    return names


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.;:])\s+|\n+", text) if len(s.strip()) > 2]


def lexical_support(claim: str, passages: list[str], company: str = "") -> tuple[bool, str]:
    """(supported?, reason) for a claim without figures against its cited passages."""
    words = _words(claim)
    if not words:
        return True, "nothing to check"
    best_cov, best_window = 0.0, ""
    for text in passages:
        sents = _sentences(text)
        for i, sentence in enumerate(sents):
            cov = len(words & _words(sentence)) / len(words)
            if cov > best_cov:
                # Names may sit in the sentence before ("AWS sales rose. The growth reflects ...").
                best_cov, best_window = cov, " ".join(sents[max(0, i - WINDOW) : i + 1])
    if best_cov < MIN_COVERAGE:
        return False, f"the cited passages do not state this (word overlap {best_cov:.0%})"
    window_low = best_window.lower()
    missing = [n for n in sorted(_names(claim, company)) if n not in window_low]
    if missing:
        return False, f"the cited sentence is not about {', '.join(missing)}"
    return True, f"word overlap {best_cov:.0%}"
