"""A research run's typed output: the answer, its citations, the critic's claims and the usage."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agent.schemas.figures import Calculation
from agent.schemas.filing import Scope


class Citation(BaseModel):
    n: int = Field(description="Number shown in the answer text as [n].")
    chunk_id: str
    doc_id: str
    company: str | None = None
    form_type: str | None = None
    period: str | None = None
    section: str | None = None
    page: int = Field(description="1-based page number for display.")
    source_path: str | None = None
    quote: str = Field(default="", description="The span of the chunk the sentence relies on.")


Verdict = Literal["supported", "unsupported", "ungrounded_number", "bad_citation", "calculation"]


class Claim(BaseModel):
    text: str
    chunk_ids: list[str] = Field(default_factory=list)
    numbers: list[str] = Field(default_factory=list)
    verdict: Verdict = "supported"
    reason: str = ""


class Critique(BaseModel):
    claims: list[Claim] = Field(default_factory=list)
    faithfulness: float = 0.0
    evidence_missing: bool = Field(
        default=False, description="True when the context lacks what the question needs."
    )
    feedback: str = Field(default="", description="What the drafter should fix on regeneration.")


StopReason = Literal[
    "accepted",
    "not reported",
    "abstained: budget",
    "abstained: no evidence",
    "out of scope",
    "invalid question",
    "error",
]


class Usage(BaseModel):
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    node_calls: dict[str, int] = Field(
        default_factory=dict, description="LLM calls per node, summed over visits."
    )
    node_prompt_tokens: dict[str, int] = Field(
        default_factory=dict, description="Prompt tokens per node, summed over visits (draft prompt size)."
    )

    def prompt_tokens_per_call(self, node: str) -> float | None:
        """Mean prompt tokens of one of ``node``'s LLM calls (None: it made none)."""
        calls = self.node_calls.get(node, 0)
        return self.node_prompt_tokens.get(node, 0) / calls if calls else None


class Answer(BaseModel):
    """The typed output of a research run."""

    question: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    faithfulness: float = 0.0
    scope: Scope = Field(default_factory=Scope)
    stop_reason: StopReason = "accepted"
    revisions: int = 0
    usage: Usage = Field(default_factory=Usage)
    node_seconds: dict[str, float] = Field(default_factory=dict)
    fallbacks: list[str] = Field(
        default_factory=list, description="Node fallbacks taken (malformed model output)."
    )
    calculations: list[Calculation] = Field(
        default_factory=list,
        description="The figures our code computed from stored facts for this answer, with their operands.",
    )
