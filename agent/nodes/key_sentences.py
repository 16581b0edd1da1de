"""Key sentences: the printed sentences of the context that use the question's rarest words, for a
question whether something happened ("Were there any significant acquisitions or divestitures in
the quarter?"). The drafter picks among them in a short call; our code quotes the picked ones, cited.

A small drafter given 1.5k tokens of passages often misses the one sentence that answers such a
question (an acquisition agreement at the end of a passage that opens with a table) and writes a
bare "yes, there were ..." that repeats the question, or "cannot answer". Figure questions get a
list of candidate figures (:mod:`agent.finance.figures`); this is the same help for a question
about an event: the few whole sentences, each with its passage id, that share the most
distinctive words with the question. The question is read without the names its scope applies
(company, form: :func:`agent.retrieval.query.topic_query`), and its words are weighted by how rare
they are among the passages of the filings in scope (inverse document frequency), so the words
every filing repeats ("report", "significant", "quarter") weigh little. A sentence is listed only
when it holds at least one distinctive word of the question (printed in at most
``DISTINCTIVE_SHARE`` of those passages): with none, the list would be noise and is left empty. A
sentence is listed only when it says when (a year, a month and day, the quarter): one that reports
that something happened does, a bylaw's rule or a definition does not. No
word list, no company: what ranks a sentence is the question's own words.

Sentences are read as :func:`agent.nodes.section_extract.whole_sentences` reads them (whole printed
sentences without the headings the page runs into them, instruction-like ones removed), so a
sentence the drafter copies is a verifiable quote, and a heading's words ("NOTE 1 — ACCOUNTING
POLICIES") are no evidence that the sentence under it reports what the heading names.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage

from agent.config import Context
from agent.critic.cause import CAUSAL
from agent.nodes.llm import generate_text
from agent.nodes.resources import Resources
from agent.nodes.section_extract import cited, mostly_figures, whole_sentences
from agent.prompts.common import SYSTEM
from agent.prompts.draft import pick_instructions
from agent.retrieval.asked import without_periods
from agent.retrieval.query import chose_filings, topic_query
from agent.schemas import QuestionPlan, ScoredChunk, Usage
from agent.state import State, add_usage
from agent.text import FUNCTION_WORDS, MONTHS_RE

# A word's first letters: "acquisition", "acquired" and "acquire" count as one word.
STEM_LETTERS = 5
# Sentences kept below the best one's score: at least this share of it.
MIN_SHARE_OF_BEST = 0.5
# A distinctive word: printed in at most this share of the scoped filings' passages (a topic such as
# "divestitures" is in a few notes; "report" or "significant" is on most pages).
DISTINCTIVE_SHARE = 0.1
# "Not reported" is said only when the drafter was shown every sentence of the filing that says when
# and holds a word of the question printed in at most this share of its passages: twice the
# distinctive share, because the sentence reporting an event may use a word the filing also prints
# elsewhere (a retailer's "acquired" a company, beside its acquisitions of equipment on one
# passage in seven). A filing that prints more such sentences than were shown gets no such claim.
CLAIM_SHARE = 0.2
# Sentences the drafter may pick for one answer.
PICKED_MOST = 2
# A sentence reporting that something happened says when: a year, a month and day, the quarter
# ("On February 22, 2023, we acquired ...", "During the quarter, we recorded ..."). A bylaw's
# rule, a definition or a policy says none of these.
_DATED = re.compile(rf"\b(?:19|20)\d\d\b|\bquarter\b|\b(?:{MONTHS_RE})\s+\d", re.I)
# The question's framing, not its topic: "reported by", "disclosed in", "did it mention". A sentence
# reporting an event says what happened ("we acquired ..."), not that it was reported; weighed as
# topic words, these would rank and count every sentence about a "reporting unit" or a report.
_FRAMING = re.compile(r"\b(?:report(?:s|ed)?|disclos(?:e|es|ed)|mention(?:s|ed)?|reveal(?:s|ed)?)\b", re.I)


def without_framing(text: str) -> str:
    """The question's words on what happened, without the ones that say it was reported."""
    return " ".join(_FRAMING.sub(" ", text).split())


