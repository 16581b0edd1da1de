"""What every loader returns: pages of blocks (prose or tables), plus facts read from the file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from agent.schemas import Fact

# A line that opens an "Item N." section; never absorbed into a table's header.
ITEM_LINE = re.compile(r"^\s*(?:PART\s+\w+\s*[,.:—–-]*\s*)?ITEM\s*\d", re.IGNORECASE)


class LoadError(Exception):
    """A file that cannot be ingested; the message names the cause in one line."""


def page_limit_message(n: int, limit: int) -> str:
    return f"{n:,} pages, over the per-document limit of {limit:,} (raise it with --max-pages or FILINGS_MAX_PAGES)"


@dataclass
class Block:
    """A run of text on one page. Tables carry ``header`` lines (title, unit line, column headers)
    that the chunker repeats when a table has to be split by rows."""

    text: str
    kind: Literal["text", "table"] = "text"
    header: list[str] = field(default_factory=list)

    @property
    def full_text(self) -> str:
        return "\n".join([*self.header, self.text]) if self.header else self.text


@dataclass
class Page:
    index: int  # zero-based
    blocks: list[Block] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(b.full_text for b in self.blocks)


@dataclass
class LoadedDocument:
    path: Path
    kind: Literal["pdf", "html", "text"]
    pages: list[Page]
    # Facts read from the file itself (inline-XBRL dei: tags), by dei name without prefix.
    xbrl: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Typed figures the file states exactly (inline-XBRL ``ix:nonFraction`` tags); their ``id`` and
    # ``doc_id`` are filled in at ingest, once the document's id is known.
    facts: list[Fact] = field(default_factory=list)

    @property
    def n_pages(self) -> int:
        return len(self.pages)

    def head_text(self, pages: int = 3) -> str:
        return "\n".join(p.text for p in self.pages[:pages])
