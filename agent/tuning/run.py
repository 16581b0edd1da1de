"""The ``filings tune`` flow: data from the index, training, before/after table, card.

1. split the committed documents into train and held-out (by document);
2. write structural queries (and optionally LLM questions) for both sides, sample a budget;
3. mine hard negatives for the training queries with the index's current vectors (and, with a
   teacher, label each triplet with the teacher's margin: GPL's pseudo-labels);
4. fine-tune the bi-encoder (and optionally a cross-encoder reranker);
5. rank the held-out queries with the base and the tuned model;
6. save model + card under ``<data_dir>/tuned/<name>`` (written to a temporary folder first and
   renamed into place, so a crash never leaves a half model under a usable name).
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.config import Settings
from agent.retrieval.index import FilingIndex
from agent.retrieval.manifest import DocumentRecord
from agent.schemas import Chunk, Fact
from agent.tuning.card import Card, Kind, check_name, tuned_root, write_card
from agent.tuning.evaluate import EvalSet, evaluate, rank_bi_encoder, rank_cross_encoder
from agent.tuning.lora import load_bi_encoder
from agent.tuning.merge import interpolate_weights
from agent.tuning.negatives import Triplet, mine, printed_rows
from agent.tuning.queries import Pair, document_queries, sample_pairs
from agent.tuning.split import split_documents
from agent.tuning.train import (
    TrainConfig,
    TrainResult,
    learning_rate,
    train_bi_encoder,
    train_cross_encoder,
)

Report = Callable[[str, int, int], None]  # (stage, done, total)


class TuneError(ValueError):
    """A tuning run that cannot start (empty index, name taken, unusable base model)."""


@dataclass
class TuneOptions:
    name: str
    base: str | None = None  # embeddings model string; default: the index's own
    max_pairs: int = 3000
    llm_queries: int = 0
    held_out: float = 0.1
    eval_queries: int = 300
    teacher: str | None = None  # a sentence-transformers model string whose margins the bi-encoder learns
    cross_encoder: bool = False
    force: bool = False
    bi_encoder: bool = True  # False: train only the cross-encoder (the embeddings stay as they are)
    train: TrainConfig = field(default_factory=TrainConfig)


@dataclass
class Corpus:
    records: dict[str, DocumentRecord]
    chunks: dict[str, list[Chunk]]
    facts: dict[str, list[Fact]]


@dataclass
class TuneResult:
    cards: list[Card]
    folders: list[Path]


def load_corpus(index: FilingIndex) -> Corpus:
    records = {r.doc_id: r for r in index.documents()}
    if not records:
        raise TuneError(f"the index at {index.settings.index_dir} holds no documents: ingest filings first")
    chunks = {d: index.manifest.doc_chunks(d) for d in records}
    facts: dict[str, list[Fact]] = {d: [] for d in records}
    for fact in index.manifest.facts(list(records)):
        facts[fact.doc_id].append(fact)
    return Corpus(records, chunks, facts)


def make_pairs(corpus: Corpus, doc_ids: tuple[str, ...], budget: int, rng: random.Random) -> list[Pair]:
    pools = [document_queries(corpus.records[d], corpus.chunks[d], corpus.facts[d], rng) for d in doc_ids]
    return sample_pairs(pools, budget, rng)


def base_location(spec: str, settings: Settings) -> str:
    """The folder or hub id a sentence-transformers base loads from."""
    from agent.models import parse_spec, st_location

    provider, _ = parse_spec(spec, ("local", "hf", "openai", "ollama"))
    if provider not in ("local", "hf"):
        raise TuneError(f"only sentence-transformers models can be tuned (local: or hf:), not {spec!r}")
    return st_location(spec, settings)


def _llm_pairs(
    settings: Settings,
    corpus: Corpus,
    train: tuple[str, ...],
    n: int,
    rng: random.Random,
    report: Report | None,
) -> list[Pair]:
    from agent.models import make_chat_model
    from agent.tuning.llm_queries import llm_pairs, sample_chunks

    llm = make_chat_model(settings.planner_model or settings.chat_model, settings, max_tokens=160)
    sample = sample_chunks({d: corpus.chunks[d] for d in train}, n, rng)
    step = (lambda done, total: report("questions", done, total)) if report else None
    return llm_pairs(llm, sample, corpus.records, step)


def _staging(root: Path, name: str) -> Path:
    staging = root / f".{name}.partial"
    if staging.exists():
        shutil.rmtree(staging)
    return staging


def _publish(staging: Path, final: Path) -> None:
    if final.exists():
        shutil.rmtree(final)
    staging.rename(final)


def _card(
    opts: TuneOptions,
    kind: Kind,
    prep: Prepared,
    index: FilingIndex,
    result: TrainResult,
    baseline: Baseline,
    after: dict[str, float],
    name: str,
) -> Card:
    """An interrupted run measured nothing: its card has no metrics."""
    before = {} if result.interrupted else baseline.metrics
    return Card(
        name=name,
        kind=kind,
        base_model=prep.base_spec,
        lora=opts.train.lora and kind == "bi-encoder",
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        complete=not result.interrupted,
        index=str(index.settings.index_dir),
        data=prep.data,
        training={
            **result.as_dict(),
            "epochs": opts.train.epochs,
            "batch_size": opts.train.batch_size,
            "max_seq_length": opts.train.max_seq_length,
            "learning_rate": learning_rate(opts.train, cross_encoder=kind == "cross-encoder"),
            **({"anchor_ratio": opts.train.anchor_ratio} if kind == "bi-encoder" else {}),
            **({"teacher": opts.teacher} if opts.teacher and kind == "bi-encoder" else {}),
            **(
                {"interpolate": opts.train.interpolate}
                if kind == "bi-encoder" and opts.train.interpolate < 1
                else {}
            ),
            **({"lora_rank": opts.train.lora_rank} if opts.train.lora and kind == "bi-encoder" else {}),
        },
        metrics={"before": before, "after": after},
    )


def tune(settings: Settings, opts: TuneOptions, report: Report | None = None) -> TuneResult:
    """Run the whole flow; returns the saved cards (bi-encoder, then cross-encoder if asked)."""
    check_name(opts.name)
    root = tuned_root(settings.data_dir)
    if not (opts.bi_encoder or opts.cross_encoder):
        raise TuneError("nothing to train: --reranker-only needs --cross-encoder")
    if not 0.0 <= opts.train.interpolate <= 1.0:
        raise TuneError(f"--interpolate must be between 0 and 1, not {opts.train.interpolate}")
    if opts.train.interpolate < 1.0 and opts.train.lora:
        raise TuneError(
            "--interpolate moves full weights: leave out --lora (or scale the adapter's rank instead)"
        )
    names = ([opts.name] if opts.bi_encoder else []) + ([f"{opts.name}-rerank"] if opts.cross_encoder else [])
    taken = [n for n in names if (root / n).exists()]
    if taken and not opts.force:
        raise TuneError(f"tuned model {taken[0]!r} exists under {root}: pick another --name or pass --force")
    if opts.teacher:  # a sentence-transformers model that exists, checked before the slow steps
        try:
            base_location(opts.teacher, settings)
        except TuneError:
            raise TuneError(
                f"--teacher must be a sentence-transformers model (local: or hf:), not {opts.teacher!r}"
            ) from None
    rng = random.Random(opts.train.seed)
    index = FilingIndex.open(settings)
    try:
        return _tune(settings, opts, index, rng, root, report)
    finally:
        index.close()


@dataclass
class Prepared:
    """What both trainers need: the base, the training triplets and the held-out queries."""

    base_spec: str
    base: str  # folder or hub id
    triplets: list[Triplet]
    held: EvalSet
    data: dict[str, Any]
    anchors: list[str] = field(default_factory=list)  # training passages held near the base vectors


def _prepare(
    settings: Settings, opts: TuneOptions, index: FilingIndex, rng: random.Random, report: Report | None
) -> Prepared:
    base_spec = opts.base or index.embeddings_model or settings.embeddings_model
    base = base_location(base_spec, settings)
    corpus = load_corpus(index)
    split = split_documents(sorted(corpus.records), opts.held_out, opts.train.seed)
    train_pairs = make_pairs(corpus, split.train, opts.max_pairs, rng)
    if opts.llm_queries:
        train_pairs += _llm_pairs(settings, corpus, split.train, opts.llm_queries, rng, report)
    rows = printed_rows([f for fs in corpus.facts.values() for f in fs])
    step = (lambda done, total: report("negatives", done, total)) if report else None
    triplets = mine(index, train_pairs, rows, step)
    if opts.teacher and opts.bi_encoder:
        triplets = _teacher_labels(settings, opts.teacher, opts.train.max_seq_length, triplets, report)
    held = EvalSet(
        make_pairs(corpus, split.held_out, opts.eval_queries, rng),
        {d: corpus.chunks[d] for d in split.held_out},
        rows,
    )
    anchors = _anchors(corpus, split.train, round(len(triplets) * opts.train.anchor_ratio), rng)
    return Prepared(
        base_spec, base, triplets, held, _data_summary(split.train, split.held_out, triplets, held), anchors
    )


def _teacher_labels(
    settings: Settings, spec: str, max_seq_length: int, triplets: list[Triplet], report: Report | None
) -> list[Triplet]:
    """The triplets with the teacher's margins; it reads passages cut as the student does."""
    from agent.models import load_sentence_transformer
    from agent.tuning.teacher import label

    teacher = load_sentence_transformer(spec, settings)
    kept = teacher.max_seq_length
    teacher.max_seq_length = min(kept or max_seq_length, max_seq_length)
    step = (lambda done, total: report("teacher", done, total)) if report else None
    try:
        return label(teacher, triplets, step)
    finally:
        teacher.max_seq_length = kept  # the model is cached for the process: leave it as found


