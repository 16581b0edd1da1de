"""Suite registry: named question sets with the filings they are about.

* ``bundled`` — the MIT regression set in ``evals/data/bundled.jsonl`` over ``loaders/samples``
  (what ``make eval`` and CI run).
* ``financebench-dev`` — FinanceBench's 49-question dev subset in ``../shared/data/financebench-dev``
  (not vendored: CC-BY-NC upstream).
* ``sec10q`` — the docugami KG-RAG 10-Q questions in ``../shared/data/sec-10-q``.

The shared data root is ``$FILINGS_EVAL_DATA`` when set, else ``shared/data`` beside the repository.
Any dataset file path also works as a suite name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from evals.datasets import DatasetError, EvalExample, load_dataset, load_docugami_csv, load_financebench


def shared_data_root() -> Path:
    """Where the external question sets live (``$FILINGS_EVAL_DATA`` or ``<repo>/../shared/data``)."""
    env = os.environ.get("FILINGS_EVAL_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


def bundled_dataset_path() -> Path:
    return Path(str(resources.files("evals") / "data" / "bundled.jsonl"))


def samples_dir() -> Path:
    return Path(str(resources.files("loaders") / "samples"))


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    dataset: Callable[[], Path]
    documents: Callable[[], Path]
    loader: Callable[..., list[EvalExample]]

    def load(self, limit: int | None = None) -> list[EvalExample]:
        path = self.dataset()
        if not path.exists():
            raise DatasetError(
                f"suite {self.name!r}: dataset not found at {path} (set FILINGS_EVAL_DATA to the folder "
                "holding financebench-dev/ and sec-10-q/)"
            )
        return self.loader(path, limit=limit)


SUITES: dict[str, Suite] = {
    "bundled": Suite(
        "bundled",
        "12 hand-written questions over the bundled sample filings (MIT)",
        bundled_dataset_path,
        samples_dir,
        load_dataset,
    ),
    "financebench-dev": Suite(
        "financebench-dev",
        "FinanceBench dev subset: 49 questions over 38 filings (evaluation only, CC-BY-NC)",
        lambda: shared_data_root() / "financebench-dev" / "questions.jsonl",
        lambda: shared_data_root() / "financebench-dev" / "pdfs",
        load_financebench,
    ),
    "sec10q": Suite(
        "sec10q",
        "docugami KG-RAG: 195 questions over 20 10-Q PDFs (MIT)",
        lambda: shared_data_root() / "sec-10-q" / "qna_data.csv",
        lambda: shared_data_root() / "sec-10-q" / "docs",
        load_docugami_csv,
    ),
}


def get_suite(name: str) -> Suite:
    """A registered suite, or an ad-hoc suite for a dataset file path."""
    if name in SUITES:
        return SUITES[name]
    path = Path(name).expanduser()
    if path.is_file():
        return Suite(path.stem, f"dataset file {path}", lambda: path, lambda: path.parent, load_dataset)
    raise DatasetError(
        f"unknown suite {name!r}: choose one of {', '.join(SUITES)} or give a dataset file path"
    )


def baseline_path(suite: str) -> Path:
    """Where the committed baseline of a suite lives (``evals/baselines/<suite>.json``)."""
    return Path(str(resources.files("evals") / "baselines")) / f"{suite}.json"
