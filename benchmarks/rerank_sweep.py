"""Sweep the bi-encoder reranker's blend on FinanceBench-dev (prints recall@1/5/10 and MRR).

Scores each question's fused + scoped candidates with the re-scoring model ONCE, as asked and as
its topic (the question without the scope's names), then replays every blend setting (candidates
re-scored, re-score weight, rank constant, with or without the topic) on those scores, before and
after the statement passages are promoted as the graph does.

    python benchmarks/rerank_sweep.py --data-dir /work/eval-index/financebench [--model local:all-mpnet-base-v2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _args() -> argparse.Namespace:
    from evals.retrieval import DEFAULT_QUESTIONS

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS["financebench"])
    parser.add_argument("--model", default="local:all-mpnet-base-v2")
    parser.add_argument("--candidates", type=int, default=30)
    return parser.parse_args()


def _scored(args: argparse.Namespace, index: Any, settings: Any) -> list[tuple[Any, list[Any], list[Any]]]:
    """Each question's fused, scoped candidates with the model's scores for the question and its topic."""
    from agent.models import load_sentence_transformer
    from agent.retrieval.hybrid import HybridRetriever
    from agent.retrieval.query import topic_query
    from agent.retrieval.rerankers import BiEncoderReranker
    from agent.retrieval.scope import resolve_scope
    from evals.datasets import doc_matches
    from evals.retrieval import load_examples

    documents = index.documents()
    paths = [d.source_path for d in documents]
    examples = [
        e
        for e in load_examples("financebench", args.questions, None)
        if all(any(doc_matches(ev.doc, p) for p in paths) for ev in e.evidence)
    ]
    hybrid = HybridRetriever(index, settings.context())
    model = BiEncoderReranker(
        load_sentence_transformer(args.model, settings), "rescore", max_candidates=args.candidates
    )
    rows, seconds = [], []
    for e in examples:
        scope = resolve_scope(e.question, documents)
        candidates = hybrid.search(e.question, scope, k=args.candidates)
        t = time.perf_counter()
        topic = topic_query(e.question, scope)
        scores = [model.scores(e.question, candidates)]
        scores.append(model.scores(topic, candidates) if topic != e.question else scores[0])
        rows.append((e, candidates, scores))
        seconds.append(time.perf_counter() - t)
    print(
        f"{len(examples)} questions; re-scoring {args.candidates} candidates took {statistics.fmean(seconds):.1f} s/query"
    )
    return rows


def _report(rows: list[tuple[Any, list[Any], list[Any]]], index: Any, name: str, order: Any) -> None:
    """Print page R@1/5/10 and MRR of one ordering, before and after the statement promotion."""
    from agent.retrieval.statements import promote_statements
    from evals.metrics import evidence_page_recall_at_k, mrr

    for promoted in (False, True):
        recall: dict[int, list[float]] = {1: [], 5: [], 10: []}
        rr = []
        for e, cands, scores in rows:
            ranked = order(cands, scores)
            if promoted:
                ranked = promote_statements(e.question, ranked, 10, neighbours=index.get_chunks)
            for k in recall:
                recall[k].append(evidence_page_recall_at_k(ranked, e.evidence, k) or 0.0)
            rr.append(mrr(ranked, e.evidence) or 0.0)
        cells = " ".join(f"R@{k}={statistics.fmean(v):.3f}" for k, v in recall.items())
        label = f"{name}{' +statements' if promoted else ''}"
        print(f"{label:46} {cells} MRR={statistics.fmean(rr):.3f}")


def main() -> int:
    from agent.config import Settings
    from agent.retrieval.index import FilingIndex
    from agent.retrieval.rerankers import _blend

    args = _args()
    settings = Settings(data_dir=args.data_dir)
    index = FilingIndex.open(settings)
    rows = _scored(args, index, settings)
    _report(rows, index, "fusion order", lambda c, s: c)
    _report(
        rows,
        index,
        "re-score only",
        lambda c, s: [c[i] for i in sorted(range(len(c)), key=lambda i: -s[0][i])],
    )
    for n in sorted({10, 20, args.candidates}):
        for w in (0.5, 1.0, 2.0):
            for k in (5, 60):
                for lists, what in ((1, "question"), (2, "question+topic")):
                    _report(
                        rows,
                        index,
                        f"top{n} weight{w} k{k} {what}",
                        lambda c, s, n=n, w=w, k=k, m=lists: (
                            _blend(c[:n], [x[:n] for x in s[:m]], "r", n, w, 1.0, k) + c[n:]
                        ),
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
