"""Deterministic metrics (no LLM): the CI tier. Same inputs, same numbers, every run.

Retrieval metrics take the ranked retrieval as any of ``ScoredChunk``, ``Chunk``, :class:`RetrievedRef`
or a dict with ``id``/``chunk_id``, ``source_path``/``source``, ``page`` and ``text``. A retrieved chunk
*hits* an evidence location when its document matches (file stem, name or glob, see
:func:`evals.datasets.doc_matches`) and, for page-level evidence, its zero-based page does.

Per-example metrics return ``None`` when they do not apply (no page-level evidence, no numbers in
the reference...); :func:`summarise` counts those and NaNs separately instead of averaging them away.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from agent.critic.calc import format_result
from agent.finance.units import SCALE_WORDS
from agent.schemas import Answer, Chunk, Citation, ScoredChunk
from evals.datasets import Evidence, doc_key, doc_matches
from evals.numbers import extract_quantities, grounded_numbers, numeric_answer_match

__all__ = [
    "RetrievedRef",
    "abstention_rate",
    "as_ref",
    "citation_validity",
    "cost_summary",
    "decomposition_stats",
    "doc_recall_at_k",
    "evidence_page_recall_at_k",
    "is_abstention",
    "mrr",
    "numeric_answer_match",
    "numeric_grounding_rate",
    "ragas_context_scores",
    "rerank_gain",
    "summarise",
]


@dataclass(frozen=True)
class RetrievedRef:
    """The parts of a retrieved chunk the metrics need."""

    chunk_id: str
    source: str
    page: int | None = None
    text: str = ""


def as_ref(item: Any) -> RetrievedRef:
    """Normalise a retrieved item (ScoredChunk, Chunk, RetrievedRef or dict) to a :class:`RetrievedRef`."""
    if isinstance(item, RetrievedRef):
        return item
    if isinstance(item, ScoredChunk):
        item = item.chunk
    if isinstance(item, Chunk):
        return RetrievedRef(item.id, item.metadata.source_path, item.metadata.page, item.text)
    if isinstance(item, dict):
        meta = item.get("metadata") or {}
        cid = item.get("chunk_id") or item.get("id")
        source = item.get("source_path") or item.get("source") or meta.get("source_path") or item.get("doc")
        if cid is None or source is None:
            raise ValueError(f"retrieved item needs an id and a source path, got keys {sorted(item)}")
        page = item.get("page", meta.get("page"))
        return RetrievedRef(str(cid), str(source), None if page is None else int(page), item.get("text", ""))
    raise TypeError(f"cannot read a retrieved chunk from {type(item).__name__}")


def _hits(ref: RetrievedRef, ev: Evidence, page_window: int) -> bool:
    if not doc_matches(ev.doc, ref.source):
        return False
    if ev.page is None:
        return True
    return ref.page is not None and abs(ref.page - ev.page) <= page_window


def _page_evidence(evidence: Iterable[Evidence]) -> list[Evidence]:
    seen, out = set(), []
    for ev in evidence:
        key = (ev.doc.lower(), ev.page)
        if ev.page is not None and key not in seen:
            seen.add(key)
            out.append(ev)
    return out


def evidence_page_recall_at_k(
    retrieved: Sequence[Any], evidence: Iterable[Evidence], k: int, *, page_window: int = 0
) -> float | None:
    """Fraction of distinct evidence pages with a retrieved chunk among the top ``k``.

    ``page_window`` widens a hit to neighbouring pages (chunks that straddle a page break carry
    their first page). ``None`` when the example has no page-level evidence.
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    pages = _page_evidence(evidence)
    if not pages:
        return None
    top = [as_ref(r) for r in retrieved[:k]]
    return sum(any(_hits(r, ev, page_window) for r in top) for ev in pages) / len(pages)


def mrr(retrieved: Sequence[Any], evidence: Iterable[Evidence], *, page_window: int = 0) -> float | None:
    """Reciprocal rank of the first chunk on an evidence page (0.0 if none); ``None`` without page evidence."""
    pages = _page_evidence(evidence)
    if not pages:
        return None
    for rank, item in enumerate(retrieved, start=1):
        ref = as_ref(item)
        if any(_hits(ref, ev, page_window) for ev in pages):
            return 1.0 / rank
    return 0.0


def doc_recall_at_k(retrieved: Sequence[Any], evidence: Iterable[Evidence], k: int) -> float | None:
    """Fraction of distinct evidence documents (names or globs) with a chunk among the top ``k``."""
    if k < 1:
        raise ValueError("k must be >= 1")
    docs = sorted({ev.doc for ev in evidence})
    if not docs:
        return None
    top = [as_ref(r) for r in retrieved[:k]]
    return sum(any(doc_matches(d, r.source) for r in top) for d in docs) / len(docs)


