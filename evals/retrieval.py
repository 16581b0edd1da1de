"""Retrieval evaluation: evidence-page recall@1/5/10 and MRR per stage, doc-level recall@5.

Stages: dense only, BM25 only, fused (RRF), fused + scope filter, then each reranker over the
fused + scoped candidates. All documents of a dataset live in ONE shared collection (the hard case
FinanceBench's authors measured), built beforehand with ``filings --data-dir DIR ingest ...``.

    python -m evals.retrieval --data-dir /work/eval-index/financebench --dataset financebench
    python -m evals.retrieval --data-dir /work/eval-index/sec10q --dataset docugami

Each stage's time is what a question costs up to that stage (a reranker row includes the fused +
scoped search before it). To compare embeddings models (say a model from ``filings tune`` against
the base), give ``--data-dir`` once per index (``filings reindex --embeddings local:tuned/NAME`` on
a copy, with ``--add`` to keep the base vectors beside the tuned ones): the rows of each are
labelled with the models its vectors were made with.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.config import Settings
from agent.schemas import Scope, ScoredChunk
from evals.datasets import EvalExample, doc_matches, load_docugami_csv, load_financebench
from evals.metrics import doc_recall_at_k, evidence_page_recall_at_k, mrr

if TYPE_CHECKING:
    from agent.retrieval.hybrid import HybridRetriever
    from agent.retrieval.index import DocumentRecord, FilingIndex
    from agent.retrieval.protocols import Reranker

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEFAULT_QUESTIONS = {
    "financebench": SHARED_DATA / "financebench-dev" / "questions.jsonl",
    "docugami": SHARED_DATA / "sec-10-q" / "qna_data.csv",
}
KS = (1, 5, 10)


@dataclass
class StageResult:
    """Per-question metrics of one stage."""

    name: str
    recall: dict[int, list[float]] = field(default_factory=lambda: {k: [] for k in KS})
    mrr: list[float] = field(default_factory=list)
    doc_recall5: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    # Questions with evidence pages but no hit in the top 10: where to look next.
    missed_at_10: list[str] = field(default_factory=list)
    # ... and those with some of their evidence pages in the top 10 but not all.
    partial_at_10: list[str] = field(default_factory=list)

    def add(self, example: EvalExample, ranked: Sequence[ScoredChunk], seconds: float) -> None:
        self.seconds.append(seconds)
        if example.evidence_pages:
            for k in KS:
                self.recall[k].append(evidence_page_recall_at_k(ranked, example.evidence, k) or 0.0)
            if not self.recall[max(KS)][-1]:
                self.missed_at_10.append(example.id)
            elif self.recall[max(KS)][-1] < 1:
                self.partial_at_10.append(example.id)
            self.mrr.append(mrr(ranked, example.evidence) or 0.0)
        value = doc_recall_at_k(ranked, example.evidence, 5)
        if value is not None:
            self.doc_recall5.append(value)

    def row(self) -> dict[str, Any]:
        def mean(xs: list[float]) -> float | None:
            return statistics.fmean(xs) if xs else None

        return {
            "stage": self.name,
            **{f"recall@{k}": mean(self.recall[k]) for k in KS},
            "mrr": mean(self.mrr),
            "doc_recall@5": mean(self.doc_recall5),
            "ms_per_query": 1000 * statistics.fmean(self.seconds) if self.seconds else None,
            "n": max(len(self.mrr), len(self.doc_recall5)),
            f"missed@{max(KS)}": self.missed_at_10,
            f"partial@{max(KS)}": self.partial_at_10,
        }


def load_examples(dataset: str, questions: Path | None, limit: int | None) -> list[EvalExample]:
    """The dataset's questions (FinanceBench JSONL or the docugami CSV)."""
    path = questions or DEFAULT_QUESTIONS[dataset]
    loader = load_financebench if dataset == "financebench" else load_docugami_csv
    return loader(path, limit=limit)


