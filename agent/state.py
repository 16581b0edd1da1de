"""Graph state: what a research run reads and writes.

``InputState`` is what callers send (a question); ``OutputState`` is what they get back (a typed
``Answer``). ``State`` carries everything in between. Per-turn fields are reset by
``resolve_scope`` at the start of every turn (a checkpointed thread keeps the previous turn's
values otherwise); ``turns`` and ``scope`` deliberately survive so follow-ups can use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from agent.progress import Progress
from agent.schemas import Answer, Calculation, Critique, QuestionPlan, Scope, ScoredChunk, Superlative, Usage

# What the critic decided for the last draft ("" before any critique this turn).
Decision = Literal["accept", "regenerate", "re_retrieve", "abstain"]


@dataclass(frozen=True)
class Reset:
    """Sent to an accumulating field to replace its value instead of adding to it (new turn)."""

    value: Any = None


def _reset(right: Any, default: Any) -> Any:
    return default if right.value is None else right.value


def merge_chunks(left: list[ScoredChunk] | None, right: list[ScoredChunk] | Reset) -> list[ScoredChunk]:
    """Union by chunk id, keeping the best score; ``Reset`` replaces (new turn)."""
    if isinstance(right, Reset):
        return _reset(right, [])
    merged: dict[str, ScoredChunk] = {c.id: c for c in left or []}
    for chunk in right:
        old = merged.get(chunk.id)
        if old is None or chunk.score > old.score:
            merged[chunk.id] = chunk
    return sorted(merged.values(), key=lambda c: c.score, reverse=True)


def merge_hits(
    left: dict[str, list[str]] | None, right: dict[str, list[str]] | Reset
) -> dict[str, list[str]]:
    """Which chunk ids each query found (per query, order kept); ``Reset`` replaces."""
    if isinstance(right, Reset):
        return _reset(right, {})
    out = {k: list(v) for k, v in (left or {}).items()}
    for query, ids in right.items():
        seen = out.setdefault(query, [])
        seen.extend(i for i in ids if i not in seen)
    return out


def add_usage(left: Usage | None, right: Usage | Reset) -> Usage:
    """Sum LLM calls and tokens; ``Reset`` replaces."""
    if isinstance(right, Reset):
        return _reset(right, Usage())
    left = left or Usage()
    return Usage(
        llm_calls=left.llm_calls + right.llm_calls,
        prompt_tokens=left.prompt_tokens + right.prompt_tokens,
        completion_tokens=left.completion_tokens + right.completion_tokens,
        node_calls=_add_counts(left.node_calls, right.node_calls),
        node_prompt_tokens=_add_counts(left.node_prompt_tokens, right.node_prompt_tokens),
    )


def _add_counts(left: dict[str, int], right: dict[str, int]) -> dict[str, int]:
    return {k: left.get(k, 0) + right.get(k, 0) for k in {*left, *right}}


def add_seconds(left: dict[str, float] | None, right: dict[str, float] | Reset) -> dict[str, float]:
    """Per-node wall time, summed over repeated visits; ``Reset`` replaces."""
    if isinstance(right, Reset):
        return _reset(right, {})
    out = dict(left or {})
    for node, seconds in right.items():
        out[node] = round(out.get(node, 0.0) + seconds, 4)
    return out


def append_or_reset(left: list[Any] | None, right: list[Any] | Reset) -> list[Any]:
    """Append; ``Reset`` replaces."""
    if isinstance(right, Reset):
        return _reset(right, [])
    return [*(left or []), *right]


def add_progress(left: list[Progress] | None, right: list[Progress] | Reset) -> list[Progress]:
    """Append node records; a turn's scope record (its first node) starts the list afresh, so
    every streamed update carries a plain list and the values hold this turn's records only."""
    if isinstance(right, Reset):
        return _reset(right, [])
    if any(p.step == "scope" for p in right):
        return list(right)
    return [*(left or []), *right]


class Turn(BaseModel):
    """One finished question/answer of a conversation (kept across turns)."""

    question: str
    standalone: str = Field(description="The question as resolved against history.")
    answer: str
    scope: Scope


@dataclass(kw_only=True)
class InputState:
    """What a caller sends."""

    question: str


@dataclass(kw_only=True)
class OutputState:
    """What a caller gets back: the answer, and what each node of this turn did (streamed as
    ``updates`` while the run goes, so a client sees scope, passages and verdicts live)."""

    answer: Answer | None = None
    progress: Annotated[list[Progress], add_progress] = field(default_factory=list)