def rerank_gain(
    before: Sequence[Any], after: Sequence[Any], evidence: Iterable[Evidence], n: int, *, page_window: int = 0
) -> float | None:
    """Evidence-page recall@n after reranking minus recall@n before (positive = the reranker helped)."""
    evidence = list(evidence)
    r_before = evidence_page_recall_at_k(before, evidence, n, page_window=page_window)
    r_after = evidence_page_recall_at_k(after, evidence, n, page_window=page_window)
    if r_before is None or r_after is None:
        return None
    return r_after - r_before


def _page_id(source: str, page: int | None) -> str:
    return f"{doc_key(source)}::{page}"


def ragas_context_scores(
    retrieved: Sequence[Any],
    evidence: Iterable[Evidence] = (),
    reference_contexts: Sequence[str] = (),
    *,
    k: int | None = None,
) -> dict[str, float | None]:
    """RAGAS 0.4's non-LLM context metrics on the top ``k`` retrieved chunks.

    ID-based precision/recall compare *pages* (``"<doc stem>::<page>"``): chunk ids never appear in
    a dataset, evidence pages do. The string-similarity pair (rapidfuzz) needs reference contexts.
    Metrics that do not apply are ``None``.
    """
    # ragas is imported lazily: it costs ~5 s and most callers only want recall/MRR.
    from ragas.dataset_schema import SingleTurnSample
    from ragas.metrics import (
        IDBasedContextPrecision,
        IDBasedContextRecall,
        NonLLMContextPrecisionWithReference,
        NonLLMContextRecall,
    )

    top = [as_ref(r) for r in (retrieved if k is None else retrieved[:k])]
    out: dict[str, float | None] = {
        "id_context_precision": None,
        "id_context_recall": None,
        "nonllm_context_precision": None,
        "nonllm_context_recall": None,
    }
    pages = _page_evidence(evidence)
    if pages and top:
        # Reference ids are spelled like retrieved ids when the evidence doc is a plain name.
        reference_ids: list[str | int] = [_page_id(ev.doc, ev.page) for ev in pages]
        retrieved_ids: list[str | int] = []
        for r in top:
            match = next((ev for ev in pages if _hits(r, ev, 0)), None)
            retrieved_ids.append(_page_id(match.doc, match.page) if match else _page_id(r.source, r.page))
        sample = SingleTurnSample(retrieved_context_ids=retrieved_ids, reference_context_ids=reference_ids)
        out["id_context_precision"] = float(IDBasedContextPrecision().single_turn_score(sample))
        out["id_context_recall"] = float(IDBasedContextRecall().single_turn_score(sample))
    texts = [r.text for r in top if r.text]
    if reference_contexts and texts:
        sample = SingleTurnSample(retrieved_contexts=texts, reference_contexts=list(reference_contexts))
        out["nonllm_context_precision"] = float(
            NonLLMContextPrecisionWithReference().single_turn_score(sample)
        )
        out["nonllm_context_recall"] = float(NonLLMContextRecall().single_turn_score(sample))
    return out


_WORD = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def decomposition_stats(
    subquestions: Sequence[str], *, near_duplicate_jaccard: float = 0.9
) -> dict[str, float]:
    """Count sub-questions and duplicates (same words up to case/punctuation, or token Jaccard >= threshold)."""
    kept: list[frozenset[str]] = []
    duplicates = 0
    for q in subquestions:
        toks = _tokens(q)
        if any(
            toks == k or (toks | k and len(toks & k) / len(toks | k) >= near_duplicate_jaccard) for k in kept
        ):
            duplicates += 1
        else:
            kept.append(toks)
    n = len(subquestions)
    return {
        "count": float(n),
        "duplicates": float(duplicates),
        "duplicate_rate": duplicates / n if n else 0.0,
    }


_MARKER = re.compile(r"\[(\d+)\]")


def _norm_space(text: str) -> str:
    return " ".join(text.lower().split())


def citation_validity(
    text: str, citations: Sequence[Citation], chunks: dict[str, str]
) -> tuple[float | None, list[str]]:
    """Fraction of citations that are valid, with the reasons for the invalid ones.

    A citation is valid when its chunk is among ``chunks`` (id -> text of what was retrieved) and its
    quote, if any, occurs in that chunk (case and whitespace aside). A ``[n]`` marker in the text with
    no citation behind it counts as an invalid citation. ``None`` when there is nothing to check.
    """
    problems: list[str] = []
    by_n = {c.n: c for c in citations}
    valid = 0
    for c in citations:
        if c.chunk_id not in chunks:
            problems.append(f"[{c.n}] cites {c.chunk_id}, which was not retrieved")
        elif c.quote and _norm_space(c.quote) not in _norm_space(chunks[c.chunk_id]):
            problems.append(f"[{c.n}] quote not found in {c.chunk_id}")
        else:
            valid += 1
    dangling = sorted({int(n) for n in _MARKER.findall(text)} - set(by_n))
    problems.extend(f"[{n}] has no citation" for n in dangling)
    total = len(citations) + len(dangling)
    return (valid / total if total else None), problems


