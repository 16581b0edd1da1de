"""A draft sentence may link two things by cause only where a cited sentence links them."""

from __future__ import annotations

import pytest

from agent.critic.cause import unstated_cause
from agent.critic.check import check_draft
from agent.schemas import Chunk, ChunkMetadata

# Microsoft's 10-Q for the quarter ended December 31, 2022 (docugami sec-10-q): MD&A and a risk factor.
MSFT = """Intelligent Cloud
Revenue increased $1.6 billion or 7%.
• Operating expenses increased $2.7 billion or 30% driven by investments in Azure, the Nuance acquisition, and employee
severance expenses.
• Windows revenue decreased $2.1 billion or 18% driven by a decrease in Windows OEM.
We will continue to make significant investments in research, development, and marketing for existing products, services,
and technologies, including the Windows operating system, Microsoft 365, Azure, Xbox, and LinkedIn."""


@pytest.mark.parametrize(
    ("sentence", "held"),
    [
        # The passage says where the company invests, not what drives its R&D spending.
        (
            "The growth in R&D spending is driven by the introduction of new products and services, "
            "such as Windows, Azure and Xbox.",
            True,
        ),
        ("Higher Xbox sales led to the increase in research spending.", True),
        # An adverb inside the phrase is still a cause ("due primarily to", as Apple writes it).
        ("Research spending rose due primarily to higher Xbox sales.", True),
        ("Research spending was driven largely by Xbox.", True),
        # Causes the passage states, in other words or the other way round.
        ("Operating expenses rose 30% due to investments in Azure and the Nuance acquisition.", False),
        ("The Nuance acquisition contributed to higher operating expenses.", False),
        ("Windows revenue fell 18% because of a decrease in Windows OEM.", False),
        # No cause stated, or a side that names nothing to look for.
        ("Microsoft will keep investing in Windows, Azure and Xbox.", False),
        ("This was driven by a decrease in Windows OEM.", False),
    ],
)
def test_a_cause_needs_a_sentence_that_gives_it(sentence: str, held: bool) -> None:
    reason = unstated_cause(sentence, [MSFT])
    assert bool(reason) is held, reason
    if held:
        assert "no cited sentence gives" in reason


def test_the_critic_does_not_pass_a_cause_to_the_judge() -> None:
    chunk = Chunk(
        id="msft::38",
        text=MSFT,
        metadata=ChunkMetadata(
            doc_id="msft", source_path="/docs/2023 Q1 MSFT.pdf", company="Microsoft Corporation"
        ),
    )
    args = ({"c1": chunk.id}, {chunk.id: chunk}, {chunk.id})
    draft = "R&D spending grows because Microsoft introduces products such as Microsoft 365 and Azure [c1]."
    (claim,) = check_draft(draft, *args).claims
    assert claim.verdict == "unsupported" and "no cited sentence gives" in claim.reason
    copied = "Windows revenue decreased $2.1 billion or 18% driven by a decrease in Windows OEM [c1]."
    (claim,) = check_draft(copied, *args).claims
    assert claim.verdict == "supported"


def test_a_row_label_is_no_cause_but_a_passage_may_give_one_with_it() -> None:
    computed = "It is computed from Net earnings attributable to Acme shareholders of $897 million [c1]."
    assert unstated_cause(computed, ["Net earnings attributable to Acme shareholders 897 1,233"]) == ""
    passage = "The increase in gross margin was attributable to higher selling prices."
    assert unstated_cause("Gross margin rose due to higher selling prices.", [passage]) == ""
    assert unstated_cause("Gross margin rose due to lower freight costs.", [passage]) != ""


def test_the_passage_may_name_the_subject_in_the_sentence_before_its_cause() -> None:
    passage = "iPhone net sales increased 10%. The increase was primarily due to higher unit volumes."
    assert unstated_cause("iPhone net sales rose because of higher unit volumes.", [passage]) == ""
    assert unstated_cause("Operating expenses rose because of higher unit volumes.", [passage]) != ""


def test_the_filer_s_name_on_both_sides_is_no_shared_subject() -> None:
    passage = "Microsoft Cloud revenue increased 22% driven by Azure and other cloud services."
    chunk = Chunk(
        id="msft::40",
        text=passage,
        metadata=ChunkMetadata(
            doc_id="msft", source_path="/docs/2023 Q1 MSFT.pdf", company="Microsoft Corporation"
        ),
    )
    draft = "Microsoft's R&D spending grew, driven by Microsoft Teams adoption [c1]."
    # Read with the name, each side shares "Microsoft" with the passage's causal sentence.
    assert unstated_cause(draft, [passage]) == ""
    (claim,) = check_draft(draft, {"c1": chunk.id}, {chunk.id: chunk}, {chunk.id}).claims
    assert claim.verdict == "unsupported" and "no cited sentence gives" in claim.reason
