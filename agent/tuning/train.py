"""Fine-tuning on CPU with sentence-transformers' trainers.

* a bi-encoder (the embeddings model): MultipleNegativesRankingLoss over (query, positive, hard
  negative) triplets, with every other passage of the batch as a further negative, or MarginMSE
  when a teacher labelled the triplets (agent.tuning.teacher); full weights or a LoRA adapter
  (peft). ``cached`` swaps in the ranking loss's cached variant (GradCache), which allows a large
  batch in little memory at the price of a second forward pass;
* a cross-encoder reranker initialised from the same checkpoint with a fresh scoring head, trained
  with binary cross-entropy on (query, positive) = 1 and (query, hard negative) = 0.

Training reports each step to a callback (the CLI draws a bar with its ETA) and stops cleanly at the
next step on Ctrl-C: the model as it stands is saved and its card says the run was interrupted.
"""

from __future__ import annotations

import resource
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.tuning.lora import add_lora, save_adapter
from agent.tuning.negatives import Triplet
from agent.tuning.teacher import margin_loss, scaled_margins

StepReport = Callable[[int, int, float | None], None]  # (step, total steps, last loss)


@dataclass
class TrainConfig:
    epochs: float = 1.0
    batch_size: int = 16
    learning_rate: float | None = None  # default: 1e-5 full, 2e-4 LoRA, 2e-5 cross-encoder
    max_steps: int | None = None
    # all-MiniLM-L6-v2 was itself trained on 128 tokens; a passage's head carries its table title
    # and first rows. 256 doubles the time and memory of a step.
    max_seq_length: int = 128
    lora: bool = False
    lora_rank: int = 8
    cached: bool = False
    # Passages held near the base model's vectors, per training query (0: none); see train_bi_encoder.
    # On FinanceBench-dev (questions never used in training) 1.0 with a 1e-5 learning rate turned a
    # model that ranked real questions worse than its base (fused+scope MRR 0.636 vs 0.631, unscoped
    # dense recall@10 0.45 vs 0.59) into one that ranks them better (0.722; 0.62).
    anchor_ratio: float = 1.0
    # Share of the fine-tuned change kept (agent.tuning.merge): 1 the model as trained, 0.5 half way
    # back to the base weights (WiSE-FT). Full weights only.
    interpolate: float = 1.0
    seed: int = 0


@dataclass
class TrainResult:
    steps: int
    total_steps: int
    seconds: float
    interrupted: bool
    peak_rss_mb: float
    examples: int
    last_loss: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "steps": f"{self.steps} of {self.total_steps}",
            "examples": self.examples,
            "seconds": round(self.seconds, 1),
            "peak_rss_mb": round(self.peak_rss_mb),
            "last_loss": None if self.last_loss is None else round(self.last_loss, 4),
            "interrupted": self.interrupted,
        }


def learning_rate(cfg: TrainConfig, cross_encoder: bool = False) -> float:
    """The rate a run uses: the one given, else 2e-5 for a cross-encoder's fresh head, 2e-4 for a
    LoRA adapter, 1e-5 for full weights (with the anchor loss; see ``anchor_ratio``)."""
    if cfg.learning_rate:
        return cfg.learning_rate
    if cross_encoder:
        return 2e-5
    return 2e-4 if cfg.lora else 1e-5


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def stop_on_interrupt() -> Iterator[threading.Event]:
    """An event set by the first Ctrl-C (a second one interrupts as usual). Outside the main
    thread signals cannot be caught; the event then only stops a run that sets it itself."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: Any) -> None:
        stop.set()
        signal.signal(signal.SIGINT, previous)

    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _callback(report: StepReport | None, stop: threading.Event) -> Any:
    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        last_loss: float | None = None

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any) -> None:
            if logs and "loss" in logs:
                self.last_loss = float(logs["loss"])

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if report:
                report(state.global_step, state.max_steps, self.last_loss)
            if stop.is_set():
                control.should_training_stop = True

    return Progress()


def _arguments(cls: Any, out: str, cfg: TrainConfig, lr: float, **extra: Any) -> Any:
    return cls(
        output_dir=out,
        num_train_epochs=cfg.epochs,
        max_steps=cfg.max_steps if cfg.max_steps else -1,
        per_device_train_batch_size=cfg.batch_size,
        learning_rate=lr,
        warmup_steps=0.1,
        save_strategy="no",
        logging_steps=1,
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        seed=cfg.seed,
        dataloader_num_workers=0,
        **extra,
    )


def _quiet(model: Any) -> None:
    """Only our own progress: no library progress bars (unless --verbose) and no widget examples
    computed for the library's own model card."""
    import datasets

    from agent.models import hf_output, verbose

    hf_output()
    if not verbose():
        datasets.disable_progress_bars()
    card = getattr(model, "model_card_data", None)
    if card is not None and hasattr(card, "generate_widget_examples"):
        card.generate_widget_examples = False


def _run(trainer: Any, progress: Any, stop: threading.Event, examples: int) -> TrainResult:
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # it prints every log dict; our callback reports instead
    started = time.perf_counter()
    trainer.train()
    state = trainer.state
    return TrainResult(
        steps=state.global_step,
        total_steps=state.max_steps,
        seconds=time.perf_counter() - started,
        interrupted=stop.is_set() and state.global_step < state.max_steps,
        peak_rss_mb=peak_rss_mb(),
        examples=examples,
        last_loss=progress.last_loss,
    )


