"""`filings tune`: adapt the retrieval models to this index's filings, offline, and measure the gain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from agent.commands._common import (
    JSON_OBJECT_HELP,
    compact_table,
    console,
    err_console,
    print_json,
    settings_from,
)
from agent.terminal import cell

if TYPE_CHECKING:
    from agent.config import Settings
    from agent.tuning.card import Card
    from agent.tuning.run import TuneOptions

HELP = """Adapt the retrieval models to the filings in this index, offline (no question text is used).

\b
1. Queries are written from the filings' own structure: statement rows with their period and
   company, Items and headings, table titles, defined terms; keyword and question styles
   (--llm-queries N adds questions the planner model writes about N sampled passages).
2. Hard negatives: the passages of the same filing the current model ranks highest, minus those
   printing the same row and period or the same term.
3. The embeddings model (all-MiniLM-L6-v2 by default) is fine-tuned on CPU (--lora: a small
   adapter instead of full weights); --teacher MODEL (say local:all-mpnet-base-v2) scores each
   positive and negative, and the model learns the teacher's margins (GPL's pseudo-labels)
   instead of hard labels; --cross-encoder also trains a reranker from the same data.
4. A before/after table ranks held-out queries of held-out filings (split by document).

The model is saved under <data-dir>/tuned/NAME with a card (README.md, card.json). Use it with
`filings reindex --embeddings local:tuned/NAME --add` (its vectors searched beside the index's own:
the tuned model adds what it ranks high to the candidates, the base keeps what it finds), without
--add (re-embeds the index in their place), or as a reranker: --reranker local:tuned/NAME-rerank
(cross-encoder) or local:tuned/NAME-rescore. Measure before you switch (python -m evals.retrieval).
Ctrl-C stops at the next step and keeps the model as it stands (its card says so)."""


class StageLines:
    """Without a terminal (logs, CI): one stderr line per ~10 % of each stage, with its ETA."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.shown: dict[str, int] = {}

    def __enter__(self) -> StageLines:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, stage: str, done: int, total: int) -> None:
        import time

        now = time.monotonic()
        start = self.started.setdefault(stage, now)
        tenths = 10 * done // total if total else 10
        if tenths <= self.shown.get(stage, -1):
            return
        self.shown[stage] = tenths
        rate = done / (now - start) if now > start else 0.0
        eta = f"{(total - done) / rate:.0f} s" if rate > 0 and done < total else "-"
        err_console.print(f"{stage}: {done} of {total}  ETA {eta}", markup=False, highlight=False)


def _progress() -> Any:
    """A bar per stage with its ETA on a terminal, else :class:`StageLines`."""
    if not err_console.is_terminal:
        lines = StageLines()
        return lines, lines
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )
    tasks: dict[str, Any] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return bar, report


def _print_card(card: Card) -> None:
    names = [m for m in ("recall@1", "recall@5", "recall@10", "mrr") if m in card.metrics.get("after", {})]
    queries = int(card.metrics.get("after", {}).get("queries", 0))
    table = compact_table(
        title=f"{card.name} ({card.kind}): {queries} held-out queries over "
        f"{card.data.get('documents_held_out', 0)} held-out filing(s)"
    )
    table.add_column("model")
    for name in names:
        table.add_column(name, justify="right")
    for which, label in (("before", card.base_model), ("after", f"local:tuned/{card.name}")):
        values = card.metrics.get(which, {})
        table.add_row(cell(f"{which}: {label}"), *(f"{values.get(n, 0.0):.3f}" for n in names))
    console.print(table)
    if not names:
        reason = (
            "training was interrupted"
            if not card.complete
            else "no held-out filing (--held-out 0, or one document)"
        )
        console.print(f"{reason}: no before/after table", markup=False)
    console.print(
        f"{card.data.get('pairs_train', 0)} training pairs, {card.training.get('seconds')} s, "
        f"peak memory {card.training.get('peak_rss_mb')} MB"
        + ("" if card.complete else " (interrupted: the model as it stood is saved)"),
        markup=False,
    )


def _print_list(cards: list[Card], root: str) -> None:
    if not cards:
        console.print(f"no tuned models under {root} (run `filings tune`)", markup=False)
        return
    table = compact_table(title=f"Tuned models ({root}); held-out queries, before→after")
    for col in ("model string", "kind", "trained", "R@10", "MRR"):
        table.add_column(col, no_wrap=True)
    for card in cards:
        before, after = card.metrics.get("before", {}), card.metrics.get("after", {})

        def pair(key: str, before: dict[str, float] = before, after: dict[str, float] = after) -> str:
            return f"{before[key]:.3f}→{after[key]:.3f}" if key in before and key in after else "-"

        table.add_row(
            cell(f"local:tuned/{card.name}"),
            cell(card.kind + (" (LoRA)" if card.lora else "")),
            cell(card.created[:16] + ("" if card.complete else " interrupted")),
            pair("recall@10"),
            pair("mrr"),
        )
    console.print(table)


