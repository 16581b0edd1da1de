"""Each fact is tied to the chunk that prints it and gets its stable id at ingest."""

from __future__ import annotations

from agent.schemas import Chunk, ChunkMetadata, Fact
from loaders.facts import link_facts


def _chunk(n: int, page: int, text: str) -> Chunk:
    return Chunk(
        id=f"d::{n}",
        text=text,
        metadata=ChunkMetadata(doc_id="d", source_path="/a", page=page, chunk_index=n),
    )


def _fact(label: str, text: str, page: int) -> Fact:
    return Fact(id="", doc_id="", page=page, label=label, value=float(text.replace(",", "")), text=text)


def test_facts_link_to_the_chunk_printing_their_row_on_their_page() -> None:
    chunks = [
        _chunk(0, 2, "Net sales by category: iPhone 39,669 40,665"),
        _chunk(1, 3, "Products 60,584 63,355\nServices 21,213 19,604"),
        _chunk(2, 3, "Total net sales   81,797 82,959\nNet  income 19,881"),
        _chunk(3, 4, "Total net sales 81,797 (repeated in MD&A)"),
    ]
    facts = link_facts(
        [
            _fact("Total net sales", "81,797", 3),
            _fact("Net income", "19,881", 3),  # spacing differs from the chunk's
            _fact("Something else", "60,584", 3),  # no chunk prints the label: the figure decides
            _fact("Total net sales", "99,999", 3),  # printed nowhere on its page
        ],
        "d",
        chunks,
    )
    assert [f.id for f in facts] == ["d::f0", "d::f1", "d::f2", "d::f3"]
    assert all(f.doc_id == "d" for f in facts)
    assert [f.chunk_id for f in facts] == ["d::2", "d::2", "d::1", None]
