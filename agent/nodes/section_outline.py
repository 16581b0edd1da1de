"""A question asking what a named section of the filings discloses ("what legal proceedings ...",
"outline the risk factors") answered by the section's own outline: each sub-heading the filing
prints in it, with the sentence that opens that part.

A small drafter, shown a section's passages, tends to copy its most general sentences ("The
outcome of litigation is inherently uncertain") and to miss the matters the section is about
("Epic Games", "European Commission Competition Matter"): those are named by the section's
headings. Here our code reads the headings from the printed lines of the context passages of the
named sections and writes, for each, "<heading>: <its first sentence> [cN]." in print order, in
turn from each filing in scope (earliest first); a part several filings print word for word is
written once, citing each. Each entry copies its passage word for word, so the critic reads it as a
quote like any other draft sentence.

A heading is recognised by its layout, never by its words: a short line of its own that follows
a finished sentence, opens with a capital, does not end in punctuation, a number or a function
word, and is followed by a line that opens a sentence. A line wrapped inside a sentence fails one
of those tests; a line that opens a sentence ("We face", "The Company") is no heading either.
Headings in bold sentences ("We face intense competition ...") cannot be told from the text and
are not outlined: such a section has no outline and is drafted as before. When at least two
headings are set in capitals, or else in title case, only headings of that rank are written: a
section's headings share one style, and a sentence's line that passed the layout tests seldom has
it. A question naming another section beside these two asks how they relate: the model drafts it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agent.critic.claims import ABBREVIATION, split_sentences
from agent.critic.quote import MIN_QUOTE_WORDS, printed_sentences, quote_words, quoted_in
from agent.injection import without_instructions
from agent.nodes.section_extract import (
    cited,
    interleaved,
    mostly_figures,
    points_elsewhere,
    section_referral,
    section_title,
)
from agent.schemas import Chunk, ScoredChunk
from agent.state import State

MAX_HEADING_WORDS = 10
MAX_HEADING_CHARS = 80
# The sentences of a part written under its heading: the opening one names the matter, the next
# often says where it stands.
PART_SENTENCES = 2
# A line ending in one of these runs on into the next line: a wrapped sentence, not a heading.
_RUNS_ON = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "our",
        "than",
        "that",
        "the",
        "their",
        "to",
        "which",
        "with",
        "its",
        "whose",
        "whether",
        "between",
        "including",
        "under",
    ]
)
# A line opening with one of these opens a sentence ("We face", "The Company", "In 2009, ...").
_OPENS_SENTENCE = frozenset(
    [
        "we",
        "our",
        "the",
        "this",
        "these",
        "those",
        "that",
        "it",
        "its",
        "in",
        "if",
        "as",
        "on",
        "for",
        "at",
        "to",
        "a",
        "an",
        "there",
        "such",
        "any",
        "each",
        "when",
        "while",
        "although",
        "because",
        "under",
        "during",
        "since",
        "after",
        "before",
        "certain",
        "due",
        "despite",
        "following",
        "given",
        "based",
        "pursuant",
        "according",
        "with",
        "from",
        "by",
        "through",
        "upon",
        "however",
        "also",
    ]
)
# A line with one of these is a clause, not a name ("... has impacted End").
_CLAUSE = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "will",
        "may",
        "might",
        "could",
        "would",
        "should",
        "can",
        "we",
        "us",
        "they",
    ]
)
_FINISHED = (".", "?", "!", ":", ".”", '."', ")", "”")
_FURNITURE = re.compile(r"^(?:table\s+of\s+contents|part\s+[ivx]+|item\s+\d+[a-c]?\.?)$", re.I)
_WORDS = re.compile(r"[^\W\d_][\w’'&/-]*", re.UNICODE)


def _is_heading(line: str, before: str | None, after: str | None, title: str) -> bool:
    """Whether ``line`` is a heading of its own, judged by its layout against its neighbours."""
    text = line.strip()
    words = text.split()
    if not 2 <= len(words) <= MAX_HEADING_WORDS or len(text) > MAX_HEADING_CHARS:
        return False
    if not text[0].isupper() or text.endswith((".", ",", ";", ":", "-", "—")) or text[-1].isdigit():
        return False
    if (
        words[0].lower() in _OPENS_SENTENCE
        or (words[0].endswith(",") and not _capitals(text))  # "Concurrently, the war ..."
        or words[-1].lower().strip("’'") in _RUNS_ON
    ):
        return False
    if any(w.lower() in _CLAUSE for w in words):
        return False
    if _FURNITURE.match(text) or text.lower() == title.lower() or len(_WORDS.findall(text)) != len(words):
        return False  # page furniture, the section's own title, or a line of figures or marks
    if text.count("(") != text.count(")") or text.count("“") != text.count("”") or text.count('"') % 2:
        return False  # a piece of a parenthesis or a quotation run over a line break
    finished = (
        before is not None
        and before.rstrip().endswith(_FINISHED)
        and not ABBREVIATION.search(before.rstrip())
    )
    if before is not None and before.strip() and not finished and not _FURNITURE.match(before.strip()):
        # After an unfinished line only another heading can start a heading ("Legal Proceedings"
        # then "Epic Games").
        return _is_heading(before, None, text, title) or before.strip().lower() == title.lower()
    return (
        after is not None
        and bool(after.strip())
        and (after.strip()[0].isupper() or after.strip()[0] in '“"(')
    )


def _readable(sentence: str) -> bool:
    """A whole sentence that says something itself: not cut at the passage's end, not a pointer
    to where it is written, not a table's rows run into a caption."""
    words = quote_words(sentence)
    return (
        sentence.endswith((".", ".”", '."'))
        and len(words) >= MIN_QUOTE_WORDS
        and not points_elsewhere(sentence)
        and not mostly_figures(sentence)
    )


