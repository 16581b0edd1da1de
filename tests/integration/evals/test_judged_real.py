"""The judged tier once with the real local judge (Qwen2.5-Coder-1.5B via llama.cpp) and the
shipped embeddings, on one sample written from the bundled Apple 10-Q. One sample only: CPU."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from agent.config import Settings
from evals.judged import VerdictCache, judge_examples, make_judge
from evals.results import ContextChunk, ExampleResult

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CONTEXT = (
    "CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Unaudited) (In millions) Three Months Ended July 1, 2023: "
    "Total net sales 81,797. Net income 19,881."
)


def sample() -> list[ExampleResult]:
    return [
        ExampleResult(
            id="aapl-sales",
            question="What were Apple's total net sales for the three months ended July 1, 2023?",
            reference_answer="Apple's total net sales were $81,797 million.",
            answer="Apple's total net sales for the three months ended July 1, 2023 were $81,797 million.",
            context=[ContextChunk(id="c1", source="2023 Q3 AAPL.pdf", page=3, text=CONTEXT)],
        )
    ]


async def test_real_local_judge_end_to_end_and_cached(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    judge = make_judge("local:qwen2.5-coder-1.5b", settings)
    cache = VerdictCache(tmp_path / "verdicts.sqlite")
    metrics = ["faithfulness", "answer_relevancy"]
    exs = sample()
    out = await judge_examples(exs, judge, cache, metrics=metrics)
    assert out["judge_runs"] == 2 and out["judge"] == "local:qwen2.5-coder-1.5b"
    for name in metrics:
        s = out["metrics"][name]
        # Scored, or explicitly counted as NaN when the small judge's JSON was unusable.
        assert s["n"] + s["n_nan"] == 1
        value = exs[0].metrics[f"judged.{name}"]
        assert value is not None and (math.isnan(value) or 0.0 <= value <= 1.0)
    again = sample()
    out2 = await judge_examples(again, judge, VerdictCache(tmp_path / "verdicts.sqlite"), metrics=metrics)
    assert out2["judge_runs"] == 0 and out2["cache_hits"] == 2
    assert str(again[0].metrics) == str(exs[0].metrics)  # str(): NaN != NaN
