"""Token-aware, section-aware chunking.

* Budgets are counted with the embedding model's own tokenizer (text past its window would be
  silently truncated by the embedder, i.e. never searchable densely).
* A chunk never crosses an Item boundary nor a page boundary (citations carry one page).
* A table is kept whole with its header (title, unit line, column headings) when it fits; else it
  is split by rows and every part repeats the header.
* Prose chunks overlap by up to ``overlap`` tokens of whole sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from loaders.base import Block
from loaders.sections import Segment

DEFAULT_CHUNK_TOKENS = 256
DEFAULT_OVERLAP = 32
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(“\"$•])")


class TokenCounter(Protocol):
    def count(self, texts: Sequence[str]) -> list[int]: ...

    def split(self, text: str, max_tokens: int) -> list[str]: ...


class HFTokenCounter:
    """Counts with a Hugging Face fast tokenizer (e.g. ``SentenceTransformer(...).tokenizer``)."""

    def __init__(self, tokenizer: Any) -> None:
        self.tok = tokenizer

    def count(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        # verbose=False: counting long texts is the point, not an error worth a warning.
        enc = self.tok(list(texts), add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
        return [len(e) for e in enc]

    def split(self, text: str, max_tokens: int) -> list[str]:
        enc = self.tok(
            text, add_special_tokens=False, truncation=False, return_offsets_mapping=True, verbose=False
        )
        offsets = enc["offset_mapping"]
        pieces = []
        for i in range(0, len(offsets), max_tokens):
            window = offsets[i : i + max_tokens]
            start = window[0][0]
            end = offsets[i + max_tokens][0] if i + max_tokens < len(offsets) else len(text)
            pieces.append(text[start:end].strip())
        return [p for p in pieces if p]


class RegexTokenCounter:
    """Approximate counter (words and punctuation); for tests and when no tokenizer is at hand."""

    _TOKEN = re.compile(r"\w+|[^\w\s]")

    def count(self, texts: Sequence[str]) -> list[int]:
        return [len(self._TOKEN.findall(t)) for t in texts]

    def split(self, text: str, max_tokens: int) -> list[str]:
        spans = [m.span() for m in self._TOKEN.finditer(text)]
        out = []
        for i in range(0, len(spans), max_tokens):
            end = spans[i + max_tokens][0] if i + max_tokens < len(spans) else len(text)
            out.append(text[spans[i][0] : end].strip())
        return [p for p in out if p]


@dataclass
class RawChunk:
    """Chunk text plus where it sits; metadata and ids are added by the pipeline."""

    text: str
    page: int
    section: str | None
    item: str | None
    part: str | None
    is_table: bool
    tokens: int


@dataclass
class _Unit:
    text: str
    tokens: int
    is_table: bool


def _prose_units(text: str, counter: TokenCounter, budget: int) -> list[_Unit]:
    pieces = [s.strip() for line in text.splitlines() for s in _SENTENCE.split(line) if s.strip()]
    counts = counter.count(pieces)
    units: list[_Unit] = []
    for piece, n in zip(pieces, counts, strict=True):
        if n <= budget:
            units.append(_Unit(piece, n, False))
        else:
            parts = counter.split(piece, budget)
            units.extend(_Unit(p, c, False) for p, c in zip(parts, counter.count(parts), strict=True))
    return units


def _table_units(block: Block, counter: TokenCounter, budget: int) -> list[_Unit]:
    whole = block.full_text
    rows = [r for r in block.text.splitlines() if r.strip()]
    header = list(block.header)
    n_whole, *row_counts = counter.count([whole, *rows])
    if n_whole <= budget:
        return [_Unit(whole, n_whole, True)]
    head_counts = counter.count(header)
    # Keep the lines nearest the rows (column headings, unit line) if the header is itself huge.
    while header and sum(head_counts) > budget // 2:
        header.pop(0)
        head_counts.pop(0)
    head_tokens = sum(head_counts)
    units: list[_Unit] = []
    group: list[str] = []
    used = head_tokens
    for row, n in zip(rows, row_counts, strict=True):
        if group and used + n > budget:
            units.append(_Unit("\n".join([*header, *group]), used, True))
            group, used = [], head_tokens
        if head_tokens + n > budget:  # a single monster row: split it as prose
            units.extend(_prose_units(row, counter, budget))
            continue
        group.append(row)
        used += n
    if group:
        units.append(_Unit("\n".join([*header, *group]), used, True))
    return units


_RunKey = tuple[int, str | None, str | None, str | None]  # page, section, item, part


def chunk_segments(
    segments: list[Segment],
    counter: TokenCounter,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
    overlap: int = DEFAULT_OVERLAP,
) -> list[RawChunk]:
    """Pack segments into chunks of at most ``chunk_tokens`` tokens (see module docstring)."""
    if chunk_tokens < 16:
        raise ValueError(f"chunk_tokens must be >= 16, got {chunk_tokens}")
    overlap = max(0, min(overlap, chunk_tokens // 4))
    out: list[RawChunk] = []
    for (page, section, item, part), blocks in _runs(segments):
        units = _block_units(blocks, counter, chunk_tokens)
        for group in _pack(units, chunk_tokens, overlap):
            text = "\n".join(u.text for u in group).strip()
            if text:
                out.append(
                    RawChunk(
                        text,
                        page,
                        section,
                        item,
                        part,
                        any(u.is_table for u in group),
                        sum(u.tokens for u in group),
                    )
                )
    return out


def _runs(segments: list[Segment]) -> list[tuple[_RunKey, list[Block]]]:
    """Consecutive segments on the same page and in the same section form one packing run."""
    runs: list[tuple[_RunKey, list[Block]]] = []
    for seg in segments:
        key = (seg.page, seg.section, seg.item, seg.part)
        if runs and runs[-1][0] == key:
            runs[-1][1].append(seg.block)
        else:
            runs.append((key, [seg.block]))
    return runs


def _block_units(blocks: list[Block], counter: TokenCounter, chunk_tokens: int) -> list[_Unit]:
    units: list[_Unit] = []
    for block in blocks:
        if block.kind == "table":
            units.extend(_table_units(block, counter, chunk_tokens))
        else:
            units.extend(_prose_units(block.text, counter, chunk_tokens))
    return units


def _pack(units: list[_Unit], chunk_tokens: int, overlap: int) -> list[list[_Unit]]:
    """Greedily group a run's units into chunks, each prose chunk starting with the previous one's tail."""
    groups: list[list[_Unit]] = []
    cur: list[_Unit] = []
    used = 0
    for unit in units:
        if cur and used + unit.tokens > chunk_tokens:
            groups.append(cur)
            cur = _carry(cur, unit, chunk_tokens, overlap)
            used = sum(u.tokens for u in cur)
        cur.append(unit)
        used += unit.tokens
    if cur:
        groups.append(cur)
    return groups


def _carry(cur: list[_Unit], unit: _Unit, chunk_tokens: int, overlap: int) -> list[_Unit]:
    """The trailing prose units of a full chunk repeated ahead of ``unit`` (none next to tables)."""
    carry: list[_Unit] = []
    if not unit.is_table and not cur[-1].is_table:
        carried = 0
        for prev in reversed(cur):
            if prev.is_table or carried + prev.tokens > overlap:
                break
            carry.insert(0, prev)
            carried += prev.tokens
        if carried + unit.tokens > chunk_tokens:
            carry = []
    return carry


def counter_for(tokenizer: Any | None) -> TokenCounter:
    """HF tokenizer counter when given one, else the regex approximation."""
    return HFTokenCounter(tokenizer) if tokenizer is not None else RegexTokenCounter()


ChunkFn = Callable[[list[Segment]], list[RawChunk]]