def _entries(chunk: ScoredChunk) -> list[str]:
    """'<heading>: <first sentence>' for each heading the passage prints with its opening
    sentence, and the part's second sentence on a line of its own when the passage prints it
    whole; each copied word for word from the passage."""
    title = section_title(chunk.chunk.metadata.section or "")
    clean = without_instructions(chunk.chunk.text, "")
    lines = clean.splitlines()
    heads = [
        i
        for i, line in enumerate(lines)
        if _is_heading(line, lines[i - 1] if i else None, lines[i + 1] if i + 1 < len(lines) else None, title)
        and not (i + 1 < len(lines) and _is_heading(lines[i + 1], line, None, title))
    ]
    out: list[str] = []
    for i, end in zip(heads, [*heads[1:], len(lines)], strict=False):
        part = [s for s in printed_sentences("\n".join(lines[i + 1 : end]))[:PART_SENTENCES] if s]
        if not part or not _readable(part[0]):
            continue
        entry = f"{' '.join(lines[i].split())}: {part[0]}"
        if len(split_sentences(entry)) != 1 or quoted_in(entry, {"p": clean}) != "p":
            continue
        more = [
            s
            for s in part[1:]
            if _readable(s) and len(split_sentences(s)) == 1 and quoted_in(s, {"p": clean})
        ]
        out.append("\n".join([entry, *more]))
    return out


def section_outline(context: list[ScoredChunk], sections: list[str], limit: int) -> str:
    """A draft of at most ``limit`` outline entries of the named ``sections`` in the context
    passages, cited by the passages' aliases ('c3': position in the context); '' when fewer than
    two headings are found (a section with no outline is left to the drafter). Only the headings of
    the section's highest rank are written (:func:`_top_level`), each heading once
    (:func:`_one_per_heading`)."""
    picked = _top_level(
        _one_per_heading(interleaved(context, sections, len(context) * MAX_HEADING_WORDS, _entries))
    )
    picked = picked[:limit]
    if len(picked) < 2:
        return ""
    texts = {f"c{i}": without_instructions(c.chunk.text, "") for i, c in enumerate(context, start=1)}
    out = []
    for entry, aliases in picked:
        heading, *more = entry.splitlines()
        out.append(cited(heading, aliases))
        # A part's later sentence may differ between filings: cite only the passages printing it.
        out.extend(cited(line, [a for a in aliases if quoted_in(line, {a: texts[a]})]) for line in more)
    return " ".join(out)


def _heading(entry: str) -> str:
    return entry.split(": ", 1)[0]


