"""``finalize_answer``: the typed Answer for every way a run ends (accepted, abstained, out of scope,
refused)."""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime

from agent.config import Context
from agent.critic.numbers import extract_numbers
from agent.nodes.leads import LEAD_NOTE, NOTHING_MORE, REST_UNANSWERED
from agent.nodes.timing import timed
from agent.schemas import Answer, Chunk, Citation, Claim, Scope, ScoredChunk, StopReason
from agent.state import State, Turn

QUOTE_CHARS = 240
ABSTAIN_SOURCES = 3
_WORD = re.compile(r"[a-z0-9]+")


def best_quote(chunk_text: str, claim_text: str) -> str:
    """The line or sentence of a chunk that best supports a claim (its figures first, then words)."""
    spans = [s.strip() for s in re.split(r"\n+|(?<=[.;])\s+", chunk_text) if len(s.strip()) > 3]
    if not spans:
        return chunk_text[:QUOTE_CHARS]
    figures = {round(n.magnitude, 6) for n in extract_numbers(claim_text)}
    words = set(_WORD.findall(claim_text.lower()))

    def score(span: str) -> tuple[int, int]:
        nums = {round(n.magnitude, 6) for n in extract_numbers(span, skip_years=False)}
        return len(figures & nums), len(words & set(_WORD.findall(span.lower())))

    best = max(spans, key=score)
    return best[:QUOTE_CHARS]


def citation_for(n: int, chunk: Chunk, quote: str) -> Citation:
    m = chunk.metadata
    return Citation(
        n=n,
        chunk_id=chunk.id,
        doc_id=m.doc_id,
        company=m.company,
        form_type=m.form_type,
        period=m.period_label if m.fiscal_year else m.period_end,
        section=m.section or (f"Item {m.item}" if m.item else None),
        page=m.page_number,
        source_path=m.source_path,
        quote=quote,
    )


def _cite(text: str, numbers: list[int]) -> str:
    marks = "".join(f"[{n}]" for n in numbers)
    body = text.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else "."
    return f"{body.rstrip('.!?').rstrip()} {marks}{end}" if marks else body


def render_claims(claims: list[Claim], chunks: dict[str, Chunk]) -> tuple[str, list[Citation]]:
    """Answer text with [n] markers in order of first use, and the matching citations."""
    numbering: dict[str, int] = {}
    citations: list[Citation] = []
    sentences = []
    said: set[str] = set()
    for claim in claims:
        # A small drafter sometimes copies the same sentence twice: say it once.
        key = " ".join(_WORD.findall(claim.text.lower()))
        if key in said:
            continue
        said.add(key)
        nums = []
        for cid in claim.chunk_ids:
            if cid not in chunks:
                continue
            if cid not in numbering:
                numbering[cid] = len(numbering) + 1
                # A calculation's quote is the line of its operands (named in the critic's reason).
                hint = f"{claim.text} {claim.reason}" if claim.verdict == "calculation" else claim.text
                citations.append(
                    citation_for(numbering[cid], chunks[cid], best_quote(chunks[cid].text, hint))
                )
            nums.append(numbering[cid])
        sentences.append(_cite(claim.text, nums))
    return " ".join(sentences), citations


def abstention(
    reason: str, claims: list[Claim], context: list[ScoredChunk], opening: str = ""
) -> tuple[str, list[Citation]]:
    """Say what was found (verified statements, then the closest passages) instead of guessing;
    ``opening`` replaces the first sentence (what a search that found nothing looked at)."""
    chunks = {c.id: c.chunk for c in context}
    verified = [c for c in claims if c.verdict in ("supported", "calculation")]
    text, citations = render_claims(verified, chunks)
    parts = [opening or f"I could not give a fully verified answer ({reason})."]
    if text:
        parts.append(f"What the filings do state: {text}")
    cited = {c.chunk_id for c in citations}
    extra = [c.chunk for c in context if c.id not in cited][: max(0, ABSTAIN_SOURCES - len(citations))]
    if extra:
        lines = []
        for chunk in extra:
            n = len(citations) + 1
            quote = chunk.text.strip().replace("\n", " ")[:QUOTE_CHARS]
            citations.append(citation_for(n, chunk, quote))
            m = chunk.metadata
            lines.append(
                f"[{n}] {m.company or '?'} {m.form_type or ''} {m.period_label}, page {m.page_number}"
            )
        parts.append("The closest passages found: " + "; ".join(lines) + ".")
    elif not citations:
        parts.append("No passage in scope was retrieved.")
    return " ".join(parts), citations


