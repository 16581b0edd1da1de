"""A reason the passages do not give: a draft sentence that links two things by cause ("X was
driven by Y", "Y led to X") must have a sentence in its cited passages that links them too.

Small models add causes the filing never states: "The growth in R&D spending is driven by the
introduction of new products and services, such as Windows, Azure, ..." over a passage that lists
those products as where the company will keep investing. Every word is in the passage, so the
lexical gate passes it and the judge model tends to accept it. Here the sentence is cut at its
causal phrase; some passage sentence with a causal phrase of its own must share a subject word
(:func:`agent.critic.subject.subject_stems`) with each side. Which way the cause runs is not
compared, only that the passage links the two (a passage sentence may name its subject in the
sentence before: "Revenue increased 10%. The increase was due to ..."). Used by :func:`agent.critic.check.check_draft`.
"""

from __future__ import annotations

import re

from agent.critic.quote import printed_sentences
from agent.critic.subject import subject_stems

# An adverb may stand inside a phrase: "due primarily to", "driven largely by", "resulting mainly from".
_ADVERB = r"(?:\w+ly\s+)?"
_PHRASES = (
    rf"due\s+{_ADVERB}to|driven\s+{_ADVERB}by|dr(?:ove|ives|iving)|because(?:\s+of)?|as\s+a\s+result\s+of|"
    rf"result(?:ed|s|ing)?\s+{_ADVERB}(?:in|from)|caus(?:ed|es|ing)|l(?:ed|eads?|eading)\s+to|"
    r"contribut(?:ed|es|ing|ors?)|owing\s+to|reflect(?:s|ed|ing)?|primarily\s+(?:from|by)|offset\s+by|"
    r"thanks\s+to|fu(?:el|ell)ed\s+by|spurred\s+by|on\s+account\s+of"
)
# Phrases by which a draft sentence states a cause or a consequence. Not "attributable to" or
# "contribution": row labels use them ("Net earnings attributable to shareholders", "Contribution
# margin"), so a passage sentence may give a cause with them, but a draft's are not read as one.
CAUSAL = re.compile(rf"\b(?:{_PHRASES})\b", re.I)
_GIVES_CAUSE = re.compile(rf"\b(?:{_PHRASES}|attribut(?:able|ed)\s+to|contributions?)\b", re.I)


def unstated_cause(sentence: str, sources: list[str]) -> str:
    """A reason when ``sentence`` links two subjects by cause and no sentence of ``sources`` that
    states a cause names both, else ""."""
    found = CAUSAL.search(sentence)
    if found is None:
        return ""
    effect, cause = subject_stems(sentence[: found.start()]), subject_stems(sentence[found.end() :])
    if not effect or not cause:
        return ""  # one side names nothing to look for ("This was driven by ...")
    for text in sources:
        printed = printed_sentences(text)
        for i, line in enumerate(printed):
            if _GIVES_CAUSE.search(line):
                # "The increase was primarily due to ..." names its subject in the sentence before.
                words = subject_stems(" ".join(printed[max(0, i - 1) : i + 1]))
                if effect & words and cause & words:
                    return ""
    return (
        f"links its subject to a cause ('{found.group(0)}') that no cited sentence gives: state a "
        "reason only as a passage states it"
    )