def _one_per_heading(picked: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """One entry per heading: a matter every filing reports under the same heading but in other
    words ("Epic Games" as the case moved on) is written once, in the words read last (the later
    filing's), where it first came."""
    kept: dict[str, tuple[str, list[str]]] = {}
    for entry, aliases in picked:
        kept[" ".join(quote_words(_heading(entry)))] = (entry, aliases)
    return list(kept.values())


def _top_level(picked: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """The headings of the section's highest rank: set in capitals ("OPERATIONAL RISKS") when at
    least two are, else in title case ("Other Legal Proceedings") when at least two are; a line of a
    lower rank (a sub-heading in sentence case, or a sentence's line that passed for a heading) is
    left out then."""
    for rank in (_capitals, _title_case):
        top = [(entry, aliases) for entry, aliases in picked if rank(_heading(entry))]
        if len(top) >= 2:
            return top
    return picked


# Words a title leaves in lower case ("Litigation Related to ...", "Matters of Law").
_MINOR = frozenset(_RUNS_ON | {"vs", "v", "per", "via", "over", "against", "about", "nor", "but"})


def _title_case(heading: str) -> bool:
    """Every word but the minor ones opens with a capital (words opening with a figure, "7nm",
    aside)."""
    words = [w for w in heading.split() if w[:1].isalpha() and w.lower() not in _MINOR]
    return bool(words) and all(w[0].isupper() for w in words)


def _capitals(heading: str) -> bool:
    letters = [ch for ch in heading if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters)


# Regulation S-K asks these sections to list their matters: each risk factor under a caption
# (Item 105), each material proceeding by name (Item 103). A question asking what such a section
# discloses is answered by that list.
_ENUMERATED = frozenset({"risk factors", "legal proceedings"})


def outline_draft(
    state: State, limit: int, doc_chunks: Callable[[str], list[Chunk]] | None = None
) -> dict[str, Any] | None:
    """The draft of a question asking for text from Risk Factors or Legal Proceedings when those
    sections print at least two headings: the section's outline (:func:`section_outline`), read
    over the whole section of each filing the context holds it for (``doc_chunks``: a filing's
    passages in print order), or over the context alone. The passages it cites that the context
    lacks are added to the context (so the critic and the answer read them). None otherwise (the
    model drafts)."""
    plan, scope = state.plan, state.scope
    if plan is None or plan.form != "text" or scope is None or not state.context:
        return None
    sections = list(scope.sections)
    if not sections or any(section_title(s).lower() not in _ENUMERATED for s in sections):
        # A question that also names another section ("how does the market risk discussion align
        # with the risk factors") asks about more than one section's list.
        return None
    wanted = set(sections)
    context = list(state.context)
    if doc_chunks is not None:
        present = {c.id for c in context}
        docs = dict.fromkeys(c.chunk.metadata.doc_id for c in context if c.chunk.metadata.section in wanted)
        context += [
            ScoredChunk(chunk=c, score=0.0, stage_scores={"section": 1.0})
            for doc in docs
            for c in doc_chunks(doc)
            if c.metadata.section in wanted and c.id not in present
        ]
    text = section_outline(context, sections, limit)
    named = ", ".join(dict.fromkeys(section_title(s) for s in sections))
    how = f"the outline of {named} (its headings, each with the sentences opening its part)"
    if not text:
        # No headings: a section that only refers to another filing is answered by saying so.
        text = section_referral(context, sections)
        how = f"{named} only refers to another filing: its sentences saying so"
    if not text:
        return None
    # Keep the added passages the outline cites, numbered after the context's own.
    keep = len(state.context)
    cited_added = sorted({int(n) for n in re.findall(r"\[c(\d+)\]", text) if int(n) > keep})
    renumber = {old: keep + k for k, old in enumerate(cited_added, start=1)}
    text = re.sub(r"\[c(\d+)\]", lambda m: f"[c{renumber.get(int(m[1]), int(m[1]))}]", text)
    update: dict[str, Any] = {
        "draft": text,
        "figures": [],
        "calculations": [],
        "fallbacks": [f"draft: {how} stated by our code; no model call"],
    }
    if cited_added:
        update["context"] = [*state.context, *(context[n - 1] for n in cited_added)]
    return update