def make_finalize():
    @timed("finalize_answer")
    async def finalize_answer(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
        critique = state.critique
        claims = critique.claims if critique else []
        scope = state.scope
        if state.refusal:
            # Refused before any model call; not a turn a follow-up could lean on.
            answer = Answer(
                question=state.question,
                text=state.refusal,
                stop_reason="invalid question",
                node_seconds=dict(state.node_seconds),
            )
            return {"answer": answer}
        stop, text, citations = _outcome(state)
        answer = Answer(
            question=state.question,
            text=text,
            citations=citations,
            claims=claims,
            faithfulness=critique.faithfulness if critique else 0.0,
            scope=scope if scope is not None else Scope(),
            stop_reason=stop,
            revisions=state.revisions,
            usage=state.usage,
            node_seconds=dict(state.node_seconds),
            fallbacks=list(state.fallbacks),
            calculations=list(state.calculations) if stop == "accepted" else [],
        )
        turn = Turn(
            question=state.question,
            standalone=state.standalone_question or state.question,
            answer=text,
            scope=answer.scope,
        )
        return {"answer": answer, "turns": [turn]}

    return finalize_answer


def _outcome(state: State) -> tuple[StopReason, str, list[Citation]]:
    """Why the run stopped, the answer's text and its citations: out of scope, the accepted claims,
    or an abstention that shows what was found."""
    critique, scope = state.critique, state.scope
    claims = critique.claims if critique else []
    if scope is not None and scope.status == "no_match":
        return "out of scope", f"This question is outside the ingested filings. {scope.reason}".strip(), []
    if state.route == "accept" and critique is not None:
        kept = [c for c in claims if c.verdict in ("supported", "calculation")]
        text, citations = render_claims(kept, {c.id: c.chunk for c in state.context})
        if _rest_unanswered(state.fallbacks):
            # Our code stated the figures asked; the passages said nothing on the rest: say so.
            text += " " + REST_UNANSWERED
        if scope is not None and scope.assumptions:
            # The figures answer the question only under what the scope assumed: say it.
            text += " (Assumed: " + "; ".join(scope.assumptions) + ".)"
        return "accepted", text, citations
    # "No evidence" only when nothing was found or the drafter itself said the passages lack it;
    # a draft with unverifiable figures is a budget stop (we could not make it check out).
    no_evidence = not state.context or (critique is not None and critique.evidence_missing and not claims)
    if no_evidence and state.unreported:
        # A question whether something happened, its one filing read whole: not reported is the answer.
        text, citations = abstention("", claims, state.context, f"Not reported. {state.unreported}")
        return "not reported", text, citations
    reason = (
        "the retrieved passages do not contain the answer"
        if no_evidence
        else "the draft could not be verified against the filings within the revision budget"
    )
    text, citations = abstention(reason, claims, state.context)
    return ("abstained: no evidence" if no_evidence else "abstained: budget"), text, citations


def _rest_unanswered(fallbacks: list[str]) -> bool:
    """Whether the final draft is our figures alone, the model having found nothing on the rest."""
    leads = [f for f in fallbacks if f.startswith(LEAD_NOTE)]
    return bool(leads) and leads[-1].endswith(NOTHING_MORE)
