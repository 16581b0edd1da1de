"""Critic evaluation: planted-error answers built deterministically from real retrieved chunks.

For each question of a run, the first context chunk with a usable figure becomes passage [c1] and
another chunk that lacks that figure becomes [c2]. From the figure's line we build five one-sentence
drafts: a correct control, a changed number, a wrong scale, the right sentence cited to the wrong
chunk, and an unsupported sentence (prose taken from another question's chunks). The real
``critique_draft`` node judges each; a draft counts as *flagged* when any claim fails.
Precision and recall are over the four planted kinds; the control measures false alarms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from agent.schemas import Chunk, ChunkMetadata, ScoredChunk
from evals.datasets import doc_key
from evals.numbers import Quantity, extract_quantities
from evals.results import ContextChunk, ExampleResult

KINDS = ("control", "changed_number", "wrong_scale", "wrong_citation", "unsupported")
_GOOD = ("supported", "calculation")
_SCALE_SWAP = {"million": "billion", "billion": "million", "thousand": "million"}


@dataclass
class PlantedCase:
    id: str
    kind: str
    question: str
    draft: str
    context: list[ScoredChunk]

    @property
    def planted(self) -> bool:
        return self.kind != "control"


def to_scored(c: ContextChunk) -> ScoredChunk:
    meta = ChunkMetadata(
        doc_id=doc_key(c.source) or c.id.split("::")[0], source_path=c.source, page=c.page or 0
    )
    return ScoredChunk(chunk=Chunk(id=c.id, text=c.text, metadata=meta), score=c.score)


def _figure_line(text: str) -> tuple[str, Quantity] | None:
    """A sentence (or else a table row) stating an amount: not a year, a percentage or a tiny count."""

    def amount(candidate: str) -> Quantity | None:
        if not 15 <= len(candidate) <= 220 or not re.search(r"[A-Za-z]{3}", candidate):
            return None
        return next(
            (q for q in extract_quantities(candidate) if abs(q.value) >= 100 and not q.is_percent), None
        )

    for sentence in re.split(r"(?<=[a-z][.!?])\s+", " ".join(text.split())):
        if (q := amount(sentence)) is not None:
            return sentence, q
    for raw in text.splitlines():
        line = " ".join(raw.replace("|", " ").split())
        if (q := amount(line)) is not None:
            return line, q
    return None


def _changed(q: Quantity) -> str:
    """The same figure with different digits, printed the way the original was."""
    digits = re.search(r"\d[\d,]*(?:\.\d+)?", q.raw)
    assert digits is not None
    text = digits.group(0)
    value = float(text.replace(",", "")) * 1.37 + 1
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    new = f"{value:,.{decimals}f}" if "," in text else f"{value:.{decimals}f}"
    return q.raw.replace(text, new, 1)


def _wrong_scale(line: str, q: Quantity) -> str:
    scale_word = re.search(r"(thousand|million|billion)", q.raw, re.I)
    if scale_word:
        new = q.raw.replace(scale_word.group(1), _SCALE_SWAP[scale_word.group(1).lower()])
    else:
        # Tables state "(In millions)" once; "billion" after a bare table figure is a 1000x error.
        new = f"{q.raw} billion"
    return line.replace(q.raw, new, 1)


def _prose_sentence(text: str) -> str | None:
    """A plain statement (no amounts; years are fine) that can be cited to an unrelated passage."""
    for s in re.split(r"(?<=[a-z][.!?])\s+", " ".join(text.split())):
        words = s.split()
        if 6 <= len(words) <= 50 and s.endswith(".") and not extract_quantities(s) and s[0].isupper():
            return s
    return None


# Used only when no chunk of the run offers a plain sentence: an invented forward-looking claim.
FALLBACK_UNSUPPORTED = (
    "Management expects this line item to double next year because of a new product launch."
)


def plant_cases(examples: Sequence[ExampleResult], *, limit: int | None = None) -> list[PlantedCase]:
    """Deterministic planted-error drafts from the runs' context chunks (see module docstring)."""
    pools = [[to_scored(c) for c in ex.context if c.text] for ex in examples]
    prose = [
        (i, c.id, c.chunk.metadata.source_path, s)
        for i, pool in enumerate(pools)
        for c in pool
        if (s := _prose_sentence(c.chunk.text))
    ]
    cases: list[PlantedCase] = []
    for i, (ex, pool) in enumerate(zip(examples, pools, strict=True)):
        found = next(((c, hit) for c in pool if (hit := _figure_line(c.chunk.text))), None)
        if found is None:
            continue
        c1, (line, q) = found
        figure = q.raw.lstrip("($ ").rstrip(")")
        c2 = next((c for c in pool if c.id != c1.id and figure not in c.chunk.text), None)
        if c2 is None:
            continue
        # Prefer prose from another filing (a sentence from the same filing may well be supported by
        # c1), then from another question's chunks; never from [c1] or [c2] themselves.
        candidates = sorted(
            (src == c1.chunk.metadata.source_path, j == i, s)
            for j, cid, src, s in prose
            if cid not in (c1.id, c2.id)
        )
        other = candidates[0][2] if candidates and not candidates[0][0] else FALLBACK_UNSUPPORTED
        ctx = [c1, c2]
        stem = line.rstrip(".")
        drafts = {
            "control": f"According to the filing, {stem} [c1].",
            "changed_number": f"According to the filing, {stem.replace(q.raw, _changed(q), 1)} [c1].",
            "wrong_scale": f"According to the filing, {_wrong_scale(stem, q)} [c1].",
            "wrong_citation": f"According to the filing, {stem} [c2].",
            "unsupported": f"{other.rstrip('.')} [c1].",
        }
        cases.extend(PlantedCase(f"{ex.id}:{k}", k, ex.question, d, ctx) for k, d in drafts.items())
        if limit is not None and len(cases) >= limit * len(KINDS):
            break
    return cases


async def judge_case(
    critique_node: Any, case: PlantedCase, context: Any
) -> tuple[bool, list[dict[str, Any]]]:
    """Run the real critic node on one planted draft; returns (flagged, claims)."""
    from langgraph.runtime import Runtime

    from agent.state import State

    state = State(question=case.question, draft=case.draft, context=case.context, retrieved=case.context)
    update = await critique_node(state, Runtime(context=context))
    claims = update["critique"].claims
    flagged = any(c.verdict not in _GOOD for c in claims) or not claims
    return flagged, [c.model_dump() for c in claims]


async def evaluate_critic(
    examples: Sequence[ExampleResult],
    *,
    resources: Any,
    context: Any,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Critic precision/recall over planted cases, with detection rate per kind."""
    from agent.nodes.critique import make_critique

    node = make_critique(resources)
    cases = plant_cases(examples, limit=limit)
    rows = []
    for case in cases:
        flagged, claims = await judge_case(node, case, context)
        rows.append(
            {"id": case.id, "kind": case.kind, "draft": case.draft, "flagged": flagged, "claims": claims}
        )
        if progress:
            progress(f"critic {case.id}: {'flagged' if flagged else 'passed'}")
    tp = sum(1 for r in rows if r["flagged"] and r["kind"] != "control")
    fp = sum(1 for r in rows if r["flagged"] and r["kind"] == "control")
    fn = sum(1 for r in rows if not r["flagged"] and r["kind"] != "control")
    by_kind = {
        k: (
            sum(1 for r in rows if r["kind"] == k and r["flagged"]) / n
            if (n := sum(1 for r in rows if r["kind"] == k))
            else None
        )
        for k in KINDS
    }
    return {
        "n_cases": len(rows),
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        "flag_rate_by_kind": by_kind,
        "cases": rows,
    }