def evaluate(
    settings: Settings,
    examples: Sequence[EvalExample],
    rerankers: Sequence[str],
    top: int = 10,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run every stage over ``examples``; returns table rows and scope statistics."""
    from agent.retrieval.hybrid import HybridRetriever
    from agent.retrieval.index import FilingIndex
    from agent.retrieval.rerankers import make_reranker

    index = FilingIndex.open(settings)
    documents = index.documents()
    if not documents:
        raise SystemExit(
            f"the index at {settings.index_dir} holds no documents: ingest the dataset's filings first"
        )
    examples, skipped = _covered(examples, documents, progress)
    context = settings.context()
    hybrid = HybridRetriever(index, context)
    built = {spec: make_reranker(spec, settings, index=index) for spec in rerankers}
    names = ["dense", "bm25", "fused", "fused+scope", "fused+scope+statements"]
    names += [f"fused+scope+{spec}{tail}" for spec in rerankers for tail in ("", "+statements")]
    stages = {name: StageResult(name) for name in names}
    scope_stats: dict[str, Any] = {
        "questions": len(examples),
        "skipped_not_ingested": skipped,
        "documents": len(documents),
        "chunks": index.count(),
        "ok": 0,
        "unscoped": 0,
        "no_match": 0,
        "contains_evidence_doc": 0,
    }
    scoped_docs: list[int] = []
    by_id = {d.doc_id: d for d in documents}

    index.dense_search("warm up", 1)  # load the embedding model outside the timings
    for n, example in enumerate(examples, start=1):
        scope, scoped, scoped_seconds = _search_stages(example, index, hybrid, documents, top, stages)
        scoped_paths = _count_scope(example, scope, by_id, scope_stats)
        scoped_docs.append(len(scoped_paths))
        _rerank_stages(example, scope, scoped, scoped_seconds, built, index, top, stages)
        if progress:
            q = example.question
            progress(f"[{n}/{len(examples)}] scope={scope.status} docs={len(scoped_paths)} {q[:70]}")
    scope_stats["mean_scoped_docs"] = statistics.fmean(scoped_docs or [0])
    scope_stats["embeddings_model"] = index.embeddings_model or settings.embeddings_model
    added = [model for _, _, model, _ in index.added_vectors()]
    if added:  # `filings reindex --add`: those vectors vote in every fused stage
        scope_stats["embeddings_model"] += "".join(f" + {model}" for model in added)
    return [s.row() for s in stages.values()], scope_stats


def _covered(
    examples: Sequence[EvalExample], documents: list[DocumentRecord], progress: Callable[[str], None] | None
) -> tuple[list[EvalExample], int]:
    """The examples whose evidence documents are all in the index, and how many were skipped."""
    paths = [d.source_path for d in documents]
    covered = [e for e in examples if all(any(doc_matches(ev.doc, p) for p in paths) for ev in e.evidence)]
    skipped = len(examples) - len(covered)
    if progress and skipped:
        progress(f"{skipped} question(s) skipped: their evidence documents are not in the index")
    return covered, skipped


def _search_stages(
    example: EvalExample,
    index: FilingIndex,
    hybrid: HybridRetriever,
    documents: list[DocumentRecord],
    top: int,
    stages: dict[str, StageResult],
) -> tuple[Scope, list[ScoredChunk], float]:
    """Time and score the stages before reranking; returns the scope, its hits and their cost."""
    from agent.retrieval.scope import resolve_scope
    from agent.retrieval.statements import promote_statements

    q = example.question
    t = time.perf_counter()
    dense = index.dense_search(q, top)
    stages["dense"].add(example, dense, time.perf_counter() - t)
    t = time.perf_counter()
    bm25 = index.bm25_search(q, top)
    stages["bm25"].add(example, bm25, time.perf_counter() - t)
    t = time.perf_counter()
    fused = hybrid.search(q, None)
    stages["fused"].add(example, fused, time.perf_counter() - t)
    t = time.perf_counter()
    scope = resolve_scope(q, documents)
    scoped = hybrid.search(q, scope)
    scoped_seconds = time.perf_counter() - t
    stages["fused+scope"].add(example, scoped, scoped_seconds)
    t = time.perf_counter()
    promoted = promote_statements(q, scoped, top, neighbours=index.get_chunks)
    stages["fused+scope+statements"].add(example, promoted, scoped_seconds + time.perf_counter() - t)
    return scope, scoped, scoped_seconds


def _count_scope(
    example: EvalExample, scope: Scope, by_id: dict[str, DocumentRecord], scope_stats: dict[str, Any]
) -> list[str]:
    """Tally the scope's status (and whether it kept the evidence documents); returns its paths."""
    scope_stats[scope.status] += 1
    scoped_paths = [by_id[d].source_path for d in scope.doc_ids if d in by_id]
    if scope.status == "ok" and all(
        any(doc_matches(ev.doc, p) for p in scoped_paths) for ev in example.evidence
    ):
        scope_stats["contains_evidence_doc"] += 1
    return scoped_paths


def _rerank_stages(
    example: EvalExample,
    scope: Scope,
    scoped: list[ScoredChunk],
    scoped_seconds: float,
    built: dict[str, Reranker],
    index: FilingIndex,
    top: int,
    stages: dict[str, StageResult],
) -> None:
    """Time and score each reranker over the scoped candidates, with and without statements."""
    from agent.retrieval.query import topic_query
    from agent.retrieval.statements import promote_statements

    q = example.question
    for spec, reranker in built.items():
        t = time.perf_counter()
        ranked = reranker.rerank(q, scoped, len(scoped), topic=topic_query(q, scope))
        spent = time.perf_counter() - t
        stages[f"fused+scope+{spec}"].add(example, ranked[:top], scoped_seconds + spent)
        t = time.perf_counter()
        stages[f"fused+scope+{spec}+statements"].add(
            example,
            promote_statements(q, ranked, top, neighbours=index.get_chunks),
            scoped_seconds + spent + time.perf_counter() - t,
        )


def print_table(rows: list[dict[str, Any]], title: str) -> None:
    """One rich table (falls back to plain text when rich is missing)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    cols = ["stage", "recall@1", "recall@5", "recall@10", "mrr", "doc_recall@5", "ms_per_query", "n"]
    for col in cols:
        table.add_column(col, justify="left" if col == "stage" else "right")
    for row in rows:
        cells = []
        for col in cols:
            v = row.get(col)
            cells.append(
                "-"
                if v is None
                else (
                    f"{v:.3f}"
                    if isinstance(v, float) and col != "ms_per_query"
                    else (f"{v:.0f}" if isinstance(v, float) else str(v))
                )
            )
        table.add_row(*cells)
    Console(width=140).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        required=True,
        action="append",
        help="Index directory (built with filings ingest); repeat it to compare indexes embedded with "
        "different models (rows are labelled with each index's embeddings model).",
    )
    parser.add_argument("--dataset", choices=sorted(DEFAULT_QUESTIONS), required=True)
    parser.add_argument("--questions", type=Path, help="Question file (default: the shared dev set).")
    parser.add_argument(
        "--rerankers",
        default="local:mpnet-rescore",
        help="Comma-separated reranker specs evaluated after fused+scope ('' for none).",
    )
    parser.add_argument("--limit", type=int, help="Only the first N questions.")
    parser.add_argument(
        "--stride", type=int, default=1, help="Take every Nth question (a spread-out subset)."
    )
    parser.add_argument("--json", type=Path, help="Also write the rows and scope statistics as JSON here.")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    examples = load_examples(args.dataset, args.questions, args.limit)[:: max(1, args.stride)]
    rerankers = [s.strip() for s in args.rerankers.split(",") if s.strip()]
    log = None if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    results = []
    for data_dir in args.data_dir:
        rows, scope_stats = evaluate(Settings.load(data_dir=data_dir), examples, rerankers, progress=log)
        if len(args.data_dir) > 1:
            rows = [{**r, "stage": f"{scope_stats['embeddings_model']} | {r['stage']}"} for r in rows]
        results.append((rows, scope_stats))
    scope_stats = results[0][1]
    title = (
        f"Retrieval on {args.dataset}: {scope_stats['questions']} questions, one shared collection of "
        f"{scope_stats['documents']} documents / {scope_stats['chunks']} chunks"
    )
    all_rows = [row for rows, _ in results for row in rows]
    print_table(all_rows, title)
    for _, stats in results:
        print("scope:", json.dumps(stats))
    if args.json:
        args.json.write_text(
            json.dumps({"rows": all_rows, "scope": scope_stats, "indexes": [s for _, s in results]}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