def usable(triplets: list[Triplet]) -> list[Triplet]:
    """The triplets with a hard negative (the loss needs one per row)."""
    return [t for t in triplets if t.negative]


def _anchor_loss(model: Any) -> Any:
    """Squared distance to the base model's vector of the same passage (MSE times the dimension:
    2 - 2 cos for unit vectors, on the scale of the ranking loss)."""
    from sentence_transformers.losses import MSELoss

    dimension = len(model.encode(["dimension"], show_progress_bar=False)[0])

    class AnchorLoss(MSELoss):
        def forward(self, *args: Any, **kw: Any) -> Any:
            return super().forward(*args, **kw) * dimension

    return AnchorLoss(model)


def _anchor_data(model: Any, passages: list[str]) -> Any:
    from datasets import Dataset

    vectors = model.encode(
        passages, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    return Dataset.from_dict({"text": passages, "label": [v.tolist() for v in vectors]})


def train_bi_encoder(
    base: str,
    triplets: list[Triplet],
    out_dir: Path,
    cfg: TrainConfig,
    report: StepReport | None = None,
    anchors: list[str] | None = None,
) -> TrainResult:
    """Fine-tune the sentence-transformer at ``base`` (a folder) and save it to ``out_dir``.

    ``anchors``: passages whose vectors are held near the base model's (a second loss, sampled in
    proportion), so that what the base model knew about real questions is not traded away for the
    synthetic queries."""
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.training_args import BatchSamplers

    rows = usable(triplets)
    if not rows:
        raise ValueError("no training triplets with a hard negative: the index is too small to tune on")
    model = SentenceTransformer(base, device="cpu")
    model.max_seq_length = min(model.max_seq_length or cfg.max_seq_length, cfg.max_seq_length)
    _quiet(model)
    if cfg.lora:
        add_lora(model, cfg.lora_rank)
    train_data, loss = _bi_encoder_data(model, rows, cfg, anchors)
    lr = learning_rate(cfg)
    with stop_on_interrupt() as stop, tempfile.TemporaryDirectory(prefix="filings-tune-") as tmp:
        progress = _callback(report, stop)
        args = _arguments(
            SentenceTransformerTrainingArguments, tmp, cfg, lr, batch_sampler=BatchSamplers.NO_DUPLICATES
        )
        trainer = SentenceTransformerTrainer(
            model=model, args=args, train_dataset=train_data, loss=loss, callbacks=[progress]
        )
        result = _run(trainer, progress, stop, len(rows))
    if cfg.lora:
        save_adapter(model, out_dir)
    else:
        model.save_pretrained(str(out_dir))
    return result


def _bi_encoder_data(
    model: Any, rows: list[Triplet], cfg: TrainConfig, anchors: list[str] | None
) -> tuple[Any, Any]:
    """The training set and loss: (query, positive, hard negative) rows under a ranking loss (or,
    when a teacher labelled every row, under MarginMSE with its margins), plus the anchor passages
    under their own loss when there are any."""
    from datasets import Dataset
    from sentence_transformers.losses import CachedMultipleNegativesRankingLoss, MultipleNegativesRankingLoss

    columns = {
        "anchor": [t.pair.query for t in rows],
        "positive": [t.positive for t in rows],
        "negative": [t.negative for t in rows],
    }
    loss: Any
    if all(t.margin is not None for t in rows):  # labelled by a teacher: learn its margins (GPL)
        columns["label"] = scaled_margins(rows)
        loss = margin_loss(model)
    elif cfg.cached:
        loss = CachedMultipleNegativesRankingLoss(model, mini_batch_size=8)
    else:
        loss = MultipleNegativesRankingLoss(model)
    data = Dataset.from_dict(columns)
    train_data: Any = data
    if anchors:
        train_data = {"queries": data, "anchors": _anchor_data(model, anchors)}
        loss = {"queries": loss, "anchors": _anchor_loss(model)}
    return train_data, loss


def train_cross_encoder(
    base: str, triplets: list[Triplet], out_dir: Path, cfg: TrainConfig, report: StepReport | None = None
) -> TrainResult:
    """A cross-encoder reranker from the checkpoint at ``base`` with a new one-logit head."""
    from datasets import Dataset
    from sentence_transformers.cross_encoder import (
        CrossEncoder,
        CrossEncoderTrainer,
        CrossEncoderTrainingArguments,
    )
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    rows = usable(triplets)
    if not rows:
        raise ValueError("no training triplets with a hard negative: the index is too small to tune on")
    model = CrossEncoder(base, num_labels=1, max_length=cfg.max_seq_length, device="cpu")
    _quiet(model)
    queries, passages, labels = [], [], []
    for t in rows:
        queries += [t.pair.query, t.pair.query]
        passages += [t.positive, t.negative or ""]
        labels += [1.0, 0.0]
    data = Dataset.from_dict({"query": queries, "passage": passages, "label": labels})
    lr = learning_rate(cfg, cross_encoder=True)
    with stop_on_interrupt() as stop, tempfile.TemporaryDirectory(prefix="filings-tune-") as tmp:
        progress = _callback(report, stop)
        args = _arguments(CrossEncoderTrainingArguments, tmp, cfg, lr)
        trainer = CrossEncoderTrainer(
            model=model,
            args=args,
            train_dataset=data,
            loss=BinaryCrossEntropyLoss(model),
            callbacks=[progress],
        )
        result = _run(trainer, progress, stop, len(rows))
    model.save_pretrained(str(out_dir))
    return result
