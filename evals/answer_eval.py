"""FinanceBench answer evaluation: the research graph versus a single-pass baseline.

    python -m evals.answer_eval --data-dir /work/eval-index/financebench \
        --questions ../shared/data/financebench-dev/questions.jsonl --limit 12 --out answer_eval.json

Per question and per system: correct / incorrect / abstained, revisions, LLM calls, latency, and
whether an *accepted* answer carries a number that is neither printed in its context passages nor
one of our own calculations (target 0). The baseline is retrieve -> draft with the same models,
prompt and retrieval settings, with no critic and no loop.

Grading (deterministic, no LLM judge):
- reference with numbers (most "metrics-generated" questions): every reference number must appear
  in the answer within a tolerance (``evals.numbers.numeric_answer_match``: 1% relative (REL_TOL), or half a
  unit of the coarser printed digit, implicit scales allowed); digits that label or locate rather than
  measure are not reference numbers (list enumerators, "Note 10", dates, source file names such as
  "2023 Q1 AMZN.pdf", the constants of a written-out calculation: ``evals.numbers.strip_noise``);
- reference starting with Yes/No: the answer must take the same side (and match any numbers);
- other text references: at least half of the reference's content words must appear in the answer.
An answer that abstains (stop reason or "cannot answer" text) is "abstained", never correct.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Literal

from agent.chat_llamacpp import forget_prompts
from agent.config import Context, Settings
from agent.critic.calc import expand_calculations
from agent.critic.numbers import ungrounded_numbers
from agent.nodes.draft import draft_fitting
from agent.nodes.resources import Resources
from agent.prompts.common import is_cannot_answer
from agent.schemas import Answer, ScoredChunk
from agent.text import FUNCTION_WORDS
from evals.datasets import EvalExample, doc_matches, load_financebench
from evals.metrics import is_abstention
from evals.numbers import extract_quantities, grounded_numbers, numeric_answer_match

Grade = Literal["correct", "incorrect", "abstained"]
REL_TOL = 0.01
_STOP = FUNCTION_WORDS | {"fy", "had", "has", "have", "no", "not", "yes"}


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z0-9&'-]+", text.lower()) if w not in _STOP and len(w) > 2}


def grade(answer_text: str, abstained: bool, reference: str) -> tuple[Grade, str]:
    """Deterministic grade of one answer against a FinanceBench reference (see module doc)."""
    if abstained:
        return "abstained", "abstained"
    ref = reference.strip()
    yes_no = re.match(r"^\s*(yes|no)\b", ref, re.I)
    if yes_no:
        side = yes_no.group(1).lower()
        said = re.search(r"\b(yes|no|not|did not|does not|has not|no longer)\b", answer_text.lower())
        if said is None or (side == "yes") == (said.group(1) != "yes"):
            return "incorrect", f"expected {side}"
    if extract_quantities(ref):
        match = numeric_answer_match(answer_text, ref, rel_tol=REL_TOL)
        return (
            ("correct", "numbers match") if match.ok else ("incorrect", f"missing {', '.join(match.missing)}")
        )
    if yes_no:
        return "correct", "same side"
    words = _content_words(ref)
    found = words & _content_words(answer_text)
    ok = not words or len(found) / len(words) >= 0.5
    return ("correct" if ok else "incorrect"), f"{len(found)}/{len(words)} reference words"


def ungrounded_in_accepted(answer: Answer, context_texts: list[str]) -> list[str]:
    """Numbers of an accepted answer printed in no context passage, excluding our own calculations."""
    if answer.stop_reason != "accepted":
        return []
    checked = " ".join(c.text for c in answer.claims if c.verdict != "calculation")
    _, ungrounded = grounded_numbers(checked, context_texts)
    return ungrounded


async def run_graph_once(graph: Any, example: EvalExample, context: Context) -> dict[str, Any]:
    start = time.perf_counter()
    ctx_chunks: list[ScoredChunk] = []
    answer: Answer | None = None
    async for chunk in graph.astream({"question": example.question}, context=context, stream_mode="updates"):
        for node, update in chunk.items():
            if node == "rerank_chunks" and isinstance(update, dict):
                ctx_chunks += list(update.get("context") or [])
            if isinstance(update, dict) and update.get("answer") is not None:
                answer = update["answer"]
    seconds = time.perf_counter() - start
    assert answer is not None, "the graph ended without an answer"
    texts = [c.chunk.text for c in ctx_chunks]
    verdict, why = grade(answer.text, is_abstention(answer), example.reference_answer or "")
    return {
        "grade": verdict,
        "why": why,
        "answer": answer.text,
        "stop_reason": answer.stop_reason,
        "revisions": answer.revisions,
        "llm_calls": answer.usage.llm_calls,
        "prompt_tokens": answer.usage.prompt_tokens,
        "completion_tokens": answer.usage.completion_tokens,
        "seconds": round(seconds, 1),
        "ungrounded_accepted": ungrounded_in_accepted(answer, texts),
        "fallbacks": answer.fallbacks,
        "node_seconds": answer.node_seconds,
        "claims": [f"{c.verdict}: {c.text[:120]} ({c.reason[:120]})" for c in answer.claims],
    }


async def run_baseline_once(resources: Resources, example: EvalExample, context: Context) -> dict[str, Any]:
    """Retrieve -> draft, same models and prompt, no critic, no loop."""
    start = time.perf_counter()
    scope = resources.resolve_scope(example.question, None)
    chunks: list[ScoredChunk] = []
    if scope.status != "no_match":
        candidates = await asyncio.to_thread(
            resources.search, example.question, scope, context.rerank_candidates, context
        )
        chunks = await asyncio.to_thread(
            resources.rerank, example.question, candidates, context.context_chunks, context
        )
    calls = 0
    text = raw = "I cannot answer this from the provided filings."
    fallbacks: list[str] = []
    if chunks:
        # One model call, over as many passages as fit the context window (as the graph's draft).
        text, usage, _figures, fallbacks = await draft_fitting(
            resources.chat_model(context.drafter_model),
            list(chunks),
            example.question,
            [(example.question, [])],
            context.max_answer_tokens,
        )
        calls = usage.llm_calls
        raw = text
        text = expand_calculations(text)[0]
    seconds = time.perf_counter() - start
    abstained = is_cannot_answer(text) or not text.strip()
    verdict, why = grade(text, abstained, example.reference_answer or "")
    _, ungrounded = grounded_numbers(text, [c.chunk.text for c in chunks])
    # The loose shared grader can match a made-up "-10.0%" to any "10" in the context; the
    # critic's finance-aware check is stricter (calculations excluded: they were computed by us).
    strict = [
        n.raw for n in ungrounded_numbers(re.sub(r"CALC\([^)]*\)", " ", raw), [c.chunk.text for c in chunks])
    ]
    return {
        "grade": verdict,
        "why": why,
        "answer": text,
        "stop_reason": "abstained" if abstained else "answered",
        "revisions": 0,
        "llm_calls": calls,
        "seconds": round(seconds, 1),
        # The baseline has no acceptance step: every non-abstaining answer is "accepted".
        "ungrounded_accepted": [] if abstained else ungrounded,
        "ungrounded_strict": [] if abstained else strict,
        "fallbacks": fallbacks,
    }


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    grades = [r["grade"] for r in rows]
    secs = [r["seconds"] for r in rows]
    return {
        "n": len(rows),
        "correct": grades.count("correct"),
        "incorrect": grades.count("incorrect"),
        "abstained": grades.count("abstained"),
        "accepted_with_ungrounded_number": sum(1 for r in rows if r["ungrounded_accepted"]),
        "mean_revisions": round(statistics.mean(r["revisions"] for r in rows), 2) if rows else 0,
        "mean_llm_calls": round(statistics.mean(r["llm_calls"] for r in rows), 2) if rows else 0,
        "mean_seconds": round(statistics.mean(secs), 1) if secs else 0,
    }


def markdown(results: list[dict[str, Any]], systems: list[str]) -> str:
    lines = ["| id | type | " + " | ".join(f"{s} grade | {s} calls | {s} s" for s in systems) + " |"]
    lines.append("|" + "---|" * (2 + 3 * len(systems)))
    for r in results:
        cells = [r["id"][-5:], (r["type"] or "")[:12]]
        for s in systems:
            row = r.get(s) or {}
            cells += [row.get("grade", "-"), str(row.get("llm_calls", "-")), str(row.get("seconds", "-"))]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "| system | n | correct | incorrect | abstained | accepted w/ ungrounded number | revisions | LLM calls | mean s |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for s in systems:
        m = summary([r[s] for r in results if s in r])
        lines.append(
            f"| {s} | {m['n']} | {m['correct']} | {m['incorrect']} | {m['abstained']} | "
            f"{m['accepted_with_ungrounded_number']} | {m['mean_revisions']} | {m['mean_llm_calls']} | {m['mean_seconds']} |"
        )
    return "\n".join(lines)


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="Data dir holding the ingested FinanceBench index."
    )
    parser.add_argument("--questions", type=Path, required=True, help="FinanceBench questions.jsonl")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument(
        "--stride", type=int, default=1, help="Take every Nth question (a spread-out subset)."
    )
    parser.add_argument("--ids", nargs="*", default=None, help="Only these financebench ids (suffixes ok).")
    parser.add_argument("--systems", nargs="+", default=["graph", "baseline"], choices=["graph", "baseline"])
    parser.add_argument("--out", type=Path, default=None, help="Write per-question rows as JSON here.")
    args = parser.parse_args(argv)

    from graphs.research import build_research_graph

    settings = Settings.load(data_dir=args.data_dir)
    resources = Resources(settings)
    if not resources.documents():
        print(f"no ingested documents under {settings.index_dir}", file=sys.stderr)
        return 2
    context = settings.context()
    graph = build_research_graph(resources=resources)
    examples = load_financebench(args.questions)
    # Questions whose filings are not in the index would measure ingestion, not answering.
    paths = [getattr(d, "source_path", "") for d in resources.documents()]
    covered = [e for e in examples if all(any(doc_matches(ev.doc, p) for p in paths) for ev in e.evidence)]
    print(f"{len(covered)}/{len(examples)} questions have their filings in the index", file=sys.stderr)
    examples = covered
    if args.ids:
        examples = [e for e in examples if any(e.id.endswith(i) for i in args.ids)]
    examples = examples[:: max(1, args.stride)]
    if args.limit:
        examples = examples[: args.limit]
    results: list[dict[str, Any]] = []
    for example in examples:
        row: dict[str, Any] = {
            "id": example.id,
            "type": example.question_type,
            "reference": example.reference_answer,
        }
        for system in args.systems:
            # Each system pays its own prompts: no KV prefix left over from the other one's run.
            forget_prompts()
            if system == "graph":
                row[system] = await run_graph_once(graph, example, context)
            else:
                row[system] = await run_baseline_once(resources, example, context)
            print(
                f"{example.id} {system}: {row[system]['grade']} ({row[system]['seconds']} s)", file=sys.stderr
            )
        results.append(row)
        if args.out:
            args.out.write_text(json.dumps(results, indent=2))
    print(markdown(results, args.systems))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
