"""A share of the drafting context kept for the sections a question names."""

from __future__ import annotations

from agent.retrieval.sections import reserve_sections
from agent.schemas import Chunk, ChunkMetadata, ScoredChunk

LEGAL = "Part II, Item 1. Legal Proceedings"


def _c(doc: str, n: int, section: str | None) -> ScoredChunk:
    meta = ChunkMetadata(doc_id=doc, source_path=f"/{doc}.pdf", section=section, chunk_index=n)
    return ScoredChunk(chunk=Chunk(id=f"{doc}::{n}", text=f"passage {doc} {n}", metadata=meta), score=1.0)


def _ids(chunks: list[ScoredChunk]) -> list[str]:
    return [c.id for c in chunks]


def test_the_sections_candidates_take_the_lowest_ranked_places_in_turn_from_each_filing() -> None:
    notes = [_c("a", i, "Part I, Item 1. Financial Statements") for i in range(1, 7)]
    candidates = [*notes, _c("a", 60, LEGAL), _c("a", 61, LEGAL), _c("b", 70, LEGAL), _c("b", 71, LEGAL)]
    out = reserve_sections(notes, candidates, [LEGAL], 0.5)
    # Half of six places: filing a's best, filing b's best, then a's second; the top passages stay.
    assert _ids(out) == ["a::1", "a::2", "a::3", "a::60", "b::70", "a::61"]


def test_nothing_moves_when_the_section_already_holds_its_share_or_none_is_named() -> None:
    context = [_c("a", 60, LEGAL), _c("a", 61, LEGAL), _c("a", 1, None), _c("a", 2, None)]
    extra = [_c("a", 62, LEGAL)]
    assert _ids(reserve_sections(context, extra, [LEGAL], 0.5)) == _ids(context)
    assert _ids(reserve_sections(context[2:], extra, [], 0.5)) == ["a::1", "a::2"]
    assert _ids(reserve_sections(context[2:], extra, [LEGAL], 0.0)) == ["a::1", "a::2"]
    assert _ids(reserve_sections(context[2:], extra, [LEGAL], 0.5)) == ["a::1", "a::62"]
    # One candidate for three places: it takes the last place only.
    six = [_c("a", i, None) for i in range(1, 7)]
    assert _ids(reserve_sections(six, extra, [LEGAL], 0.5))[-2:] == ["a::5", "a::62"]


def test_a_share_above_one_gives_the_section_every_place_it_has_candidates_for() -> None:
    context = [_c("a", i, None) for i in range(1, 4)]
    extra = [_c("a", 60, LEGAL), _c("b", 70, LEGAL)]
    assert _ids(reserve_sections(context, extra, [LEGAL], 5.0)) == ["a::1", "a::60", "b::70"]
