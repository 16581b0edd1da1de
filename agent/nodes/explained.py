"""The filer's own explanation of a line item's change: the sentences of its filings whose subject
is the item, that say it changed, and that give a cause ("Research and development expenses
increased $1.0 billion or 18% driven by investments in cloud engineering").

A question that asks for an item's figures and for more ("... and what were the driving
factors?", "... and what might this indicate?") gets the figures from our code
(:mod:`agent.nodes.computed`); the small drafter, asked for the rest, mostly writes a reason of
its own, which the critic rejects, or nothing. The filing usually states why the item moved, in
its discussion of results. Those sentences are found here by their grammar, not by their words:
the item (as the vocabulary names it) is the subject, before the causal phrase, with nothing
else named before it but the period ("Three Months Ended ... Compared with ..."), and a word of
change stands between the subject and the cause. A sentence in which the item is the cause of
something else ("cash from operations increased due to lower inventory") or a part of another
subject ("Gaming revenue was down 51%") is not the item's explanation. Our code quotes the
sentences, cited, so every word and figure is the filing's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from agent.critic.cause import CAUSAL
from agent.critic.numbers import extract_numbers
from agent.finance.changes import comparative
from agent.finance.vocabulary import ITEMS, item_of
from agent.nodes.resources import Resources
from agent.nodes.section_extract import cited, mostly_figures, whole_sentences
from agent.schemas import Calculation, Chunk, Fact, QuestionPlan, ScoredChunk, StandIn
from agent.text import FUNCTION_WORDS, MONTHS_RE

# Sentences quoted from one filing, and in all.
PER_FILING = 1
MOST = 4
# A word saying the subject moved, between the subject and the cause.
_CHANGED = re.compile(
    r"\b(?:(?:increas|decreas|declin|improv|deteriorat|expand|contract)\w*|grew|grow(?:n|s|th)?|rose|risen|"
    r"fell|fallen|drop(?:s|ped)?|higher|lower|up|down|flat|shr[iu]nk|shrank|unchanged)\b",
    re.I,
)
# What may stand between the subject and its word of change: its head noun, a verb, the figure
# ("Revenue was $1.3 billion, up $274 million"), an adverb ("generally declines"). Another noun
# there makes the item part of a longer subject ("Sales, general and administrative expense").
_BETWEEN = re.compile(
    r"^(?:expenses?|costs?|balances?|levels?|amounts?|spending|was|were|is|are|has|have|had|been|be|by|of|"
    r"million|billion|thousand|or|and|\w+ly)$",
    re.I,
)
# What may stand before the subject: the period the discussion compares ("Three Months Ended
# September 30, 2022 Compared with Three Months Ended September 30, 2021"), a determiner, "total".
_PERIOD_WORDS = re.compile(
    rf"^(?:{MONTHS_RE}|\d[\d,]*|three|six|nine|twelve|months?|quarters?|years?|ended|ending|compared|"
    r"fiscal|first|second|third|fourth|q[1-4]|ytd|total|consolidated|net|our|its)$",
    re.I,
)
_DETERMINERS = {"our", "its", "the", "total", "consolidated"}


def _subject_start(before: str) -> int | None:
    """Where the quote begins in ``before`` (the text before the item's name): at the name, or at
    a determiner right before it ("Our inventories"); None when a noun other than the period's
    words stands before the name (the item is then part of another subject)."""
    words = list(re.finditer(r"[\w'’&-]+", before))
    if any(w.group(0).lower() not in FUNCTION_WORDS and not _PERIOD_WORDS.match(w.group(0)) for w in words):
        return None
    last = words[-1] if words else None
    if last is not None and last.group(0).lower() in _DETERMINERS and not before[last.end() :].strip():
        return last.start()
    return len(before)


def _verb_follows(between: str) -> bool:
    """Whether only the subject's head, a verb, figures or adverbs stand between the item's name
    and its word of change."""
    words = re.findall(r"[a-z][\w'-]*", between, re.I)
    return len(words) <= 6 and all(_BETWEEN.match(w) for w in words)


def explanation(sentence: str, item: str) -> str:
    """The part of ``sentence`` that explains the line ``item``'s change, from the item's name to
    the end, or "" when the sentence is no such explanation."""
    if mostly_figures(sentence):
        return ""
    cause = CAUSAL.search(sentence)
    if cause is None:
        return ""
    named = ITEMS[item].asked.search(sentence[: cause.start()])
    changed = _CHANGED.search(sentence, named.end(), cause.start()) if named else None
    if named is None or changed is None or not _verb_follows(sentence[named.end() : changed.start()]):
        return ""
    start = _subject_start(sentence[: named.start()])
    if start is None:
        return ""
    quote = sentence[start:].strip()
    return quote[0].upper() + quote[1:] if quote else ""


def _matches(text: str, amounts: list[float], changes: list[tuple[float, float]]) -> bool:
    """Whether ``text`` prints one of the item's stored ``amounts`` in that filing, or one of its
    ``changes`` (a column's figure and the comparative column its table prints beside it: their
    difference or their change in percent): the sentence speaks of the company's own line, not a
    segment's ("Revenue was $1.3 billion, up $274 million" under a segment's heading). Only a
    column against its own comparative counts, so a percent cannot match by chance between a
    quarter and another period's column. A figure the filing's tables cannot show ("up 6%
    sequentially": the quarter before is in another report) does not count against it."""
    pairs = [(a, b) for a, b in changes if b]
    for n in extract_numbers(text):
        if n.is_percent:
            if any(abs(abs(a - b) / abs(b) * 100 - n.magnitude) <= n.precision + 0.5 for a, b in pairs):
                return True
        elif any(
            abs(c - n.magnitude) <= n.precision
            for c in [abs(a) for a in amounts] + [abs(a - b) for a, b in pairs]
        ):
            return True
    return False


def _item_figures(
    facts: Sequence[Fact], docs: Iterable[str], items: Sequence[str]
) -> dict[tuple[str, str], tuple[list[float], list[tuple[float, float]]]]:
    """(doc, item) -> (the item's stored amounts in that filing, each beside its comparative
    column's), each fact classified once."""
    wanted = set(docs)
    by_doc: dict[str, list[Fact]] = {}
    for fact in facts:
        if fact.doc_id in wanted:
            by_doc.setdefault(fact.doc_id, []).append(fact)
    out: dict[tuple[str, str], tuple[list[float], list[tuple[float, float]]]] = {}
    for doc, own in by_doc.items():
        for fact in own:
            item = item_of(fact)
            if item is None or item not in items:
                continue
            amounts, changes = out.setdefault((doc, item), ([], []))
            amounts.append(fact.amount)
            if (before := comparative(fact, own)) is not None:
                changes.append((fact.amount, before.amount))
    return out


def item_explanations(
    items: Sequence[str],
    docs: Iterable[str],
    doc_chunks: Callable[[str], Sequence[Chunk]],
    facts: Sequence[Fact],
) -> list[tuple[str, Chunk]]:
    """(quoted sentence, the chunk printing it) explaining the change of each of ``items`` in the
    filings ``docs`` (in the order given): at most ``PER_FILING`` a filing and ``MOST`` in all, the
    first each filing prints that prints one of the item's own stored ``facts`` in that filing (or
    a change against its comparative column); a sentence several filings print word for word is
    quoted once."""
    found: list[tuple[str, Chunk]] = []
    seen: set[str] = set()
    docs = list(docs)
    figures = _item_figures(facts, docs, items)
    for doc in docs:
        taken = 0
        for chunk in doc_chunks(doc):
            if chunk.metadata.flagged or taken >= PER_FILING:
                continue
            for sentence in whole_sentences(ScoredChunk(chunk=chunk, score=0.0)):
                quote = next(
                    (
                        q
                        for item in items
                        if (q := explanation(sentence, item))
                        and _matches(q[: CAUSAL.search(q).start()], *figures.get((doc, item), ([], [])))  # type: ignore[union-attr]
                    ),
                    "",
                )
                if quote and quote not in seen and taken < PER_FILING:
                    seen.add(quote)
                    found.append((quote, chunk))
                    taken += 1
        if len(found) >= MOST:
            break
    return found[:MOST]


def explained_sentences(
    plan: QuestionPlan,
    calcs: list[Calculation],
    context: list[ScoredChunk],
    aliases: dict[str, str],
    resources: Resources,
    outlook: bool = False,
) -> tuple[list[str], int]:
    """The filer's own sentences explaining the change of the plan's items, one from each filing
    of the figures at most (:func:`item_explanations`), and with ``outlook`` (a question asking
    what the figures indicate or imply) its expectation for the line (:func:`item_outlook`), quoted
    and cited; the passages printing them join ``context`` (and ``aliases``) in place. Also how
    many of them answer what the question asks beyond the figures: the outlook when asked for (an
    explanation of the change does not say what it indicates), else the explanations."""
    operands = [o for c in calcs for o in c.operands]
    docs = list(dict.fromkeys(o.doc_id for o in operands))
    facts = resources.company_facts(plan)
    if not docs or not facts:
        return [], 0
    found = item_explanations(plan.items, docs, resources.doc_chunks, facts)
    answering = len(found)
    if outlook:
        names = line_names(plan.items, (o.stands_in for o in operands if o.stands_in))
        expected = item_outlook(names, reversed(docs), resources.doc_chunks)
        found, answering = found + expected, len(expected)
    quoted = []
    for sentence, chunk in found:
        if chunk.id not in aliases:
            context.append(ScoredChunk(chunk=chunk, score=0.0, stage_scores={"explained": 1.0}))
            aliases[chunk.id] = f"c{len(context)}"
        quoted.append(cited(sentence, [aliases[chunk.id]]))
    return quoted, answering


# The filer saying what it expects of a line ("We expect spending in technology and infrastructure
# to increase over time as we ..."): the speaker, then a verb of expectation.
_EXPECTS = re.compile(
    r"\b(?:we|the company|management)\s+(?:currently\s+|also\s+|generally\s+|continue\s+to\s+)?"
    r"(?:expects?|anticipates?|intends?|plans?|projects?|believes?)\b",
    re.I,
)
# Where the line must be named for the sentence to be its outlook: right after the verb, at most
# a few words in ("expect spending in <line> to increase", "expect our <line> expenses to grow").
_NEAR = 5


def outlook(sentence: str, names: re.Pattern[str]) -> str:
    """``sentence`` when it is the filer's expectation of a line ``names`` matches: a verb of
    expectation, the line named within a few words after it, then a word of change; else ""."""
    if mostly_figures(sentence) or len(sentence) > 400:
        return ""
    for expects in _EXPECTS.finditer(sentence):
        named = names.search(sentence, expects.end())
        if named is None:
            continue
        gap = re.findall(r"[\w'’-]+", sentence[expects.end() : named.start()])
        if len(gap) <= _NEAR and _CHANGED.search(sentence, named.end()):
            return sentence.strip()
    return ""


def line_names(items: Sequence[str], stand_ins: Iterable[StandIn]) -> re.Pattern[str]:
    """The names a filing gives the items: the vocabulary's, and the rows standing in for them."""
    labels = sorted({re.escape(s.label) for s in stand_ins}, key=len, reverse=True)
    parts = [ITEMS[i].asked.pattern for i in items if i in ITEMS] + [rf"\b{label}\b" for label in labels]
    # No item: a pattern that matches nothing, never the empty one that matches everywhere.
    return re.compile("|".join(f"(?:{p})" for p in parts) or r"(?!)", re.I)


def item_outlook(
    names: re.Pattern[str], docs: Iterable[str], doc_chunks: Callable[[str], Sequence[Chunk]]
) -> list[tuple[str, Chunk]]:
    """(sentence, the chunk printing it): the filer's own expectation for the line ``names``
    matches ("We expect spending in ... to increase over time as ..."), the first that the first of
    ``docs`` (latest first) to state one prints; [] when none does. The filer's outlook is its own
    reading of what the figures indicate."""
    for doc in docs:
        for chunk in doc_chunks(doc):
            if chunk.metadata.flagged:
                continue
            for sentence in whole_sentences(ScoredChunk(chunk=chunk, score=0.0)):
                if quote := outlook(sentence, names):
                    return [(quote, chunk)]
    return []
