"""Items placed from a filing's own cross-reference index.

Some filers order their report their own way and print no "Item N." headings in its body; instead a
"Form 10-Q (or 10-K) Cross-Reference Index" lists each Item with the printed pages that hold it
("Item 1A. Risk Factors Page 40", "Item 1. Legal Proceedings Pages 19 - 20"). Here that index is
read, its printed page numbers are mapped to the file's pages by the page numbers the footers
print, and the blocks of those pages get their Item. Where several Items share a page, a line
printing an Item's title ("Risk Factors") starts it. Without an index, or without printed page
numbers that agree, nothing is placed: no Item is better than a wrong one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from loaders.base import Page
from loaders.sections import TITLES_10K, TITLES_10Q, Segment, section_label

# An index entry: "Item 1A. Risk Factors Page 40", "Item 3. Defaults Upon Senior Securities Not
# applicable", "Item 2. Management's Discussion ...:" (its pages on the lines below it).
_ENTRY = re.compile(r"^\s*Item\s*(?P<item>\d{1,2}[A-C]?)\s*[.:]?\s*(?P<rest>.*)$", re.I)
_PAGES = re.compile(r"\s*\bPages?\s+(?P<list>\d{1,3}(?:\s*(?:[-–—]|,|and)\s*\d{1,3})*)\s*$", re.I)
_PART = re.compile(r"^\s*Part\s+(?P<part>I{1,2})\b", re.I)
_FOOTER_NUMBER = re.compile(r"(?:^|\s)(?P<n>\d{1,3})\s*$")
_LETTERS = re.compile(r"[^a-z]")
# An index lists most Items with their pages; a table of contents prints bare numbers instead.
MIN_ENTRIES = 4
# The footers' page numbers must agree on one offset for at least this many pages.
MIN_NUMBERED_PAGES = 3


@dataclass
class Entry:
    """One Item of the index: its number, part (10-Q), title and printed pages."""

    item: str
    part: str | None
    title: str
    pages: set[int] = field(default_factory=set)

    def titled(self, line: str) -> bool:
        """Whether ``line`` prints this Item's title (a heading line, not a sentence naming it)."""
        want = _LETTERS.sub("", self.title.lower())
        got = _LETTERS.sub("", line.lower())
        return len(line) <= 120 and len(want) >= 6 and got == want


def _pages(listed: str) -> set[int]:
    out: set[int] = set()
    for piece in re.split(r"\s*(?:,|and)\s*", listed):
        ends = [int(n) for n in re.findall(r"\d+", piece)]
        if len(ends) == 2 and 0 <= ends[1] - ends[0] <= 200:
            out.update(range(ends[0], ends[1] + 1))
        elif ends:
            out.add(ends[0])
    return out


def read_index(page: Page) -> list[Entry]:
    """The Items the page lists with their printed pages, or [] when it is no cross-reference index."""
    entries: list[Entry] = []
    part: str | None = None
    open_entry: Entry | None = None  # an Item whose pages follow on the lines below it
    for line in page.text.splitlines():
        if (pm := _PART.match(line)) and not _ENTRY.match(line):
            part, open_entry = pm.group("part").upper(), None
            continue
        em = _ENTRY.match(line)
        pages = _PAGES.search(em.group("rest") if em else line)
        if em:
            rest = em.group("rest")
            title = (rest[: pages.start()] if pages else rest).strip(" .:")
            entry = Entry(
                em.group("item").upper(), part, title, _pages(pages.group("list")) if pages else set()
            )
            entries.append(entry)
            open_entry = entry if pages is None and rest.rstrip().endswith(":") else None
        elif open_entry is not None and pages:
            open_entry.pages |= _pages(pages.group("list"))
    listed = [e for e in entries if e.pages]
    return listed if len(listed) >= MIN_ENTRIES else []


def printed_offset(pages: list[Page]) -> int | None:
    """File page index minus printed page number, as most numbered footers agree; None when
    fewer than :data:`MIN_NUMBERED_PAGES` footers, or not most of them, agree."""
    offsets: Counter[int] = Counter()
    for page in pages:
        lines = [ln for ln in page.text.splitlines() if ln.strip()]
        if lines and (m := _FOOTER_NUMBER.search(lines[-1])):
            offsets[page.index - int(m.group("n"))] += 1
    if not offsets:
        return None
    offset, agreeing = offsets.most_common(1)[0]
    return offset if agreeing >= MIN_NUMBERED_PAGES and agreeing * 2 > sum(offsets.values()) else None


@dataclass
class CrossReference:
    """A filing's cross-reference index: the page it is printed on and where each Item lies."""

    page: int
    entries: list[Entry]
    offset: int | None = None  # file page index minus printed page number; None: not known

    def on(self, index: int) -> list[Entry]:
        """The Items whose printed pages include the file's page ``index`` (none when the
        printed page numbers could not be mapped)."""
        if self.offset is None:
            return []
        return [e for e in self.entries if index - self.offset in e.pages]


def cross_reference(pages: list[Page]) -> CrossReference | None:
    """The filing's cross-reference index, read from the last page that prints one (it closes
    the report), or None. Its ``offset`` is None when the footers' page numbers do not agree."""
    for page in reversed(pages):
        if "cross" not in page.text.lower():
            continue
        entries = read_index(page)
        if entries:
            return CrossReference(page.index, entries, printed_offset(pages))
    return None


def _label(seg: Segment, text: str, entry: Entry | None, is_10q: bool) -> Segment:
    block = replace(seg.block, text=text) if text != seg.block.text else seg.block
    if entry is None:
        return replace(seg, block=block)
    part = (entry.part or "I") if is_10q else None
    title = (
        TITLES_10Q.get((part or "I", entry.item)) if is_10q else TITLES_10K.get(entry.item)
    ) or entry.title
    return Segment(seg.page, block, section_label(entry.item, part, title), entry.item, part)


def place_items(segments: list[Segment], xref: CrossReference, is_10q: bool) -> list[Segment]:
    """``segments`` with the Item of every block the index places (blocks already inside an Item
    heading keep theirs). On a page several Items share, the one in force continues until a line
    prints another's title; an Item whose title no page prints owns its pages outright (the
    narrowest range first: "Legal Proceedings, pages 19-20" inside "Financial Statements, 4-22")."""
    titled = {
        id(e)
        for s in segments
        for e in xref.on(s.page)
        if any(e.titled(ln) for ln in s.block.text.splitlines())
    }
    out: list[Segment] = []
    current: Entry | None = None
    page: int | None = None
    for seg in segments:
        here = xref.on(seg.page)
        if seg.item is not None or not here or seg.page == xref.page:
            out.append(seg)
            current = None if not here else current
            continue
        if seg.page != page:
            page = seg.page
            untitled = sorted((e for e in here if id(e) not in titled), key=lambda e: len(e.pages))
            if (
                current is None
                or current not in here
                or (untitled and len(untitled[0].pages) < len(current.pages))
            ):
                current = untitled[0] if untitled else min(here, key=lambda e: len(e.pages))
        if seg.block.kind == "table":
            out.append(_label(seg, seg.block.text, current, is_10q))
            continue
        lines = seg.block.text.splitlines()
        start = 0
        for i, line in enumerate(lines):
            hit = next((e for e in here if e is not current and e.titled(line)), None)
            if hit is None:
                continue
            if i > start:
                out.append(_label(seg, "\n".join(lines[start:i]), current, is_10q))
            start, current = i, hit
        out.append(_label(seg, "\n".join(lines[start:]), current, is_10q))
    return out


__all__ = ["CrossReference", "Entry", "cross_reference", "place_items", "printed_offset", "read_index"]