def _anchors(corpus: Corpus, train: tuple[str, ...], n: int, rng: random.Random) -> list[str]:
    texts = [c.text for d in train for c in corpus.chunks[d]]
    return rng.sample(texts, min(n, len(texts))) if n > 0 else []


def _evaluate(
    held: EvalSet, rank: Callable[[EvalSet], list[list[str]]], report: Report | None, stage: str
) -> dict[str, float]:
    if report:
        report(stage, 0, 1)
    out = evaluate(held, rank) if held.pairs else {}
    if report:
        report(stage, 1, 1)
    return out


@dataclass
class Baseline:
    """The base model's ranking of the held-out queries and its metrics: the 'before' of every card,
    and the candidates a cross-encoder re-orders."""

    rank: list[list[str]]
    metrics: dict[str, float]


def _tune(
    settings: Settings,
    opts: TuneOptions,
    index: FilingIndex,
    rng: random.Random,
    root: Path,
    report: Report | None,
) -> TuneResult:
    from agent.models import load_sentence_transformer

    prep = _prepare(settings, opts, index, rng, report)
    root.mkdir(parents=True, exist_ok=True)
    base_model = load_sentence_transformer(prep.base_spec, settings)
    if report:
        report("baseline", 0, 1)  # ranking every held-out filing's passages is the slow part
    base_rank = rank_bi_encoder(base_model, prep.held) if prep.held.pairs else []
    baseline = Baseline(base_rank, _evaluate(prep.held, lambda d: base_rank, report, "baseline"))
    cards: list[Card] = []
    interrupted = False
    if opts.bi_encoder:
        cards.append(_tune_bi(opts, index, prep, baseline, root, report))
        interrupted = not cards[-1].complete
    if opts.cross_encoder and not interrupted:
        cards.append(_tune_cross(opts, index, prep, baseline, root, report))
    return TuneResult(cards, [root / c.name for c in cards])


