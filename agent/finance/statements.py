"""Which kind of statement a table is, from its title and row labels.

The primary statements print a few rows every filer prints (total assets, net cash from operating
activities, net income) and titles every filer uses ("balance sheets", "statements of cash
flows"). A table titled or headed by segments, or whose XBRL facts carry a segment axis, is a
segment table. Everything else is "other". The words are the statements' own, not any company's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.schemas import StatementKind

_TITLES: tuple[tuple[StatementKind, re.Pattern[str]], ...] = (
    ("cash_flow", re.compile(r"\bcash\s+flows?\b", re.I)),
    (
        "balance",
        re.compile(r"\bbalance\s+sheets?\b|\bstatements?\s+of\s+financial\s+(?:position|condition)\b", re.I),
    ),
    (
        "equity",
        re.compile(
            r"\b(?:stockholders|shareholders|shareowners)['’]?\s+equity\b.*\bstatements?\b|"
            r"\bstatements?\s+of\s+(?:changes\s+in\s+)?(?:stockholders|shareholders)['’]?\s+equity\b",
            re.I,
        ),
    ),
    (
        "income",
        re.compile(
            r"\bstatements?\s+of\s+(?:consolidated\s+)?(?:operations|income|earnings)\b|"
            r"\bincome\s+statements?\b|\bstatements?\s+of\s+comprehensive\s+income\b",
            re.I,
        ),
    ),
    ("segment", re.compile(r"\bsegments?\b|\bby\s+(?:geographic|reportable)\b", re.I)),
)

# Rows that only one kind of primary statement prints.
_ROWS: tuple[tuple[StatementKind, re.Pattern[str]], ...] = (
    (
        "cash_flow",
        re.compile(
            r"\b(?:operating|investing|financing)\s+activities\b|\bcash\s+equivalents,?\s+(?:and\s+restricted\s+cash\s+)?(?:at\s+)?(?:beginning|end)\b",
            re.I,
        ),
    ),
    (
        "balance",
        re.compile(r"^total\s+(?:current\s+)?(?:assets|liabilities)\b|\btotal\s+liabilities\s+and\b", re.I),
    ),
    (
        "income",
        re.compile(
            r"^(?:total\s+)?(?:net\s+(?:sales|revenues?)|revenues?|operating\s+income|income\s+before\s+(?:provision\s+for\s+)?income\s+taxes|gross\s+(?:margin|profit)|(?:basic|diluted)\b.*\bper\s+share|net\s+income|net\s+earnings)\b",
            re.I,
        ),
    ),
)


def statement_kind(title: str, labels: Sequence[str], dimensional: bool = False) -> StatementKind:
    """The statement a table is: its ``title`` (title, unit line and headings above the rows) is
    read first; failing that, its row ``labels`` vote. ``dimensional`` (XBRL facts with a segment
    or product axis) makes an untitled table a segment table."""
    for kind, pattern in _TITLES:
        if pattern.search(title):
            return kind
    votes: dict[StatementKind, int] = {}
    for label in labels:
        for kind, pattern in _ROWS:
            if pattern.search(label.strip()):
                votes[kind] = votes.get(kind, 0) + 1
                break
    if dimensional and not votes.get("balance") and not votes.get("cash_flow"):
        return "segment"
    if not votes:
        return "other"
    best = max(votes.values())
    # Two rows of a kind, or one when it is the only kind seen: an MD&A excerpt of one row is
    # "other", not a statement.
    winners = [k for k, v in votes.items() if v == best]
    if len(winners) == 1 and (best >= 2 or len(labels) <= 3):
        return winners[0]
    return "other"
