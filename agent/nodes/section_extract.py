"""A question that names a section of the filings ("risk factors", "legal proceedings") answered in
the section's own words when the drafter finds nothing to say.

The scope holds the sections a question names (Regulation S-K Items, as the loader labels them). A
small drafter often replies "cannot answer" over a 10-Q's Item 1A that only says there have been no
material changes since the annual report, or over a lawsuit paragraph it does not read as "legal
proceedings". Yet that text is the filing's answer. Here our code writes a draft of whole printed
sentences from the context passages of those sections, each cited to its passage, taken in turn
from every filing in scope (earliest period first). The critic checks it like any draft: a sentence
copied from its passage is supported without the judge, and a sentence with a figure is checked as
usual. Passages are read with instruction-like sentences removed (:mod:`agent.injection`), so a
sentence planted in a filing is never quoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.critic.claims import split_sentences
from agent.critic.quote import MIN_QUOTE_WORDS, printed_sentences, quote_words, quoted_in
from agent.injection import without_instructions
from agent.schemas import ScoredChunk
from agent.text import FUNCTION_WORDS

_ITEM_HEAD = re.compile(r"^(?:Part\s+[IV]+,?\s*)?Item\s+\d+[A-C]?\.?\s*", re.IGNORECASE)
_POINTER = re.compile(
    r"(?:see|refer\s+to|for\s+(?:a\s+)?(?:discussion|information|additional|further|more))\b", re.I
)
# A sentence that sends the reader to another part or filing for what it is about ("... including
# those described in Part I, Item 1A of the 2022 Form 10-K", "the risks described below"): where the
# answer is written, not the answer. One that also says nothing material changed is kept: that is
# the answer to "how have they changed".
_REFERS = re.compile(
    r"\b(?:described|discussed|set\s+forth|contained|listed|referred\s+to|identified)\s+(?:"
    r"(?:in|under)\b[^.]{0,80}?\b(?:Item\s+\d|Part\s+[IV]+\b|Form\s+10-[KQ]|Annual\s+Report|Quarterly\s+Report|Note\s+\d)"
    r"|below|above)",
    re.I,
)
_NO_CHANGE = re.compile(r"\bno\s+material\s+changes?\b", re.I)
_ENDS = (".", '."', ".”", "?", "!")
# A heading line the page runs into a sentence is at most this many words (the outline's own,
# layout-based heading test is section_outline._is_heading).
RUN_IN_HEADING_WORDS = 12
# A "sentence" more than this share figures is a table's rows run into a caption or a sentence.
MAX_FIGURE_SHARE = 0.2


def section_title(section: str) -> str:
    """'Part II, Item 1A. Risk Factors' -> 'Risk Factors'."""
    return _ITEM_HEAD.sub("", section.strip()).strip()


def _without_heading(sentence: str, title: str) -> str:
    """The sentence without the section heading the page runs into it ('Item 1A. Risk Factors The
    Company's business ...' -> 'The Company's business ...')."""
    rest = _ITEM_HEAD.sub("", sentence)
    if title and rest.lower().startswith(title.lower() + " "):
        rest = rest[len(title) + 1 :]
    return rest.strip()


def _heading_lines(passage: str) -> list[str]:
    """The passage's lines laid out as headings: no sentence ending, every word capitalised but the
    small ones, the last word not a small one ("Note 9: Acquisitions and Divestitures", "NOTE 1 —
    ACCOUNTING POLICIES", "2022 Acquisition Activity"); longest first. A line that ends in "and" or
    "the" is a sentence broken over lines, not a heading."""
    out = []
    for raw in passage.splitlines():
        line = " ".join(raw.split())
        words = re.findall(r"[A-Za-z][A-Za-z'’-]*", line)
        if not words or len(line.split()) > RUN_IN_HEADING_WORDS or line.endswith((".", ",", ";", "?", "!")):
            continue
        if words[-1].lower() in FUNCTION_WORDS:
            continue
        if all(w[0].isupper() or w.lower() in FUNCTION_WORDS for w in words):
            out.append(line)
    return sorted(set(out), key=len, reverse=True)


def _without_headings(sentence: str, headings: list[str]) -> str:
    """The sentence without the heading lines the page runs into its start ("Note 9: Acquisitions
    and Divestitures Acquisition of Tower During the first quarter ..." -> "During the first
    quarter ..."), unless what follows runs on in lower case (a sentence broken over lines)."""
    stripped = True
    while stripped:
        stripped = False
        for heading in headings:
            rest = sentence[len(heading) + 1 :]
            if sentence.startswith(heading + " ") and rest[:1] and not rest[:1].islower():
                sentence, stripped = rest, True
                break
    return sentence


def whole_sentences(chunk: ScoredChunk, referrals: bool = False) -> list[str]:
    """Whole printed sentences of a passage, without the headings the page runs into them: a piece
    cut at the passage's start or end (it runs on from or into the next passage) and a bare heading
    are left out; so are the sentences that only say where their subject is written, or with
    ``referrals`` all others but those and the ones saying nothing material changed."""
    title = section_title(chunk.chunk.metadata.section or "")
    clean = without_instructions(chunk.chunk.text, "")
    headings = _heading_lines(clean)
    out: list[str] = []
    for piece in printed_sentences(clean):
        # The heading ("Item 1A. Risk Factors") runs into the section's first sentence.
        text = _without_headings(piece if out else _without_heading(piece, title), headings)
        if not text or not (text[0].isupper() or text[0] in '“"('):
            continue  # the tail of a sentence begun in the previous passage, or after a ";"
        if not text.endswith(_ENDS) or len(quote_words(text)) < MIN_QUOTE_WORDS:
            continue
        refers = points_elsewhere(text)  # "See Note 4 ...": where the answer is, not the answer
        keep = (refers or bool(_NO_CHANGE.search(text))) if referrals else not refers
        if not keep:
            continue
        # Exactly what the critic will read: one draft sentence, copied from this passage.
        if len(split_sentences(text)) == 1 and quoted_in(text, {"p": clean}) == "p":
            out.append(text)
    return out


def mostly_figures(sentence: str) -> bool:
    """Whether more than ``MAX_FIGURE_SHARE`` of the sentence's words are figures: a table's rows
    read as a sentence, no statement to quote."""
    words = quote_words(sentence)
    return sum(w[0].isdigit() for w in words) > MAX_FIGURE_SHARE * len(words)


def points_elsewhere(sentence: str) -> bool:
    """Whether a sentence only says where its subject is written ("See Note 4", "the risks
    described in Part I, Item 1A of the 2022 Form 10-K"); one that also says nothing material
    changed is an answer."""
    return bool(_POINTER.match(sentence) or (_REFERS.search(sentence) and not _NO_CHANGE.search(sentence)))


# A citation marker as :func:`cited` writes it: "[c3]".
ALIAS = re.compile(r"\[(c\d+)\]")


def cited(sentence: str, aliases: list[str]) -> str:
    marks = "".join(f"[{a}]" for a in aliases)
    if sentence.endswith("."):
        return f"{sentence[:-1]} {marks}."
    return f"{sentence} {marks}."


def section_extract(context: list[ScoredChunk], sections: list[str], limit: int) -> str:
    """A draft of at most ``limit`` sentences printed in the context passages of the named
    ``sections``, cited by the passages' aliases ('c3': position in the context); '' when the
    context holds none. Sentences are taken in turn from each filing (earliest period first, each
    in the order it prints them), so every filing in scope is heard; a sentence several filings print word for
    word is written once, citing each."""
    return " ".join(
        cited(sentence, aliases)
        for sentence, aliases in interleaved(context, sections, limit, whole_sentences)
    )


def interleaved(
    context: list[ScoredChunk],
    sections: list[str],
    limit: int,
    read: Callable[[ScoredChunk], list[str]],
) -> list[tuple[str, list[str]]]:
    """At most ``limit`` pieces ``read`` from the context passages of the named ``sections``, each
    with the aliases of the passages that print it ('c3': position in the context): taken in turn
    from each filing (earliest period first, each in print order); a piece several filings print
    word for word is kept once, citing each. A piece of several lines is known by its first (a
    passage that prints more of it gives the longer one)."""
    if limit <= 0:
        return []
    wanted = set(sections)
    by_doc: dict[str, list[tuple[int, str, ScoredChunk]]] = {}
    for i, chunk in enumerate(context, start=1):
        meta = chunk.chunk.metadata
        if meta.section in wanted and not meta.is_table:
            by_doc.setdefault(meta.doc_id, []).append((meta.chunk_index, f"c{i}", chunk))

    def period(doc: str) -> tuple[str, str]:
        meta = by_doc[doc][0][2].chunk.metadata
        return (meta.period_end or f"{meta.fiscal_year or 0:04d}-{meta.fiscal_quarter or 0}", doc)

    queues = [
        [(piece, alias) for _, alias, chunk in sorted(by_doc[doc]) for piece in read(chunk)]
        for doc in sorted(by_doc, key=period)
    ]
    picked: dict[tuple[str, ...], tuple[str, list[str]]] = {}
    for n in range(max((len(q) for q in queues), default=0)):
        for queue in queues:
            if n >= len(queue):
                continue
            piece, alias = queue[n]
            key = tuple(quote_words(piece.split("\n", 1)[0]))
            if key in picked:
                kept, aliases = picked[key]
                if alias not in aliases:
                    aliases.append(alias)
                if piece.count("\n") > kept.count("\n"):
                    picked[key] = (piece, aliases)  # the same part, printed whole here
            elif len(picked) < limit:
                picked[key] = (piece, [alias])
    return list(picked.values())


# A section this short states a preamble and where its matters are written, not the matters: a
# 10-Q's Risk Factors that refers to the annual report runs to about a hundred words, a section
# that lists its risk factors or proceedings to thousands.
REFERRAL_WORDS = 250


def section_referral(context: list[ScoredChunk], sections: list[str]) -> str:
    """A draft quoting, in turn from each filing, the sentences by which each filing's named
    section refers to another filing or says nothing material changed ("There have been no material
    changes to the risk factors since the 2022 Form 10-K"), cited; '' unless the section is that
    short (at most ``REFERRAL_WORDS`` words) in every filing the context holds it for, and says so."""
    wanted = set(sections)
    words: dict[str, int] = {}
    for c in context:
        if c.chunk.metadata.section in wanted and not c.chunk.metadata.is_table:
            doc = c.chunk.metadata.doc_id
            words[doc] = words.get(doc, 0) + len(c.chunk.text.split())
    if not words or max(words.values()) > REFERRAL_WORDS:
        return ""
    picked = interleaved(context, sections, len(context) * 4, lambda c: whole_sentences(c, referrals=True))
    return " ".join(cited(sentence, aliases) for sentence, aliases in picked)