# The options of `filings tune`, one alias each so that the command's signature stays short.
NameFlag = Annotated[str, typer.Option("--name", help="Saved as <data-dir>/tuned/NAME.")]
BaseFlag = Annotated[
    str | None, typer.Option("--base", help="Embeddings model to start from (default: the index's).")
]
MaxPairsFlag = Annotated[int, typer.Option("--max-pairs", min=1, help="Training queries.")]
LlmQueriesFlag = Annotated[
    int, typer.Option("--llm-queries", min=0, help="Passages the planner model writes questions for.")
]
HeldOutFlag = Annotated[
    float,
    typer.Option("--held-out", min=0.0, max=0.9, help="Share of filings held out for the table."),
]
EvalQueriesFlag = Annotated[int, typer.Option("--eval-queries", min=1, help="Held-out queries.")]
EpochsFlag = Annotated[float, typer.Option("--epochs", min=0.01)]
BatchSizeFlag = Annotated[int, typer.Option("--batch-size", min=2)]
MaxStepsFlag = Annotated[int | None, typer.Option("--max-steps", min=1, help="Stop after N steps.")]
LearningRateFlag = Annotated[
    float | None, typer.Option("--lr", help="Default 1e-5 (LoRA 2e-4, cross-encoder 2e-5).")
]
LoraFlag = Annotated[bool, typer.Option("--lora", help="Train a LoRA adapter (needs peft).")]
AnchorRatioFlag = Annotated[
    float,
    typer.Option(
        "--anchor-ratio",
        min=0.0,
        help="Training passages per query whose vectors are held near the base model's "
        "(keeps what it knew about real questions); 0 turns it off.",
    ),
]
InterpolateFlag = Annotated[
    float,
    typer.Option(
        "--interpolate",
        min=0.0,
        max=1.0,
        help="Share of the fine-tuned change kept: 1 the model as trained, 0.5 half way back to the base "
        "weights (WiSE-FT: keeps more of what the base knew about real questions). Full weights only.",
    ),
]
TeacherFlag = Annotated[
    str | None,
    typer.Option(
        "--teacher",
        help="A stronger sentence-transformers model (local:all-mpnet-base-v2) whose margins between "
        "each positive and its hard negative the model learns (GPL pseudo-labels, MarginMSE).",
    ),
]
CrossEncoderFlag = Annotated[
    bool, typer.Option("--cross-encoder", help="Also train a cross-encoder reranker NAME-rerank.")
]
RerankerOnlyFlag = Annotated[
    bool,
    typer.Option("--reranker-only", help="Train only the cross-encoder; the embeddings stay as they are."),
]
SeedFlag = Annotated[int, typer.Option("--seed")]
ForceFlag = Annotated[bool, typer.Option("--force", help="Replace a tuned model of the same name.")]
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OBJECT_HELP)]
ListFlag = Annotated[bool, typer.Option("--list", help="Show the tuned models of this data dir and exit.")]


def _list_models(settings: Settings, json_out: bool) -> None:
    from agent.tuning.card import list_cards, tuned_root

    cards = list_cards(settings.data_dir)
    if json_out:
        print_json({"models": [c.model_dump(mode="json") for c in cards]})
    else:
        _print_list(cards, str(tuned_root(settings.data_dir)))


def _run(settings: Settings, opts: TuneOptions, json_out: bool) -> None:
    """Train with a progress display (none with --json), then print the cards; exit 1 on an error."""
    from agent.tuning.card import TunedModelError
    from agent.tuning.run import TuneError
    from agent.tuning.run import tune as run

    bar, report = _progress()
    try:
        with bar:
            result = run(settings, opts, None if json_out else report)
    except (TuneError, TunedModelError, ValueError, ImportError) as exc:
        err_console.print(f"error: {exc}", style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    if json_out:
        print_json({"models": [c.model_dump(mode="json") for c in result.cards]})
        return
    for card, folder in zip(result.cards, result.folders, strict=True):
        _print_card(card)
        console.print(f"saved {folder}: use it as local:tuned/{card.name}", markup=False)


def tune(
    ctx: typer.Context,
    name: NameFlag = "filings",
    base: BaseFlag = None,
    max_pairs: MaxPairsFlag = 3000,
    llm_queries: LlmQueriesFlag = 0,
    held_out: HeldOutFlag = 0.1,
    eval_queries: EvalQueriesFlag = 300,
    epochs: EpochsFlag = 1.0,
    batch_size: BatchSizeFlag = 16,
    max_steps: MaxStepsFlag = None,
    learning_rate: LearningRateFlag = None,
    lora: LoraFlag = False,
    anchor_ratio: AnchorRatioFlag = 1.0,
    interpolate: InterpolateFlag = 1.0,
    teacher: TeacherFlag = None,
    cross_encoder: CrossEncoderFlag = False,
    reranker_only: RerankerOnlyFlag = False,
    seed: SeedFlag = 0,
    force: ForceFlag = False,
    json_out: JsonFlag = False,
    list_: ListFlag = False,
) -> None:
    from agent.tuning.run import TuneOptions
    from agent.tuning.train import TrainConfig

    settings = settings_from(ctx)
    if list_:
        _list_models(settings, json_out)
        return
    config = TrainConfig(
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        max_steps=max_steps,
        lora=lora,
        seed=seed,
        anchor_ratio=anchor_ratio,
        interpolate=interpolate,
    )
    opts = TuneOptions(
        name=name,
        base=base,
        max_pairs=max_pairs,
        llm_queries=llm_queries,
        held_out=held_out,
        eval_queries=eval_queries,
        teacher=teacher,
        cross_encoder=cross_encoder or reranker_only,
        force=force,
        train=config,
        bi_encoder=not reranker_only,
    )
    _run(settings, opts, json_out)


def register(app: typer.Typer) -> None:
    app.command("tune", help=HELP)(tune)
