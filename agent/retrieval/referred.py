"""A named section that only points to a note of the financial statements, read in that note.

Many filers incorporate an Item by reference: a 10-Q's Legal Proceedings reads in full "See Item 1
of Part I, Financial Statements — Note 4 — Commitments and Contingencies — Legal Proceedings" or
"Refer to Note 14 – Contingencies of the Notes to Financial Statements". For a question about that
section, the note is the section: its passages are found in the same filing by the note's own
heading ("Note 4 — COMMITMENTS AND CONTINGENCIES", "NOTE 14 — CONTINGENCIES"), from there (or from
the sub-heading the pointer names, "Legal Proceedings") to the next note's heading, and they take
the section's places in the drafting context, labelled with the section they stand for.

Only a short section is read as a pointer (at most ``MAX_POINTER_WORDS`` words, naming a note):
a section that says something itself and mentions a note in passing keeps its own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from agent.schemas import Chunk, ScoredChunk

# A section of at most this many words that names a note is a pointer to that note (the titles
# and the pointer sentence; Items incorporated by reference print one or two sentences).
MAX_POINTER_WORDS = 100
_NOTE_POINTER = re.compile(
    r"\b(?:see|refer(?:\s+also)?\s+to|described\s+in|discussed\s+in|included\s+in|incorporated\b[^.]{0,40}?"
    r"\breference)\b[^.]{0,160}?\bNote\s+(?P<n>\d{1,2})\b(?P<rest>[^.]{0,160})",
    re.I,
)
_NOTE_HEAD = re.compile(r"^\s*note\s+(?P<n>\d{1,2})\s*(?:[—–\-:.]|$)", re.I | re.M)
_TITLE_SPLIT = re.compile(r"\s+[—–-]\s+|[“”\"]")
_STRIP = " “”\"'.,;:()"


def _pointer(chunks: Sequence[Chunk]) -> tuple[int, str] | None:
    """The note a short section points to and the last title named after it ('' when none)."""
    text = " ".join(" ".join(c.text for c in chunks).split())
    if not text or len(text.split()) > MAX_POINTER_WORDS:
        return None
    found = _NOTE_POINTER.search(text)
    if found is None:
        return None
    titles = [t.strip(_STRIP) for t in _TITLE_SPLIT.split(found["rest"]) if t.strip(_STRIP)]
    return int(found["n"]), (titles[-1] if len(titles) > 1 else "")


def referred_passages(doc_chunks: Sequence[Chunk], section: str) -> list[Chunk]:
    """The passages of the note a filing's ``section`` points to, in print order, each labelled
    with ``section`` ([] when the section is no pointer or the note's heading is not found)."""
    own = [c for c in doc_chunks if c.metadata.section == section and not c.metadata.is_table]
    pointed = _pointer(own)
    if pointed is None:
        return []
    number, sub = pointed

    def heads(c: Chunk) -> set[int]:
        return {int(m["n"]) for m in _NOTE_HEAD.finditer(c.text)}

    mine = {c.id for c in own}
    start = next((i for i, c in enumerate(doc_chunks) if c.id not in mine and number in heads(c)), None)
    if start is None:
        return []
    # The note ends at the next note's heading, or where its section of the filing ends.
    home = doc_chunks[start].metadata.section
    end = next(
        (
            j
            for j in range(start + 1, len(doc_chunks))
            if heads(doc_chunks[j]) - {number} or doc_chunks[j].metadata.section != home
        ),
        len(doc_chunks),
    )
    note = list(doc_chunks[start:end])
    if sub:
        wanted = sub.lower()
        holds = [any(line.strip(_STRIP).lower() == wanted for line in c.text.splitlines()) for c in note]
        at = holds.index(True) if any(holds) else 0
        # Passages overlap: the next one printing the sub-heading too starts at it.
        note = note[at + 1 if at + 1 < len(note) and holds[at + 1] else at :]
    return [
        c.model_copy(update={"metadata": c.metadata.model_copy(update={"section": section})})
        for c in note
        if not c.metadata.is_table
    ]


def follow_pointers(
    context: list[ScoredChunk],
    candidates: Sequence[ScoredChunk],
    sections: Sequence[str],
    share: float,
    doc_chunks: Callable[[str], list[Chunk]],
) -> list[ScoredChunk]:
    """``context`` with each named section that only points to a note replaced by that note's
    passages: they take the pointer's place, then the lowest-ranked places outside the named
    sections, in turn from each filing, until the section holds ``share`` of the context. A note's
    passages among the retrieval ``candidates`` come first (best first), then the rest in print
    order."""
    rank = {c.id: n for n, c in enumerate(candidates)}
    seats = int(len(context) * min(max(share, 0.0), 1.0))
    wanted = set(sections)
    docs = list(dict.fromkeys(c.chunk.metadata.doc_id for c in context if c.chunk.metadata.section in wanted))
    if not seats or not docs:
        return list(context)
    out = list(context)
    at = {c.id: j for j, c in enumerate(context)}
    queues: list[list[Chunk]] = []
    pointers: list[int] = []
    for doc in docs:
        chunks = doc_chunks(doc)
        for section in sections:
            referred = referred_passages(chunks, section)
            if not referred:
                continue
            for c in referred:
                if c.id in at:  # already in the context: it now stands for the section
                    out[at[c.id]] = context[at[c.id]].model_copy(update={"chunk": c})
            pointers += [
                j
                for j, c in enumerate(context)
                if c.chunk.metadata.doc_id == doc and c.chunk.metadata.section == section
            ]
            queue = sorted((c for c in referred if c.id not in at), key=lambda c: rank.get(c.id, len(rank)))
            if queue:  # sorted is stable: print order after the candidates
                queues.append(queue)
    turns = [q[n] for n in range(max((len(q) for q in queues), default=0)) for q in queues if n < len(q)]
    outside = [j for j, c in enumerate(out) if c.chunk.metadata.section not in wanted][::-1]
    slots = (pointers + outside)[: min(seats, len(turns))]
    low = min((c.score for c in context), default=0.0)
    for slot, incoming in zip(sorted(slots), turns, strict=False):
        out[slot] = ScoredChunk(chunk=incoming, score=low, stage_scores={"referred": 1.0})
    return out
