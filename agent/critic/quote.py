"""Sentences a draft copies from a passage: found, cited and supported without a model.

Small drafters often copy a filing's sentences word for word and drop the [cN] markers, or cite a
neighbouring passage. A sentence whose words run, in order, inside one sentence of a passage (at
least ``MIN_QUOTE_WORDS`` words, opening that sentence or covering at least ``MIN_SENTENCE_SHARE``
of it, so that a clause cut from its "If ..." condition does not count) is that passage's statement: it is cited to
it and needs no judge. The passages are the critic's cleaned text, so a sentence addressed to a
model (:mod:`agent.injection`) is never quoted into support.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import NamedTuple

from agent.critic.claims import ABBREVIATION

MIN_QUOTE_WORDS = 6
MIN_SENTENCE_SHARE = 0.6
_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
# Sentence ends; PDF line breaks inside a sentence are spaces.
_SENTENCE_END = re.compile(r"(?<=[.;?!])\s+(?=[A-Z(“\"$•-])|\n\s*\n|\n(?=\s*[•●▪-])")


def quote_words(text: str) -> list[str]:
    """The words a quote is matched on (lower case, curly apostrophes straightened)."""
    return _WORD.findall(text.lower().replace("’", "'"))


class _Printed(NamedTuple):
    words: list[str]
    starts: tuple[int, ...]  # word offsets where the sentence or one of its lines begins


def _sentences(passage: str) -> list[_Printed]:
    out = []
    for sentence in _split(passage):
        words: list[str] = []
        starts: list[int] = []
        for line in sentence.splitlines():
            starts.append(len(words))
            words += quote_words(line)
        if words:
            out.append(_Printed(words, tuple(starts)))
    return out


def _split(passage: str) -> list[str]:
    """The passage's sentences, lines kept; a piece that ends with an abbreviation ("Epic Games,
    Inc.", "the U.S.") runs on into the next."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(passage):
        if out and ABBREVIATION.search(out[-1].rstrip()):
            out[-1] = f"{out[-1].rstrip()} {piece}"
        elif piece.strip():
            out.append(piece)
    return out


def printed_sentences(passage: str) -> list[str]:
    """The passage's sentences as printed, in order, each on one line."""
    return [" ".join(piece.split()) for piece in _split(passage)]


def _inside(needle: list[str], hay: list[str]) -> bool:
    joined = f" {' '.join(hay)} "
    return f" {' '.join(needle)} " in joined


def _copies(words: list[str], printed: _Printed, capitalised: bool) -> bool:
    """The words open the printed sentence, or one of its lines when the draft's sentence opens
    with a capital (a heading runs into the first sentence with no stop; a PDF line wrap inside a
    sentence is not a beginning), or cover most of the sentence."""
    n = len(words)
    starts = printed.starts if capitalised else (0,)
    if any(printed.words[o : o + n] == words for o in starts):
        return True
    return n >= MIN_SENTENCE_SHARE * len(printed.words) and _inside(words, printed.words)


def quoted_in(sentence: str, passages: dict[str, str]) -> str | None:
    """The id of the first passage one of whose sentences ``sentence`` copies, or None."""
    words = quote_words(sentence)
    if len(words) < MIN_QUOTE_WORDS:
        return None
    opening = re.search(r"[^\W_]", sentence)
    capitalised = bool(opening and opening.group().isupper())
    for cid, text in passages.items():
        printed = _sentences(text)
        # A sentence and the next one together too: "Inc." or "No." can look like a sentence end.
        spans = printed + [
            _Printed(a.words + b.words, a.starts + tuple(len(a.words) + o for o in b.starts))
            for a, b in pairwise(printed)
        ]
        if any(_copies(words, span, capitalised) for span in spans):
            return cid
    return None
