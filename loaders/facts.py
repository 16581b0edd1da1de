"""A document's typed facts at ingest: read once, tied to the chunk that prints them.

EDGAR inline-XBRL documents state their figures exactly (``ix:nonFraction`` tags with concept,
period, unit and scale), so their facts come from the tags and no table is guessed at. Every other
document (PDF, plain text, HTML without tags) gets its facts from the tables the loaders found,
read by ``agent.finance.facts``. At write time each fact gets its stable id and the id of the chunk
whose text prints it, so an answer can cite a fact and show the passage around it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from agent.finance.facts import DocPeriod, document_facts
from agent.schemas import Chunk, Fact
from loaders.base import LoadedDocument
from loaders.metadata import FilingMeta

if TYPE_CHECKING:
    from agent.retrieval.manifest import DocumentRecord, Manifest

_SPACES = re.compile(r"\s+")
_FIGURE = re.compile(r"\d[\d,.]*")


def read_facts(doc: LoadedDocument, meta: FilingMeta) -> list[Fact]:
    """The document's facts: its iXBRL tags when it has any, else its tables' cells."""
    if doc.facts:
        return list(doc.facts)
    period = DocPeriod.of(meta)
    tables = [
        (page.index, [(block.header, block.text) for block in page.blocks if block.kind == "table"])
        for page in doc.pages
    ]
    return document_facts([(index, blocks) for index, blocks in tables if blocks], period)


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


def _chunk_for(fact: Fact, on_page: list[tuple[str, str]]) -> str | None:
    """The chunk on the fact's page printing its row label and figure; failing the label, the
    first printing the figure (a row split from its label by a page's layout)."""
    figure = next(iter(_FIGURE.findall(fact.text)), "")
    label = _squash(fact.label)
    fallback = None
    for chunk_id, text in on_page:
        if figure and figure not in text:
            continue
        if label and label in text:
            return chunk_id
        fallback = fallback or chunk_id
    return fallback


def link_facts(facts: list[Fact], doc_id: str, chunks: list[Chunk]) -> list[Fact]:
    """``facts`` with their stable ids ('<doc_id>::f<n>'), ``doc_id`` and printing chunk."""
    by_page: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for chunk in chunks:
        by_page[chunk.metadata.page].append((chunk.id, _squash(chunk.text)))
    return [
        fact.model_copy(
            update={
                "id": f"{doc_id}::f{n}",
                "doc_id": doc_id,
                "chunk_id": _chunk_for(fact, by_page[fact.page]),
            }
        )
        for n, fact in enumerate(facts)
    ]


def refresh_facts(manifest: Manifest, record: DocumentRecord, facts: list[Fact]) -> int:
    """Replace a committed document's facts with ``facts`` (read again by a newer fact reader from
    the same text), tied to its stored chunks; nothing is re-embedded. Returns how many."""
    from loaders.parse import FACTS_VERSION

    linked = link_facts(facts, record.doc_id, manifest.doc_chunks(record.doc_id))
    record.facts, record.facts_version = len(linked), FACTS_VERSION
    manifest.replace_facts(record, linked)
    return len(linked)
