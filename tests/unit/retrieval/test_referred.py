"""A named section that only points to a note of the financial statements, read in that note."""

from __future__ import annotations

from agent.retrieval.referred import follow_pointers, referred_passages
from agent.schemas import Chunk, ChunkMetadata, ScoredChunk

LEGAL = "Part II, Item 1. Legal Proceedings"
NOTES = "Part I, Item 1. Financial Statements"
POINTER = (
    "Item 1.\nLegal Proceedings\nSee Item 1 of Part I, “Financial Statements — Note 7 — Commitments and "
    "Contingencies — Legal Proceedings.”"
)
# An Acme 10-Q, in print order: note 6, note 7 (commitments, then legal proceedings), note 8,
# a table inside note 7, and the pointer section in Part II.
FILING = [
    (10, NOTES, "Note 6 — DEBT\nThe Company has $3.0 billion of unsecured senior notes outstanding.", False),
    (11, NOTES, "Note 7 — COMMITMENTS AND CONTINGENCIES\nCommitments\nThe Company leases offices.", False),
    (12, NOTES, "Purchase obligations 1,200 1,350", True),
    (13, NOTES, "The Company has unconditional purchase obligations.\nLegal Proceedings", False),
    (
        14,
        NOTES,
        "Legal Proceedings\nBeginning in March 2021, Initech Corp. sued the Company for patent infringement.",
        False,
    ),
    (
        15,
        NOTES,
        "The Company disputes the allegations of wrongdoing and intends to defend itself vigorously.",
        False,
    ),
    (16, NOTES, "Note 8 — INCOME TAXES\nThe effective tax rate was 21%.", False),
    (40, LEGAL, POINTER, False),
]


def _chunk(doc: str, n: int, section: str, text: str, table: bool = False) -> Chunk:
    meta = ChunkMetadata(
        doc_id=doc, source_path=f"/{doc}.pdf", section=section, chunk_index=n, is_table=table
    )
    return Chunk(id=f"{doc}::{n}", text=text, metadata=meta)


def _filing(doc: str = "acme", pointer: str = POINTER) -> list[Chunk]:
    return [_chunk(doc, n, s, pointer if s == LEGAL else t, table) for n, s, t, table in FILING]


def test_a_pointer_section_is_read_in_the_note_from_the_sub_heading_it_names() -> None:
    read = referred_passages(_filing(), LEGAL)
    # From the passage opening with "Legal Proceedings" to the next note; each labelled Legal Proceedings.
    assert [c.id for c in read] == ["acme::14", "acme::15"]
    assert all(c.metadata.section == LEGAL for c in read)
    # Without a sub-heading: the whole note, its table left out.
    plain = (
        "Item 1.\nLegal Proceedings\nRefer to Note 7 – Commitments and Contingencies for legal proceedings."
    )
    assert [c.id for c in referred_passages(_filing(pointer=plain), LEGAL)] == [
        "acme::11",
        "acme::13",
        "acme::14",
        "acme::15",
    ]


def test_a_section_that_says_something_itself_or_a_missing_note_is_not_followed() -> None:
    long = POINTER + " The Company is subject to claims arising in the ordinary course of business." * 8
    assert referred_passages(_filing(pointer=long), LEGAL) == []
    assert referred_passages(_filing(pointer=POINTER.replace("Note 7", "Note 9")), LEGAL) == []
    assert referred_passages(_filing(pointer="Item 1.\nLegal Proceedings\nNone."), LEGAL) == []
    assert referred_passages(_filing(), "Part II, Item 1A. Risk Factors") == []


def _scored(chunks: list[Chunk]) -> list[ScoredChunk]:
    return [ScoredChunk(chunk=c, score=1.0) for c in chunks]


def test_the_notes_passages_take_the_pointers_place_then_the_lowest_ranked_ones() -> None:
    filings = {"acme": _filing("acme"), "other": _filing("other")}
    by_id = {c.id: c for f in filings.values() for c in f}
    context = _scored(
        [by_id[i] for i in ["acme::10", "acme::40", "acme::16", "other::10", "other::16", "acme::11"]]
    )
    out = follow_pointers(context, [], [LEGAL], 0.5, lambda doc: filings[doc])
    # Two passages for three places: the pointer's, then the lowest-ranked passage outside the section.
    assert [c.id for c in out] == ["acme::10", "acme::14", "acme::16", "other::10", "other::16", "acme::15"]
    assert out[1].chunk.metadata.section == LEGAL
    # A note passage among the retrieval candidates comes first.
    ranked = follow_pointers(context, _scored([by_id["acme::15"]]), [LEGAL], 0.5, lambda doc: filings[doc])
    assert [c.id for c in ranked][1] == "acme::15"
    # Nothing moves without a named section in the context, or with no share for it.
    assert follow_pointers(context, [], [], 0.5, lambda doc: filings[doc]) == context
    assert follow_pointers(context, [], [LEGAL], 0.0, lambda doc: filings[doc]) == context
