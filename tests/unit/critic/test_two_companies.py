"""One figure given for two companies, printed by one company's filing only: sent back."""

from __future__ import annotations

from agent.critic.check import check_draft
from agent.schemas import Chunk, ChunkMetadata


def _chunk(cid: str, company: str, text: str) -> Chunk:
    meta = ChunkMetadata(
        doc_id=cid, source_path=f"/{cid}.pdf", company=company, form_type="10-K", chunk_index=0
    )
    return Chunk(id=f"{cid}::0", text=text, metadata=meta)


APPLE = _chunk("a", "Apple Inc.", "(In millions)\nThree Months Ended July 1, 2023\nTotal net sales 81,797")
AMAZON = _chunk(
    "z", "Amazon.com, Inc.", "(in millions)\nYear Ended December 31, 2022\nTotal net sales 513,983"
)
CHUNKS = {c.id: c for c in (APPLE, AMAZON)}
ALIASES = {"c1": "a::0", "c2": "z::0"}


def _verdict(draft: str) -> tuple[str, str]:
    claim = check_draft(draft, ALIASES, CHUNKS, set(CHUNKS)).claims[0]
    return claim.verdict, claim.reason


def test_a_figure_copied_to_the_other_company_is_sent_back() -> None:
    verdict, reason = _verdict(
        "Apple's total net sales for the three months ended July 1, 2023 were $81,797 million, the same as "
        "Amazon's total net sales for 2022, which were also $81,797 million [c1][c2]."
    )
    assert verdict == "unsupported" and "two companies" in reason
    # Also when both citations are the one company's passages.
    verdict, reason = _verdict(
        "Apple's total net sales were $81,797 million, the same as Amazon's, which were also $81,797 million [c1]."
    )
    assert verdict == "unsupported" and "two companies" in reason


def test_each_company_with_its_own_figure_passes() -> None:
    verdict, _ = _verdict(
        "Apple's total net sales for the three months ended July 1, 2023 were $81,797 million, against "
        "Amazon's total net sales of $513,983 million for 2022 [c1][c2]."
    )
    assert verdict == "supported"
