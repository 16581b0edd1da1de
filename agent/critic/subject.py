"""Subject check of a figure a passage states in prose: the draft must not give it to a subject the
passage does not give it to.

A small model answering "How has the company's revenue from online retail services changed?"
writes "Its revenue from online retail services increased 9% [c1]" over a passage that says
"Sales increased 9% ..." of the whole company. The figure is printed, so numeric grounding passes
it, and no table row is there for :mod:`agent.critic.rows` to compare. What gives it away: the words
naming the figure's subject in the draft (the clause before the figure) that come from the question
are not in the passage's sentence that prints the figure. Words relating a quantity to its subject
("increased", "accounted for", "approximately") and words of time ("quarter", "fiscal") may differ
in a faithful paraphrase and are not compared. Used by :func:`agent.critic.check.check_draft`.
"""

from __future__ import annotations

import re

from agent.critic.calc import CALC_PATTERN
from agent.critic.numbers import NumberMention, extract_numbers, supporting_lines
from agent.finance.labels import label_words, stems
from agent.finance.tables import data_row
from agent.text import FUNCTION_WORDS, MONTHS_RE

# A clause boundary before a figure: what follows names the figure's subject afresh, or names none
# ("..., which decreased 3%").
_CLAUSE = re.compile(
    r"[,;:()]|\b(?:which|that|while|whereas|due\s+to|driven\s+by|because|primarily|reflecting|"
    r"offset\s+by|including|compared)\b",
    re.I,
)
# Stems (first five letters) of words that relate a quantity to its subject, or say when or how
# much, rather than name what the figure is: a faithful paraphrase may use others than the passage.
# fmt: off
_NOT_SUBJECT = {
    w[:5]
    for w in (
        "increased", "decreased", "rose", "rise", "risen", "fell", "fall", "grew", "grow", "growth",
        "declined", "changed", "fluctuated", "drop", "dropped", "improved", "reduced", "higher", "lower",
        "compared", "approximately", "about", "amounted", "accounted", "represented", "reported",
        "recorded", "level", "figure", "value", "trend", "were", "was", "had", "has", "have", "been",
        "being", "stood", "totaled", "totalled", "reached", "came",
        "quarter", "year", "years", "fiscal", "period", "month", "ended", "ending", "first", "second",
        "third", "fourth", "half", "annual", "prior", "previous", "comparable", "same", "current",
        "last", "latest", "company", "business", "report", "filing", "form", "percent",
    )
}
# fmt: on
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_MONTH = re.compile(rf"^(?:{MONTHS_RE})$", re.I)
# A passage line that is prose, not a table row or a header: this many words at least.
_PROSE_WORDS = 4


def subject_stems(text: str) -> set[str]:
    """Stems of the words naming what ``text`` is about: not relation, time or month words."""
    words = " ".join(
        w for w in _WORDS.findall(text) if not _MONTH.match(w) and w.lower() not in FUNCTION_WORDS
    )
    return {s for s in stems(words) if s not in _NOT_SUBJECT}


def _clauses(sentence: str) -> list[tuple[NumberMention, str]]:
    """Each figure of the sentence with the words before it, back to the last clause boundary or
    the figure before it."""
    out = []
    cursor = 0
    for n in extract_numbers(sentence):
        at = sentence.find(n.raw, cursor)
        if at < 0:
            continue
        before = sentence[cursor:at]
        cuts = list(_CLAUSE.finditer(before))
        out.append((n, before[cuts[-1].end() :] if cuts else before))
        cursor = at + len(n.raw)
    return out


def _prose(line: str) -> bool:
    return data_row(line) is None and len(_WORDS.findall(line)) >= _PROSE_WORDS


def sentence_around(passage: str, line: str) -> str:
    """The passage's sentence holding ``line``: from the end of the sentence or the table row above
    it to the end of the sentence the line is in."""
    lines = passage.splitlines()
    at = lines.index(line)
    start = at
    while start > 0 and _prose(lines[start - 1]) and not lines[start - 1].rstrip().endswith((".", "?", "!")):
        start -= 1
    end = at
    while (
        end + 1 < len(lines) and not lines[end].rstrip().endswith((".", "?", "!")) and _prose(lines[end + 1])
    ):
        end += 1
    return " ".join(" ".join(lines[start : end + 1]).split())


def _named_row(lines: list[str], sentence: str) -> bool:
    """Whether a table row holding the figure is one the sentence names (the row check's domain)."""
    said = label_words(sentence)
    return any((row := data_row(line)) and label_words(row[0]) & said for line in lines)


def unnamed_subject(sentence: str, sources: list[str], question: str) -> str:
    """A reason when a figure of ``sentence`` is printed only in prose sentences of ``sources`` that
    do not name the subject the draft gives it (in the question's words), else ""."""
    asked = subject_stems(question)
    bare = CALC_PATTERN.sub(" ", sentence)
    for n, clause in _clauses(bare):
        subject = subject_stems(clause) & asked
        if not subject:
            continue
        lines = supporting_lines(n, sources)
        prose = [line for line in lines if _prose(line)]
        if not prose or _named_row(lines, bare):
            continue
        printed = [
            sentence_around(text, line) for line in prose for text in sources if line in text.splitlines()
        ]
        missing = [subject - subject_stems(text) for text in printed]
        if printed and all(missing):
            best = min(range(len(printed)), key=lambda i: len(missing[i]))
            words = [w for w in _WORDS.findall(clause) if stems(w) & missing[best]]
            return (
                f"{n.raw} is printed in '{printed[best][:160]}', which does not say it is about "
                f"{' '.join(words)}: give each figure for what its passage says it is"
            )
    return ""
