"""Typed data shared by ingestion, retrieval, the graph and evals, in three modules:

- :mod:`agent.schemas.filing`: where a passage comes from (filing fields, chunk metadata, scope);
- :mod:`agent.schemas.figures`: figures as typed data (facts, the question plan, calculations);
- :mod:`agent.schemas.answer`: a run's output (answer, citations, claims, usage).

Import from ``agent.schemas``. Checkpoints written before the split name these types by this
module, so ``agent.state.CHECKPOINT_TYPES`` allows both paths.
"""

from agent.schemas.answer import Answer, Citation, Claim, Critique, StopReason, Usage, Verdict
from agent.schemas.figures import (
    AnswerForm,
    Breakdown,
    Calculation,
    Fact,
    FactPeriod,
    FactSource,
    Operand,
    Presence,
    QuestionPlan,
    Series,
    StandIn,
    StatementKind,
    Superlative,
    Trend,
)
from agent.schemas.filing import (
    FILING_FIELDS,
    Chunk,
    ChunkMetadata,
    FilingFields,
    FormType,
    Scope,
    ScoredChunk,
    period_label,
)

__all__ = [
    "FILING_FIELDS",
    "Answer",
    "AnswerForm",
    "Breakdown",
    "Calculation",
    "Chunk",
    "ChunkMetadata",
    "Citation",
    "Claim",
    "Critique",
    "Fact",
    "FactPeriod",
    "FactSource",
    "FilingFields",
    "FormType",
    "Operand",
    "Presence",
    "QuestionPlan",
    "Scope",
    "ScoredChunk",
    "Series",
    "StandIn",
    "StatementKind",
    "StopReason",
    "Superlative",
    "Trend",
    "Usage",
    "Verdict",
    "period_label",
]