def _stems(text: str) -> set[str]:
    words = re.findall(r"[a-z][a-z'-]+", text.lower())
    return {w[:STEM_LETTERS] for w in words if len(w) >= 4 and w not in FUNCTION_WORDS}


def asks_whether_something_happened(plan: QuestionPlan | None) -> bool:
    """A yes/no question about no line item or metric: whether an event or a change was reported
    (an acquisition, a change of accounting policy), answered by a sentence, not a figure."""
    return plan is not None and plan.form == "yes_no" and not plan.items and not plan.metric


def letters(text: str) -> str:
    """A sentence as compared with another: its letters and digits only (one filing prints
    "suppliers, and" where another prints "suppliers and")."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _weights(
    asked: set[str], corpus: Iterable[str], share: float = DISTINCTIVE_SHARE
) -> tuple[dict[str, float], set[str]] | None:
    """Each asked stem's inverse document frequency over ``corpus``, and the rare ones (printed in
    at most ``share`` of its passages); None for an empty corpus."""
    counts: Counter[str] = Counter()
    n = 0
    for text in corpus:
        counts.update(_stems(text) & asked)
        n += 1
    if n == 0:
        return None
    weight = {w: math.log((n + 1) / (counts[w] + 0.5)) for w in asked}
    return weight, {w for w in asked if counts[w] <= share * n}


def unread(topic: str, filing: list[ScoredChunk], shown: set[str]) -> tuple[list[str], int]:
    """The words of ``topic``, as it writes them, printed in at most ``CLAIM_SHARE`` of the
    filing's passages, and how many sentences of the filing that say when and hold one of them are
    not among ``shown`` (their :func:`letters`): what a reading that showed the drafter ``shown``
    left unread."""
    weighed = _weights(_stems(topic), [c.chunk.text for c in filing], CLAIM_SHARE)
    rare = weighed[1] if weighed is not None else set()
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", topic) if _stems(w) and _stems(w) <= rare]
    left = {letters(sentence) for _, sentence in _holding(filing, rare, _DATED.search)}
    return list(dict.fromkeys(words)), len(left - shown)


def _holding(
    passages: list[ScoredChunk], stems: set[str], keep: Callable[[str], object]
) -> Iterator[tuple[int, str]]:
    """(1-based passage position, sentence) for each whole sentence of the passages that ``keep``
    takes and that holds one of ``stems``; whole_sentences already left out short pieces, a
    table's rows read as a sentence are left out here."""
    for i, chunk in enumerate(passages, start=1):
        for sentence in whole_sentences(chunk):
            if not mostly_figures(sentence) and keep(sentence) and _stems(sentence) & stems:
                yield i, sentence


def key_sentences(
    topic: str,
    context: list[ScoredChunk],
    corpus: Iterable[str],
    limit: int = 4,
    keep: Callable[[str], object] = _DATED.search,
) -> list[tuple[str, str]]:
    """At most ``limit`` (sentence, "cN") pairs (N: the passage's position in the context), the
    whole sentences of the context holding the most inverse-document-frequency weight of the words
    of ``topic`` (the question without its scope's names), in context order. ``corpus``: the texts
    of the passages of the filings in scope, the frequencies' base. Only sentences ``keep`` takes
    (by default: those that say when), holding a distinctive word of the topic and scoring at
    least ``MIN_SHARE_OF_BEST`` of the best are listed; a sentence several passages print (word for
    word, or but for punctuation and spacing) is listed once."""
    asked = _stems(topic)
    if limit <= 0 or not asked:
        return []
    weighed = _weights(asked, corpus)
    if weighed is None:
        return []
    weight, distinctive = weighed
    found: dict[str, int] = {}
    seen: set[str] = set()
    for i, sentence in _holding(context, distinctive, keep):
        if letters(sentence) not in seen:
            found[sentence] = i
            seen.add(letters(sentence))
    if not found:
        return []
    scores = {s: sum(weight[w] for w in asked & _stems(s)) for s in found}
    best = max(scores.values())
    ranked = sorted((s for s in found if scores[s] >= MIN_SHARE_OF_BEST * best), key=lambda s: -scores[s])
    return [(s, f"c{found[s]}") for s in sorted(ranked[:limit], key=lambda s: found[s])]


