"""Questions written by the planner model for a budgeted sample of passages (``--llm-queries N``).

Real users ask questions, not row labels; a few hundred model-written questions add that style.
Each call is structured output (a list of questions); a malformed reply is skipped, never fatal.
Passages are sampled evenly over the training documents and over prose and tables.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from agent.prompts.tuning import TUNING_QUESTIONS_SYSTEM, TUNING_QUESTIONS_USER
from agent.retrieval.manifest import DocumentRecord
from agent.schemas import Chunk
from agent.tuning.queries import Pair, form_words, short_company

QUESTIONS_PER_PASSAGE = 2
PASSAGE_CHARS = 1500
MIN_QUESTION_CHARS = 12


class Questions(BaseModel):
    questions: list[str] = Field(default_factory=list, max_length=QUESTIONS_PER_PASSAGE)


def sample_chunks(chunks: dict[str, list[Chunk]], n: int, rng: random.Random) -> list[Chunk]:
    """``n`` passages, round-robin over documents, skipping tiny ones."""
    pools = [[c for c in cs if len(c.text) > 200] for cs in chunks.values()]
    for pool in pools:
        rng.shuffle(pool)
    out: list[Chunk] = []
    while len(out) < n and any(pools):
        for pool in pools:
            if pool and len(out) < n:
                out.append(pool.pop())
    return out


def _messages(chunk: Chunk, record: DocumentRecord) -> list[tuple[str, str]]:
    user = TUNING_QUESTIONS_USER.format(
        company=short_company(record) or "unknown",
        form=form_words(record),
        period=record.period_label,
        passage=chunk.text[:PASSAGE_CHARS],
        n=QUESTIONS_PER_PASSAGE,
    )
    return [("system", TUNING_QUESTIONS_SYSTEM), ("user", user)]


def llm_pairs(
    llm: Any,
    chunks: list[Chunk],
    records: dict[str, DocumentRecord],
    progress: Callable[[int, int], None] | None = None,
) -> list[Pair]:
    """Up to :data:`QUESTIONS_PER_PASSAGE` questions per passage; failures are skipped."""
    runnable = llm.with_structured_output(Questions, include_raw=True)
    out: list[Pair] = []
    for n, chunk in enumerate(chunks, start=1):
        record = records[chunk.metadata.doc_id]
        try:
            reply = runnable.invoke(_messages(chunk, record))
        except Exception:  # a provider error on one passage must not end a long run
            reply = {}
        parsed = reply.get("parsed") if isinstance(reply, dict) else None
        for question in getattr(parsed, "questions", [])[:QUESTIONS_PER_PASSAGE]:
            text = " ".join(str(question).split())
            if len(text) >= MIN_QUESTION_CHARS:
                out.append(Pair(text, chunk.id, chunk.metadata.doc_id, "llm", "llm", text.lower()))
        if progress:
            progress(n, len(chunks))
    return out
