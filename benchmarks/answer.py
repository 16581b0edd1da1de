"""End-to-end answer latency on the bundled samples, broken down per node.

    python benchmarks/answer.py [--data-dir DIR] [--model local:qwen2.5-coder-1.5b]

Ingests ``loaders/samples`` into DIR (a temporary directory by default; re-ingest is idempotent),
then asks a few questions and prints, per question, the wall time of every node, the LLM calls,
prompt/completion tokens and the stop reason; then, per question type (the question plan's answer
form: figure, comparison, superlative, yes/no, text) and per drafter (our calculation over stored
facts, or the model), the median and p90 answer time, the median draft prompt tokens and LLM calls.
``--results`` prints the same summary for a saved ``filings eval run`` (no model run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

QUESTIONS = [
    "What were Apple's total net sales for the three months ended July 1, 2023?",
    "What was Amazon's operating margin in FY2022?",
    "What does Amazon say about the growth of AWS net sales in 2022?",
    "Compare Apple's services net sales in the quarter ended July 1, 2023 and Amazon's total net sales in 2022.",
    "What was Apple's dividend yield on the Tokyo stock exchange in 2023?",
]
NODES = [
    "resolve_scope",
    "decompose_question",
    "retrieve",
    "rerank_chunks",
    "draft_answer",
    "critique_draft",
    "rewrite_queries",
    "finalize_answer",
]


@dataclass
class Row:
    kind: str
    seconds: float
    draft_prompt_tokens: float | None
    llm_calls: int
    computed: bool = False  # drafted by our code from stored facts, no model call


def question_type(question: str) -> str:
    """The answer form the question plan gives it (figure, comparison, superlative, yes_no, text)."""
    from agent.finance.plan import plan_question

    return plan_question(question).form


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def print_summary(rows: list[Row]) -> None:
    """Median and p90 answer time, median draft prompt tokens and LLM calls, per question type."""
    print(f"\n{'type':<10} {'n':>3} {'median s':>9} {'p90 s':>7} {'draft tok':>10} {'LLM calls':>10}")
    groups = {"all": rows, **{k: [r for r in rows if r.kind == k] for k in sorted({r.kind for r in rows})}}
    groups["computed"] = [r for r in rows if r.computed]
    groups["model"] = [r for r in rows if not r.computed]
    for kind, group in groups.items():
        if not group:
            continue
        tokens = [r.draft_prompt_tokens for r in group if r.draft_prompt_tokens is not None]
        print(
            f"{kind:<10} {len(group):>3} {statistics.median(r.seconds for r in group):>9.1f} "
            f"{_pct([r.seconds for r in group], 0.9):>7.1f} "
            f"{(statistics.median(tokens) if tokens else float('nan')):>10.0f} "
            f"{statistics.median(r.llm_calls for r in group):>10.1f}"
        )


def rows_from_results(path: Path) -> list[Row]:
    """The per-question figures of a saved ``filings eval run`` (results.json)."""
    data = json.loads(path.read_text())
    return [
        Row(
            question_type(e["question"]),
            float(e.get("wall_seconds") or e["metrics"].get("cost.seconds", 0.0)),
            e["metrics"].get("cost.draft_prompt_tokens"),
            int(e["metrics"].get("cost.llm_calls", 0)),
            # An accepted answer with no model call at all was drafted by our code.
            e.get("stop_reason") == "accepted" and not e["metrics"].get("cost.llm_calls"),
        )
        for e in data["examples"]
        if not e.get("error")
    ]


def ingest(data_dir: Path) -> None:
    from loaders.samples import sample_dir

    subprocess.run(
        [sys.executable, "-m", "agent.cli", "--data-dir", str(data_dir), "ingest", str(sample_dir())],
        check=True,
    )


async def run(data_dir: Path, model: str | None, questions: list[str]) -> None:
    from agent.config import Settings
    from graphs.research import build_research_graph

    settings = Settings.load(data_dir=data_dir, chat_model=model)
    graph = build_research_graph(settings=settings)
    context = settings.context()
    header = (
        f"{'question':<40} {'stop':<24} {'calls':>5} {'p_tok':>6} {'c_tok':>5} {'total s':>8}  "
        + " ".join(f"{n[:10]:>10}" for n in NODES)
    )
    print(header)
    totals = []
    rows: list[Row] = []
    for q in questions:
        start = time.perf_counter()
        answer = (await graph.ainvoke({"question": q}, context=context))["answer"]
        wall = time.perf_counter() - start
        totals.append(wall)
        rows.append(
            Row(
                question_type(q),
                wall,
                answer.usage.prompt_tokens_per_call("draft_answer"),
                answer.usage.llm_calls,
                bool(answer.calculations),
            )
        )
        per_node = " ".join(f"{answer.node_seconds.get(n, 0.0):>10.2f}" for n in NODES)
        u = answer.usage
        print(
            f"{q[:40]:<40} {answer.stop_reason:<24} {u.llm_calls:>5} {u.prompt_tokens:>6} "
            f"{u.completion_tokens:>5} {wall:>8.1f}  {per_node}"
        )
    print(f"mean wall time per question: {sum(totals) / len(totals):.1f} s over {len(totals)} questions")
    print_summary(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--model", default=None, help="Chat model string for every role.")
    parser.add_argument(
        "--questions", type=int, default=len(QUESTIONS), help="How many of the built-in questions."
    )
    parser.add_argument("--results", type=Path, default=None, help="Summarise a saved eval run instead.")
    args = parser.parse_args()
    if args.results is not None:
        print_summary(rows_from_results(args.results))
        return
    with tempfile.TemporaryDirectory(prefix="filings-bench-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        ingest(data_dir)
        asyncio.run(run(data_dir, args.model, QUESTIONS[: args.questions]))


if __name__ == "__main__":
    main()
