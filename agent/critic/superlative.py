"""A superlative sentence must name the row our code ranked first.

When the question asks for the highest or lowest row of a table, :mod:`agent.finance.ranking`
ranks every row and the drafter is given the winner. A sentence that still states a superlative
about another row ("Europe had the largest net sales") cites a real figure, so grounding alone
would accept it; this check sends it back with the ranked answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.finance.labels import label_words
from agent.finance.plan import SUPERLATIVE
from agent.schemas import Claim, Superlative

_KEPT = ("supported", "calculation")


def _names(sentence: str, member: str) -> bool:
    words = label_words(member) or {w.lower() for w in re.findall(r"[A-Za-z]+", member)}
    return bool(words) and words <= label_words(sentence) | {
        w.lower() for w in re.findall(r"[A-Za-z]+", sentence)
    }


# "X brought in $52 million more than operations": a comparison whose first-named row leads.
_COMPARATIVE = re.compile(
    r"\b(?:more|less|higher|lower|larger|greater|bigger|smaller|fewer|exceed(?:s|ed)?|outpaced?)\b", re.I
)


def _first_named(sentence: str, members: Sequence[str]) -> str | None:
    """The ranked row the sentence names first (by where its first word appears)."""
    found = []
    for member in members:
        words = [w for w in re.findall(r"[A-Za-z]+", member) if len(w) > 2] or [member]
        hits = [m.start() for w in words[:1] for m in re.finditer(rf"\b{re.escape(w)}", sentence, re.I)]
        if hits and _names(sentence, member):
            found.append((min(hits), member))
    return min(found)[1] if found else None


def _against_ranking(text: str, ranked: Superlative) -> bool:
    """A superlative that does not name the winner, or a comparison led by another ranked row."""
    if SUPERLATIVE.search(text) and not _names(text, ranked.member):
        return True
    if _COMPARATIVE.search(text) and ranked.members:
        first = _first_named(text, ranked.members)
        return first is not None and first != ranked.member
    return False


def hold_to_ranking(claims: Sequence[Claim], ranked: Superlative | None) -> int:
    """Mark as unsupported every kept claim that states a superlative without naming the ranked
    winner, or a comparison that another ranked row leads; returns how many were marked."""
    if ranked is None:
        return 0
    marked = 0
    for claim in claims:
        if claim.verdict in _KEPT and _against_ranking(claim.text, ranked):
            claim.verdict = "unsupported"
            claim.reason = (
                f"our ranking of all {ranked.rows} rows gives {ranked.member} ({ranked.text}) as the "
                f"{ranked.extreme} {ranked.subject}; state that row"
            )
            marked += 1
    return marked