@dataclass(kw_only=True)
class State(InputState, OutputState):
    """Everything a research run reads and writes between nodes."""

    standalone_question: str = ""
    # Why this turn's question was refused before any model call (empty, over-long, not English);
    # "" for a question that is answered.
    refusal: str = ""
    scope: Scope | None = None
    # The question analysed once (agent.finance.plan), for the nodes after the scope to read.
    plan: QuestionPlan | None = None
    # A superlative our code ranked for the draft (the critic holds the draft to its winner).
    superlative: Superlative | None = None
    # The figures our code computed from the stored facts and drafted (agent.finance.calculate,
    # one; agent.finance.trend, the two levels of a change); [] when the model drafted.
    calculations: list[Calculation] = field(default_factory=list)
    # A question whether something happened, over one filing: what the whole reading of that filing
    # looked for when no sentence of it reports the event (agent.nodes.key_sentences.unreported);
    # "" otherwise. With nothing found by the drafter either, the answer says it is not reported.
    unreported: str = ""
    subquestions: list[str] = field(default_factory=list)
    # Each query's own scope when sub-questions name different companies or periods.
    query_scopes: dict[str, Scope] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)
    retrieved: Annotated[list[ScoredChunk], merge_chunks] = field(default_factory=list)
    query_hits: Annotated[dict[str, list[str]], merge_hits] = field(default_factory=dict)
    context: list[ScoredChunk] = field(default_factory=list)
    # Ids of the passages a later retrieval round added to the context (after the ones the last
    # draft read); a prompt budget leaves them out last.
    fresh: list[str] = field(default_factory=list)
    draft: str = ""
    # The figure list the last draft was shown (derived CALC lines first): the critic reads back
    # a drafted result that equals one of these calculations.
    figures: list[str] = field(default_factory=list)
    critique: Critique | None = None
    revisions: int = 0
    retrieval_rounds: int = 0
    route: Decision | Literal[""] = ""
    usage: Annotated[Usage, add_usage] = field(default_factory=Usage)
    node_seconds: Annotated[dict[str, float], add_seconds] = field(default_factory=dict)
    fallbacks: Annotated[list[str], append_or_reset] = field(default_factory=list)
    turns: Annotated[list[Turn], append_or_reset] = field(default_factory=list)


@dataclass(kw_only=True)
class RetrieveTask:
    """The private input of one ``retrieve`` branch (sent with ``Send``)."""

    query: str
    scope: Scope
    round: int = 1


# Types stored in checkpoints; pass to the checkpointer's serializer so restoring a thread does
# not rely on LangGraph's (deprecated) permissive deserialization. Every checkpointer of
# agent.checkpointers uses it; langgraph.json's ``checkpointer.serde.allowed_msgpack_modules``
# lists the same for the server. The state/input/output/context schemas are listed because a
# caller may pass them as objects (LangGraph's strict mode derives the same set from the schemas).
_CHECKPOINTED: dict[str, tuple[str, ...]] = {
    "agent.schemas.filing": ("Scope", "ScoredChunk", "Chunk", "ChunkMetadata"),
    "agent.schemas.answer": ("Critique", "Claim", "Answer", "Citation", "Usage"),
    "agent.schemas.figures": ("QuestionPlan", "Superlative", "Calculation", "Operand", "StandIn"),
    "agent.progress": ("Progress", "FilingRef", "PassageRef", "ClaimVerdict"),
    "agent.state": ("Turn", "Reset", "RetrieveTask", "State", "InputState", "OutputState"),
    "agent.config": ("Context",),
}
# Checkpoints written before agent/schemas.py became a package name its types by "agent.schemas",
# which still exports them: a stored thread stays readable.
_BEFORE_SPLIT = [
    ("agent.schemas", name)
    for module, names in _CHECKPOINTED.items()
    if module.startswith("agent.schemas.")
    for name in names
]
CHECKPOINT_TYPES: list[tuple[str, str]] = [
    (module, name) for module, names in _CHECKPOINTED.items() for name in names
] + _BEFORE_SPLIT


def checkpoint_serde() -> Any:
    """A serializer that allows exactly the types the research graph checkpoints."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    return JsonPlusSerializer(allowed_msgpack_modules=CHECKPOINT_TYPES)