def _tune_bi(
    opts: TuneOptions,
    index: FilingIndex,
    prep: Prepared,
    baseline: Baseline,
    root: Path,
    report: Report | None,
) -> Card:
    staging = _staging(root, opts.name)
    step = (lambda s, total, loss: report("training", s, total)) if report else None
    result = train_bi_encoder(prep.base, prep.triplets, staging, opts.train, step, prep.anchors)
    after: dict[str, float] = {}
    if not result.interrupted and opts.train.interpolate < 1.0:
        if report:
            report("interpolation", 0, 1)
        interpolate_weights(staging, prep.base, opts.train.interpolate)
    if not result.interrupted:  # stopped by Ctrl-C: save at once, measure nothing
        tuned = load_bi_encoder(staging, prep.base)
        after = _evaluate(prep.held, lambda d: rank_bi_encoder(tuned, d), report, "evaluation")
    return _save(staging, root, _card(opts, "bi-encoder", prep, index, result, baseline, after, opts.name))


def _tune_cross(
    opts: TuneOptions,
    index: FilingIndex,
    prep: Prepared,
    baseline: Baseline,
    root: Path,
    report: Report | None,
) -> Card:
    """The cross-encoder re-orders the base model's top passages of each held-out query."""
    from sentence_transformers.cross_encoder import CrossEncoder

    name = f"{opts.name}-rerank"
    staging = _staging(root, name)
    step = (lambda s, total, loss: report("reranker", s, total)) if report else None
    result = train_cross_encoder(prep.base, prep.triplets, staging, opts.train, step)
    after: dict[str, float] = {}
    if not result.interrupted:
        model = CrossEncoder(str(staging), device="cpu")
        after = _evaluate(
            prep.held, lambda d: rank_cross_encoder(model, d, baseline.rank), report, "reranker evaluation"
        )
    return _save(staging, root, _card(opts, "cross-encoder", prep, index, result, baseline, after, name))


def _save(staging: Path, root: Path, card: Card) -> Card:
    write_card(staging, card)
    _publish(staging, root / card.name)
    return card


def _data_summary(
    train: tuple[str, ...], held_out: tuple[str, ...], triplets: list[Triplet], held: EvalSet
) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    for t in triplets:
        kinds[t.pair.kind] = kinds.get(t.pair.kind, 0) + 1
    return {
        "documents_train": len(train),
        "documents_held_out": len(held_out),
        "pairs_train": len(triplets),
        "with_hard_negative": sum(1 for t in triplets if t.negative),
        "query_kinds": kinds,
        "queries_held_out": len(held.pairs),
    }