def explaining_sentences(
    topic: str, context: list[ScoredChunk], corpus: Iterable[str], limit: int
) -> list[tuple[str, str]]:
    """The key sentences of the context (:func:`key_sentences`) that give a cause or a consequence
    (a causal phrase, as the critic's cause check reads one: "has grown significantly due to ...",
    "decreased due to ..."): the filer's own words on the "why" or "what it indicates" of a question
    whose figures our code stated, for when the model wrote nothing of it."""
    return key_sentences(topic, context, corpus, limit, keep=CAUSAL.search)


def scoped_corpus(resources: Resources, passages: list[ScoredChunk]) -> Iterator[str]:
    """The texts of every passage of the filings the context cites: the base of the words'
    frequencies."""
    docs = dict.fromkeys(c.chunk.metadata.doc_id for c in passages)
    return (chunk.text for doc in docs for chunk in resources.doc_chunks(doc))


def picked(reply: str, count: int, most: int = PICKED_MOST) -> list[int]:
    """0-based indices of the sentences a reply like "2" or "1, 3" names (at most ``most``, each
    once, in the order named); none for "0", a number out of range or no number at all."""
    numbers = [int(n) for n in re.findall(r"\d+", reply.strip().split("\n")[0])]
    if not numbers or numbers[0] == 0:
        return []
    return list(dict.fromkeys(n - 1 for n in numbers if 1 <= n <= count))[:most]


def _chosen_filings(state: State, resources: Resources) -> list[ScoredChunk]:
    """Every passage of the filings the scope chose, filing by filing ([] when it chose none)."""
    scope = state.scope
    if not chose_filings(scope) or scope is None:
        return []
    return [ScoredChunk(chunk=c, score=0.0) for doc in scope.doc_ids for c in resources.doc_chunks(doc)]


async def _pick(
    ctx: Context, resources: Resources, asked: str, found: list[tuple[str, str]]
) -> tuple[list[int], Usage]:
    """The drafter's pick among the listed sentences (0-based), in one short call."""
    messages = [
        SystemMessage(SYSTEM),
        HumanMessage(pick_instructions(asked, [s for s, _ in found], PICKED_MOST)),
    ]
    reply, usage = await generate_text(resources.chat_model(ctx.drafter_model), messages, max_tokens=12)
    return picked(reply, len(found)), usage


def _quoted(quotes: list[tuple[str, str]], listed: int, usage: Usage, where: str) -> dict[str, Any]:
    """The draft quoting the picked (sentence, alias) pairs, each cited."""
    draft = " ".join(cited(sentence, [alias]) for sentence, alias in quotes)
    note = (
        f"draft: quoted the {len(quotes)} sentence(s) the drafter picked among {listed} key sentences {where}"
    )
    return {"draft": draft, "figures": [], "usage": usage, "calculations": [], "fallbacks": [note]}


def unreported(filing: list[ScoredChunk], words: list[str]) -> str:
    """What a whole reading of one filing that found nothing looked at, said for the answer (no
    count of passages: an answer's numbers are the filing's figures, cited, or ours over them)."""
    m = filing[0].chunk.metadata
    label = " ".join(p for p in (m.company, m.form_type, m.period_label) if p)
    return (
        f"I read every passage of {label} for the sentences using the question's rarest "
        f"words ({', '.join(words)}): none of them reports it, and the passages retrieved for the "
        "question do not either."
    )


