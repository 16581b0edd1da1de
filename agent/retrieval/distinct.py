"""Passages a filing prints word for word like a better-ranked one of another filing, read once.

A question over several filings of one company ("in these 10-Qs", "over the quarters") retrieves
the pages every filing repeats: the forward-looking-statements preamble, the officers'
certifications, the table of contents. Each copy matches the question's words as well as the
first, so four copies of one page can fill the drafting context and push out the one note that
answers. Two passages are copies when they print the same figures and dates and their runs of two
words overlap nearly whole. A passage that prints other figures or dates reports another period
and is evidence, not a copy: the same statement of two quarters, or "no material changes to the
foreign exchange risks described as of January 29, 2023" beside the year before's. Only the
best-ranked copy is kept, except in a section the question names, which is read in every filing.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Sequence

from agent.schemas import ScoredChunk

_TOKENS = re.compile(r"[a-z]+|\d[\d,.]*")
_FIGURES = re.compile(r"\d[\d,.]*")


def word_pairs(text: str) -> frozenset[tuple[str, str]]:
    """The passage's runs of two words (lower case, figures as printed)."""
    words = _TOKENS.findall(text.lower())
    return frozenset(itertools.pairwise(words))


def figures(text: str) -> frozenset[str]:
    """The figures and dates' numbers a passage prints."""
    return frozenset(f.rstrip(".,") for f in _FIGURES.findall(text))


def overlap(a: frozenset[tuple[str, str]], b: frozenset[tuple[str, str]]) -> float:
    """Jaccard overlap of two passages' word pairs (0 for two empty passages)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def distinct_passages(
    ranked: Sequence[ScoredChunk],
    similarity: float,
    limit: int | None = None,
    sections: Collection[str] = (),
) -> list[ScoredChunk]:
    """``ranked`` without every passage of a filing that prints the same figures as a better-ranked
    passage of another filing and whose word pairs overlap it by at least ``similarity`` (1 or
    more: keep all), in rank order, at most ``limit``. Passages of the named ``sections`` are all kept: a question naming a section
    reads it in each filing ("how have the risk factors changed?"), where a copy is the answer."""
    kept: list[tuple[ScoredChunk, frozenset[tuple[str, str]], frozenset[str]]] = []
    for chunk in ranked:
        if limit is not None and len(kept) >= limit:
            break
        if similarity >= 1 or chunk.chunk.metadata.section in sections:
            kept.append((chunk, frozenset(), frozenset()))
            continue
        text, doc = chunk.chunk.text, chunk.chunk.metadata.doc_id
        pairs, printed = word_pairs(text), figures(text)
        if any(
            other.chunk.metadata.doc_id != doc and same == printed and overlap(pairs, seen) >= similarity
            for other, seen, same in kept
        ):
            continue
        kept.append((chunk, pairs, printed))
    return [chunk for chunk, _, _ in kept]
