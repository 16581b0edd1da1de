"""Word lists shared by the lexical checks (critic support gate, query rewriting, answer grading)."""

from __future__ import annotations

# English function words that carry no evidence on their own.
FUNCTION_WORDS: frozenset[str] = frozenset(
    {
        "a",
        "also",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "by",
        "for",
        "from",
        "her",
        "his",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "other",
        "our",
        "over",
        "per",
        "such",
        "than",
        "that",
        "the",
        "their",
        "these",
        "they",
        "this",
        "those",
        "to",
        "under",
        "was",
        "we",
        "were",
        "what",
        "which",
        "who",
        "with",
        "you",
    }
)

MONTHS: tuple[str, ...] = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Regex alternation of the month names, for period labels ("three months ended July 1, 2023").
MONTHS_RE = "|".join(MONTHS)