async def quoted_draft(
    state: State, ctx: Context, resources: Resources, question: str
) -> tuple[dict[str, Any] | None, Usage, str]:
    """The draft of a question whether something happened, as the printed sentences that answer
    it: our code lists the context's key sentences, the drafter picks (a short call: the sentences,
    not the passages), our code quotes them, each cited to its passage. When the scope chose
    filings and the drafter picked none of the context's, the whole of those filings is read the
    same way (a second short call, :func:`_second_reading`), and a picked sentence's passage joins
    the context.

    (None, usage, note) when the question is no such question, or no sentence was picked: the model
    then drafts from the passages as usual. ``note`` (:func:`unreported`) says that the whole of
    the one filing in scope was read for the question's rarer words, every sentence that says when
    and holds one of them was shown to the drafter (:func:`unread`), and none reports it; ""
    otherwise. It is the answer's ground when the drafter finds nothing either."""
    if ctx.key_sentences <= 0 or not asks_whether_something_happened(state.plan) or not state.context:
        return None, Usage(), ""
    passages, topic = list(state.context), topic_query(question, state.scope)
    filing = _chosen_filings(state, resources)
    corpus = [c.chunk.text for c in filing] or list(scoped_corpus(resources, passages))
    # The drafter judges what kind of event a sentence reports; the scope already chose the filings
    # (company, form, period). Asked with the period, a small model rejects the sentence that
    # answers ("During the first quarter of 2022, we entered into a definitive agreement to
    # acquire ...", printed in the asked 2023 report) for its date. Unscoped, the period stays.
    # The sentences are found by the same words: a "most recent" the scope applied would list any
    # sentence saying "recently" (a regulator's inquiry into a "recently implemented" rule).
    asked = without_periods(topic) if chose_filings(state.scope) else question
    words = without_framing(asked)
    usage = Usage()
    found = key_sentences(words, passages, corpus, ctx.key_sentences)
    if found:
        chosen, usage = await _pick(ctx, resources, asked, found)
        if chosen:
            return _quoted([found[i] for i in chosen], len(found), usage, "of the context"), usage, ""
    if not filing:
        return None, usage, ""
    return await _second_reading(state, ctx, resources, (asked, words), (filing, corpus), found, usage)


async def _second_reading(
    state: State,
    ctx: Context,
    resources: Resources,
    asked: tuple[str, str],
    read: tuple[list[ScoredChunk], list[str]],
    found: list[tuple[str, str]],
    usage: Usage,
) -> tuple[dict[str, Any] | None, Usage, str]:
    """The whole of the chosen filings read for what the context's reading missed: their key
    sentences not shown yet, for one more pick. A picked sentence is quoted, its passage joining
    the context. None picked, the scope holding one filing and every sentence its words could find
    shown: the "not reported" note (with several filings, nothing found stays an abstention).
    ``asked``: the question as the drafter reads it, and its words on what happened (weighed);
    ``read``: the filings' passages and their texts (the words' frequencies)."""
    question, words = asked
    (filing, corpus), passages = read, list(state.context)
    # The claim's ground: the one filing in scope, read whole.
    one = state.scope is not None and len(state.scope.doc_ids) == 1
    shown = {letters(s) for s, _ in found}
    limit = ctx.key_sentences
    more = [
        (s, a) for s, a in key_sentences(words, filing, corpus, limit + len(found)) if letters(s) not in shown
    ]
    more = more[:limit]
    if more:
        chosen, used = await _pick(ctx, resources, question, more)
        usage = add_usage(usage, used)
        if chosen:
            return _quote_from(filing, passages, [more[i] for i in chosen], len(more), usage), usage, ""
    # Nothing picked: "not reported" only for a question whether there was any such event (not
    # "does it have an improving ..."), and when nothing the words could find went unshown.
    said, left_count = unread(words, filing, shown | {letters(s) for s, _ in more})
    claim = one and said and not left_count and state.plan is not None and state.plan.any_event
    return None, usage, unreported(filing, said) if claim else ""


def _quote_from(
    filing: list[ScoredChunk],
    passages: list[ScoredChunk],
    quotes: list[tuple[str, str]],
    listed: int,
    usage: Usage,
) -> dict[str, Any]:
    """The draft quoting sentences picked from the whole filings ("cN": the N-th passage of
    ``filing``), each cited to its passage: one of the context keeps its number, another joins the
    context after it."""
    number = {c.id: k for k, c in enumerate(passages, start=1)}
    context, cited = list(passages), []
    for sentence, alias in quotes:
        chunk = filing[int(alias[1:]) - 1]
        if chunk.id not in number:
            context.append(chunk)
            number[chunk.id] = len(context)
        cited.append((sentence, f"c{number[chunk.id]}"))
    update = _quoted(cited, listed, usage, "of the rest of the filing")
    return {**update, "context": context}
