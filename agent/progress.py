"""What each node did, as a typed, JSON-serialisable record streamed to every client.

Every node's partial update carries one :class:`Progress` under ``progress`` (an output key, so
LangGraph Server's ``updates`` stream shows it, and the final ``values`` keep the turn's list):
the scope and the filings it resolves to, the sub-questions, each query's passages with their
pages, the critic's verdicts and the route taken. The CLI prints ``Progress.message``; the web app
and SDK users read the fields. Filing text inside (queries, quotes) is data: clients escape it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.schemas import Chunk, QuestionPlan, ScoredChunk, period_label

Step = Literal["scope", "plan", "retrieve", "rerank", "draft", "critique", "rewrite", "answer", "other"]

_STEPS: dict[str, Step] = {
    "resolve_scope": "scope",
    "decompose_question": "plan",
    "retrieve": "retrieve",
    "rerank_chunks": "rerank",
    "draft_answer": "draft",
    "critique_draft": "critique",
    "rewrite_queries": "rewrite",
    "finalize_answer": "answer",
}
MAX_PASSAGES = 10  # per event: enough to show what was found without streaming whole chunks
MAX_TEXT = 240  # characters of a claim shown with its verdict


class FilingRef(BaseModel):
    """One filing a scope resolves to."""

    doc_id: str
    company: str | None = None
    form_type: str | None = None
    period: str = Field(default="?", description="Fiscal period as the filing names it, e.g. 'FY2023 Q3'.")


class PassageRef(BaseModel):
    """Where a passage comes from (no chunk text: clients fetch the page by ``doc_id`` and ``page``)."""

    chunk_id: str
    doc_id: str
    company: str | None = None
    form_type: str | None = None
    period: str = "?"
    page: int = Field(description="1-based page number.")
    section: str | None = None
    score: float = 0.0


class ClaimVerdict(BaseModel):
    """One drafted sentence and what the critic found."""

    text: str
    verdict: str
    chunk_ids: list[str] = Field(default_factory=list)


class Progress(BaseModel):
    """One finished node visit."""

    node: str
    step: Step = "other"
    message: str = Field(default="", description="The one-line summary the CLI shows.")
    seconds: float = 0.0
    scope_status: str | None = None
    filings: list[FilingRef] = Field(default_factory=list)
    subquestions: list[str] = Field(default_factory=list)
    query: str | None = None
    passages: list[PassageRef] = Field(default_factory=list)
    claims: list[ClaimVerdict] = Field(default_factory=list)
    faithfulness: float | None = None
    route: str | None = None
    stop_reason: str | None = None
    plan: QuestionPlan | None = Field(default=None, description="The question plan (scope record only).")


_STARTING: dict[Step, str] = {
    "scope": "reading the question's company, period and form",
    "plan": "splitting the question into sub-questions",
    "retrieve": "searching the filings",
    "rerank": "ranking the passages found",
    "draft": "drafting the answer",
    "critique": "checking the draft's claims, figures and citations",
    "rewrite": "rewriting the search queries",
    "answer": "writing up the answer",
}


class Started(BaseModel):
    """A node visit has begun: streamed on the ``custom`` channel as soon as the node starts, so a
    client shows work in progress before the node's :class:`Progress` record arrives."""

    node: str
    step: Step = "other"
    event: Literal["started"] = "started"
    message: str = ""


def started(node: str) -> Started:
    step = _STEPS.get(node, "other")
    return Started(node=node, step=step, message=_STARTING.get(step, node.replace("_", " ")) + "…")


def filing_ref(record: Any) -> FilingRef:
    """A manifest ``DocumentRecord`` (or anything with the same fields) as a ``FilingRef``."""
    period = period_label(getattr(record, "fiscal_year", None), getattr(record, "fiscal_quarter", None))
    return FilingRef(
        doc_id=str(record.doc_id),
        company=getattr(record, "company", None),
        form_type=getattr(record, "form_type", None),
        period=period,
    )


def passage_ref(chunk: ScoredChunk | Chunk) -> PassageRef:
    inner = chunk.chunk if isinstance(chunk, ScoredChunk) else chunk
    m = inner.metadata
    score = chunk.score if isinstance(chunk, ScoredChunk) else 0.0
    return PassageRef(
        chunk_id=inner.id,
        doc_id=m.doc_id,
        company=m.company,
        form_type=m.form_type,
        period=m.period_label,
        page=m.page_number,
        section=m.section,
        score=round(float(score), 4),
    )


def _passages(value: Any) -> list[PassageRef]:
    if not isinstance(value, list):
        return []
    return [passage_ref(c) for c in value if isinstance(c, ScoredChunk)][:MAX_PASSAGES]


def progress_for(node: str, update: dict[str, Any], task: Any = None) -> Progress:
    """The record of one node visit, read off its partial update (and its ``Send`` task)."""
    step = _STEPS.get(node, "other")
    p = Progress(node=node, step=step)
    if step == "scope":
        scope = update.get("scope")
        if update.get("refusal"):
            p.message = "question refused"
        elif scope is not None:
            p.scope_status = scope.status
            p.message = f"scope {scope.status}: {scope.reason}"
    elif step in ("plan", "rewrite"):
        p.subquestions = list(update.get("subquestions") or [])
        queries = list(update.get("queries") or [])
        if step == "plan":
            p.message = f"{len(p.subquestions)} sub-question(s): " + " | ".join(p.subquestions)
        else:
            p.message = (
                f"rewrote the search queries (now {len(queries)})"
                if queries
                else "rewrote the search queries"
            )
    elif step == "retrieve":
        p.query = getattr(task, "query", None)
        p.passages = _passages(update.get("retrieved"))
        found = len(update.get("retrieved") or [])
        pages = sorted({(x.company or "?", x.page) for x in p.passages})[:4]
        where = ", ".join(f"{c} p.{n}" for c, n in pages)
        p.message = f"retrieved {found} candidates" + (f" ({where}, ...)" if where else "")
    elif step == "rerank":
        p.passages = _passages(update.get("context"))
        p.message = f"{len(update.get('context') or [])} passages into the context"
    elif step == "draft":
        p.message = "drafted an answer"
    elif step == "critique":
        critique = update.get("critique")
        p.route = update.get("route") or None
        if critique is not None:
            p.faithfulness = round(float(critique.faithfulness), 4)
            p.claims = [
                ClaimVerdict(text=c.text[:MAX_TEXT], verdict=c.verdict, chunk_ids=list(c.chunk_ids))
                for c in critique.claims
            ]
            p.message = f"critic: faithfulness {critique.faithfulness:.2f} -> {p.route or '?'}"
        else:
            p.message = f"critic -> {p.route or '?'}"
    elif step == "answer":
        answer = update.get("answer")
        p.stop_reason = getattr(answer, "stop_reason", None)
        p.message = f"answer: {p.stop_reason}" if p.stop_reason else "answer"
    else:
        p.message = "done"
    return p


__all__ = [
    "ClaimVerdict",
    "FilingRef",
    "PassageRef",
    "Progress",
    "Started",
    "filing_ref",
    "passage_ref",
    "progress_for",
    "started",
]