def numeric_grounding_rate(answer_text: str, contexts: Sequence[str]) -> float | None:
    """Fraction of the answer's numbers printed in the given contexts; ``None`` if it has no numbers."""
    grounded, ungrounded = grounded_numbers(answer_text, list(contexts))
    total = len(grounded) + len(ungrounded)
    return len(grounded) / total if total else None


def ungrounded_answer_numbers(answer: Answer, cited: Sequence[str]) -> list[str]:
    """The answer's figures that no cited passage prints and that are no calculation's result: not
    one our code made (``answer.calculations``) nor a drafted CALC the critic verified (a claim
    with the verdict "calculation", whose operands it found in the cited passages)."""
    computed = [c.text for c in answer.claims if c.verdict == "calculation"]
    for calc in answer.calculations:
        unit = "%" if calc.unit == "%" else ""
        shown = [(calc.result, calc.scale)]
        if calc.scale_asked is not None and calc.unit != "%":
            shown.append((calc.result * 10 ** (calc.scale - calc.scale_asked), calc.scale_asked))
        for value, scale in shown:
            for text in {format_result(value, calc.decimals), format_result(value)}:
                computed.append(f"{text}{unit} {SCALE_WORDS.get(scale, '')}".rstrip())
    _, ungrounded = grounded_numbers(answer.text, [*cited, *computed])
    return [raw for raw in ungrounded if not _count(raw)]


def _count(raw: str) -> bool:
    """A small bare integer ("the 7 rows below", "3 segments"): a count, not a reported figure (as
    the critic reads it, see agent.critic.numbers)."""
    found = extract_quantities(raw)
    return bool(found) and all(
        not (q.is_percent or q.currency or q.explicit_scale) and q.value.is_integer() and 0 <= q.value <= 12
        for q in found
    )


ABSTAIN_STOP_REASONS = ("abstained: budget", "abstained: no evidence", "out of scope")
_ABSTAIN_TEXT = re.compile(
    r"\b(cannot answer|can ?not be answered|could not find|do(?:es)? not (?:contain|provide|say|answer)|"
    r"not (?:found|available) in the (?:provided )?(?:filings|documents|context))\b",
    re.I,
)


def is_abstention(answer: Answer | str) -> bool:
    """True when the answer declines: an abstaining stop reason, or the text says the filings do not answer."""
    if isinstance(answer, Answer):
        if answer.stop_reason in ABSTAIN_STOP_REASONS:
            return True
        answer = answer.text
    return bool(_ABSTAIN_TEXT.search(answer))


def abstention_rate(answers: Sequence[Answer | str]) -> float | None:
    """Fraction of answers that abstain; ``None`` for no answers."""
    return sum(map(is_abstention, answers)) / len(answers) if answers else None


def cost_summary(answers: Sequence[Answer], wall_seconds: Sequence[float] | None = None) -> dict[str, Any]:
    """Mean LLM calls, tokens and seconds per node over the answers (plus wall time if given)."""
    if not answers:
        return {"n": 0}
    n = len(answers)
    nodes: dict[str, list[float]] = {}
    for a in answers:
        for node, secs in a.node_seconds.items():
            nodes.setdefault(node, []).append(secs)
    out: dict[str, Any] = {
        "n": n,
        "llm_calls": sum(a.usage.llm_calls for a in answers) / n,
        "prompt_tokens": sum(a.usage.prompt_tokens for a in answers) / n,
        "completion_tokens": sum(a.usage.completion_tokens for a in answers) / n,
        "node_seconds": {k: sum(v) / n for k, v in sorted(nodes.items())},
    }
    if wall_seconds:
        out["wall_seconds"] = sum(wall_seconds) / len(wall_seconds)
        out["wall_seconds_total"] = float(sum(wall_seconds))
    return out


def summarise(values: Iterable[float | None]) -> dict[str, float | int | None]:
    """Mean and spread over the valid values; ``n_missing`` (None) and ``n_nan`` are counted, never averaged."""
    vals = list(values)
    nan = sum(1 for v in vals if v is not None and isinstance(v, float) and math.isnan(v))
    good = [float(v) for v in vals if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return {
        "mean": statistics.fmean(good) if good else None,
        "stdev": statistics.stdev(good) if len(good) > 1 else (0.0 if good else None),
        "min": min(good) if good else None,
        "max": max(good) if good else None,
        "n": len(good),
        "n_nan": nan,
        "n_missing": len(vals) - len(good) - nan,
    }
