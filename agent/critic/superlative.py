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


def hold_to_ranking(claims: Sequence[Claim], ranked: Superlative | None) -> int:
    """Mark as unsupported every kept claim that states a superlative without naming the ranked
    winner; returns how many were marked."""
    if ranked is None:
        return 0
    marked = 0
    for claim in claims:
        if (
            claim.verdict in _KEPT
            and SUPERLATIVE.search(claim.text)
            and not _names(claim.text, ranked.member)
        ):
            claim.verdict = "unsupported"
            claim.reason = (
                f"our ranking of all {ranked.rows} rows gives {ranked.member} ({ranked.text}) as the "
                f"{ranked.extreme} {ranked.subject}; state that row"
            )
            marked += 1
    return marked
