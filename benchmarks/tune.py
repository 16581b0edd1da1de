"""`filings tune` cost and gain: time per stage, training throughput, peak memory, and the
before/after ranking of held-out queries (ratios after/before).

    python benchmarks/tune.py                                  # the bundled samples, ingested to a tmp dir
    python benchmarks/tune.py --data-dir /path/to/index-data --max-pairs 3000 [--cross-encoder] [--lora]

The figures are this machine's: run it alone (one heavy job at a time). Training on a copy of a
real index writes ``<data-dir>/tuned/<name>`` (``--force`` replaces an earlier run).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.tuning.card import Card

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


class StageClock:
    """First and last report time of each stage."""

    def __init__(self) -> None:
        self.spans: dict[str, list[float]] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        self.spans.setdefault(stage, [now, now])[1] = now


def _samples_index(tmp: Path) -> Path:
    from typer.testing import CliRunner

    from agent.cli import app

    result = CliRunner().invoke(app, ["--data-dir", str(tmp), "ingest", str(REPO / "loaders" / "samples")])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return tmp


def _report(cards: list[Card], clock: StageClock, wall: float) -> dict[str, Any]:
    out: dict[str, Any] = {
        "wall_seconds": round(wall, 1),
        "stages": {stage: round(end - start, 1) for stage, (start, end) in clock.spans.items()},
    }
    for card in cards:
        before, after = card.metrics.get("before", {}), card.metrics.get("after", {})
        training = card.training
        out[card.name] = {
            "kind": card.kind,
            "training": training,
            "examples_per_second": round(training["examples"] / max(training["seconds"], 1e-9), 2),
            "before": before,
            "after": after,
            "ratio_recall@10": round(after.get("recall@10", 0) / before["recall@10"], 3)
            if before.get("recall@10")
            else None,
            "ratio_mrr": round(after.get("mrr", 0) / before["mrr"], 3) if before.get("mrr") else None,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir", type=Path, help="An ingested data dir (default: the samples, in a tmp dir)."
    )
    parser.add_argument("--name", default="bench")
    parser.add_argument("--max-pairs", type=int, default=400)
    parser.add_argument("--max-steps", type=int)
    parser.add_argument("--cross-encoder", action="store_true")
    parser.add_argument("--lora", action="store_true")
    parser.add_argument("--held-out", type=float, default=0.34)
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args(argv)

    from agent.config import Settings
    from agent.tuning.run import TuneOptions, tune
    from agent.tuning.train import TrainConfig

    with tempfile.TemporaryDirectory(prefix="bench-tune-") as tmp:
        data = args.data_dir or _samples_index(Path(tmp))
        opts = TuneOptions(
            name=args.name,
            max_pairs=args.max_pairs,
            held_out=args.held_out,
            cross_encoder=args.cross_encoder,
            force=True,
            train=TrainConfig(max_steps=args.max_steps, lora=args.lora),
        )
        clock = StageClock()
        started = time.perf_counter()
        result = tune(Settings.load(data_dir=data), opts, clock)
        figures = _report(list(result.cards), clock, time.perf_counter() - started)
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
