"""A total asked over several things must not be the amount of one of them.

"What may the company borrow in total under its revolving credit agreements?" answered with the
amount a passage prints for *one* agreement cites a real figure, so grounding accepts it. When the
plan says the question asks a total over a plural (:attr:`QuestionPlan.total_over`), a single-figure
sentence whose figure the cited passages print only in sentences about one such thing (the plural's
head in the singular, "agreement") and never as a total ("total", "aggregate", "combined") is sent
back: add the amounts of each (a CALC our critic checks), or say the passages give only one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from agent.critic.numbers import extract_numbers, is_grounded
from agent.schemas import Claim

_TOTAL_WORDS = re.compile(r"\b(?:total(?:s|ing|ed)?|aggregate|combined|together|in\s+all|sum)\b", re.I)
_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[A-Z(“\"])")


def singular(noun_phrase: str) -> str:
    """The head of a plural noun phrase in the singular ("credit agreements" -> "agreement")."""
    head = noun_phrase.split()[-1].lower() if noun_phrase.split() else ""
    if head.endswith("ies"):
        return head[:-3] + "y"
    return head[:-1] if head.endswith("s") else head


def sentences(text: str) -> list[str]:
    return _SENTENCE_END.split(" ".join(text.split()))


def hold_to_total(claims: Sequence[Claim], total_over: str, passages: Mapping[str, str]) -> None:
    """Send back (in place) a one-figure sentence that gives one part of the total asked."""
    one = singular(total_over)
    if not one:
        return
    head = re.compile(rf"\b{re.escape(one)}\b", re.I)
    for claim in claims:
        figures = extract_numbers(claim.text)
        if claim.verdict != "supported" or len({n.magnitude for n in figures}) != 1:
            continue
        printing = [
            s
            for cid in claim.chunk_ids
            if cid in passages
            for s in sentences(passages[cid])
            if is_grounded(figures[0], [s])
        ]
        if (
            printing
            and not any(_TOTAL_WORDS.search(s) for s in printing)
            and all(head.search(s) for s in printing)
        ):
            claim.verdict = "unsupported"
            claim.reason = (
                f"the question asks for a total over its {total_over}; the passages print {figures[0].raw} "
                f"for one {one}: add the amount of each {one} with CALC, or say the passages give only one"
            )
