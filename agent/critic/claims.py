"""Splitting a draft into claims (sentences) and reading their citation markers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# [c1], [c1, c3], [c1][c2]; tolerant of spaces and case.
CITE_GROUP = re.compile(r"\[\s*(c\s*\d+(?:\s*[,;]\s*c\s*\d+)*)\s*\]", re.I)
_ALIAS = re.compile(r"c\s*(\d+)", re.I)
# Sentence ends: ". " / "! " / "? " followed by a capital, a digit, a quote or a citation.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'\[$(])")
ABBREVIATION = re.compile(
    r"\b(?:Inc|Corp|Co|Ltd|No|vs|U\.S|e\.g|i\.e|approx|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)


@dataclass
class DraftSentence:
    text: str  # the sentence as written (citation markers included)
    aliases: list[str] = field(default_factory=list)  # e.g. ["c1", "c3"] in order of appearance

    @property
    def bare(self) -> str:
        """The sentence without its citation markers."""
        text = re.sub(r"\s{2,}", " ", CITE_GROUP.sub("", self.text))
        return re.sub(r"\s+([.,;:!?])", r"\1", text).strip()


def aliases_in(text: str) -> list[str]:
    out: list[str] = []
    for group in CITE_GROUP.finditer(text):
        for num in _ALIAS.findall(group.group(1)):
            alias = f"c{int(num)}"
            if alias not in out:
                out.append(alias)
    return out


def split_sentences(text: str) -> list[DraftSentence]:
    """Sentences of a draft; a citation-only fragment ("[c2].") joins the sentence before it."""
    pieces: list[str] = []
    for line in re.split(r"\n+", text.strip()):
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip()
        if not line:
            continue
        parts = _SENTENCE_END.split(line)
        merged: list[str] = []
        for part in parts:
            if merged and ABBREVIATION.search(merged[-1]):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
        pieces.extend(merged)
    sentences: list[DraftSentence] = []
    for piece in pieces:
        if sentences and not CITE_GROUP.sub("", piece).strip(" .;,"):
            sentences[-1].text = f"{sentences[-1].text} {piece}".strip()
            continue
        sentences.append(DraftSentence(piece.strip()))
    for s in sentences:
        s.aliases = aliases_in(s.text)
    return [s for s in sentences if s.bare.strip(" .")]
