"""End-to-end answer latency on the bundled samples, broken down per node.

    python benchmarks/answer.py [--data-dir DIR] [--model local:qwen2.5-coder-1.5b]

Ingests ``loaders/samples`` into DIR (a temporary directory by default; re-ingest is idempotent),
then asks a few questions and prints, per question, the wall time of every node, the LLM calls,
prompt/completion tokens and the stop reason.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = [
    "What were Apple's total net sales for the three months ended July 1, 2023?",
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
    for q in questions:
        start = time.perf_counter()
        answer = (await graph.ainvoke({"question": q}, context=context))["answer"]
        wall = time.perf_counter() - start
        totals.append(wall)
        per_node = " ".join(f"{answer.node_seconds.get(n, 0.0):>10.2f}" for n in NODES)
        u = answer.usage
        print(
            f"{q[:40]:<40} {answer.stop_reason:<24} {u.llm_calls:>5} {u.prompt_tokens:>6} "
            f"{u.completion_tokens:>5} {wall:>8.1f}  {per_node}"
        )
    print(f"mean wall time per question: {sum(totals) / len(totals):.1f} s over {len(totals)} questions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--model", default=None, help="Chat model string for every role.")
    parser.add_argument(
        "--questions", type=int, default=len(QUESTIONS), help="How many of the built-in questions."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="filings-bench-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        ingest(data_dir)
        asyncio.run(run(data_dir, args.model, QUESTIONS[: args.questions]))


if __name__ == "__main__":
    main()
