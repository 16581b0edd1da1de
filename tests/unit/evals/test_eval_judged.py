"""Judged tier end to end through ragas 0.4.3 with a scripted judge: hand-checked scores, NaN
policy, verdict cache and repeats."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from judge_fakes import ScriptedJudge
from langchain_core.embeddings import DeterministicFakeEmbedding

from evals.judged import JudgeSetup, VerdictCache, judge_examples, judge_run_config
from evals.results import ContextChunk, ExampleResult


def setup_judge(judge: ScriptedJudge) -> JudgeSetup:
    from ragas.embeddings import LangchainEmbeddingsWrapper
    from ragas.llms import LangchainLLMWrapper

    return JudgeSetup(
        llm=LangchainLLMWrapper(judge, run_config=judge_run_config()),
        embeddings=LangchainEmbeddingsWrapper(DeterministicFakeEmbedding(size=16)),
        judge_id="scripted",
        embeddings_id="fake",
    )


def examples() -> list[ExampleResult]:
    return [
        ExampleResult(
            id="a",
            question="What were Apple's total net sales?",
            reference_answer="Total net sales were $81,797 million.",
            # One supported sentence, one with an invented figure.
            answer="Total net sales were $81,797 million. iPhone sales were $50,000 million.",
            context=[
                ContextChunk(id="c1", source="x", text="Total net sales 81,797 82,959"),
                ContextChunk(id="c2", source="x", text="Risk factors text"),
            ],
        ),
        ExampleResult(
            id="no-ref",
            question="q?",
            answer="Sales were $5.",
            context=[ContextChunk(id="c", source="x", text="5")],
        ),
    ]


async def test_scripted_judge_hand_checked_scores_and_cache(tmp_path: Path) -> None:
    judge = ScriptedJudge()
    cache = VerdictCache(tmp_path / "v.sqlite")
    exs = examples()
    out = await judge_examples(exs, setup_judge(judge), cache)
    m = exs[0].metrics
    assert m["judged.faithfulness"] == pytest.approx(0.5)  # 1 of 2 statements supported
    assert m["judged.context_precision"] == pytest.approx(1.0, abs=1e-6)  # the relevant chunk ranks first
    assert m["judged.context_recall"] == pytest.approx(1.0)
    assert m["judged.factual_correctness"] == pytest.approx(0.67)  # P=1/2, R=1 -> F1=2/3
    assert 0.0 <= m["judged.answer_relevancy"] <= 1.0
    # No reference: reference-based metrics do not apply (counted as n/a, not NaN, not 0).
    assert exs[1].metrics["judged.context_recall"] is None
    assert exs[1].metrics["judged.faithfulness"] == pytest.approx(1.0)
    assert out["metrics"]["context_recall"]["n"] == 1 and out["metrics"]["context_recall"]["n_missing"] == 1
    calls = len(judge.calls)
    assert calls > 0 and out["judge_runs"] == 7 and out["cache_hits"] == 0

    # Same inputs again: every verdict comes from the cache, the judge is not called.
    again = examples()
    out2 = await judge_examples(again, setup_judge(judge), VerdictCache(tmp_path / "v.sqlite"))
    assert len(judge.calls) == calls
    assert out2["judge_runs"] == 0 and out2["cache_hits"] == 7
    assert again[0].metrics == exs[0].metrics
    # A changed answer is a new key.
    changed = examples()[:1]
    changed[0].answer = "Total net sales were $81,797 million."
    await judge_examples(changed, setup_judge(judge), cache, metrics=["faithfulness"])
    assert len(judge.calls) > calls and changed[0].metrics["judged.faithfulness"] == pytest.approx(1.0)


async def test_nan_is_counted_not_averaged(tmp_path: Path) -> None:
    judge = ScriptedJudge(malformed=("NLIStatementOutput",))  # breaks faithfulness + factual correctness
    exs = examples()
    out = await judge_examples(
        exs,
        setup_judge(judge),
        VerdictCache(tmp_path / "v.sqlite"),
        metrics=["faithfulness", "context_recall"],
    )
    faith = out["metrics"]["faithfulness"]
    assert faith["mean"] is None and faith["n"] == 0 and faith["n_nan"] == 2
    assert math.isnan(exs[0].metrics["judged.faithfulness"])
    assert any("faithfulness" in f for f in out["failures"])
    # The healthy metric is unaffected.
    assert out["metrics"]["context_recall"]["mean"] == pytest.approx(1.0)
    # A failure is not a verdict: it is not cached, so a re-run asks the judge again (and a bug
    # fixed since, or a healthy judge, gets real scores) while healthy verdicts come from the cache.
    n = len(judge.calls)
    out2 = await judge_examples(
        examples(), setup_judge(judge), VerdictCache(tmp_path / "v.sqlite"), metrics=["faithfulness"]
    )
    assert len(judge.calls) > n and out2["metrics"]["faithfulness"]["n_nan"] == 2
    out3 = await judge_examples(
        examples(),
        setup_judge(ScriptedJudge()),
        VerdictCache(tmp_path / "v.sqlite"),
        metrics=["faithfulness", "context_recall"],
    )
    assert out3["metrics"]["faithfulness"]["n_nan"] == 0 and out3["metrics"]["faithfulness"]["n"] == 2
    assert out3["cache_hits"] == 1  # context_recall of the one example with a reference
    # A NaN left in an older cache is read as a miss, not replayed.
    cache = VerdictCache(tmp_path / "old.sqlite")
    import sqlite3

    with sqlite3.connect(cache.path) as c:
        c.execute("INSERT INTO verdicts VALUES ('k', 'nan', 0)")
    assert cache.get("k") is None and cache.misses == 1


async def test_repeats_report_mean_and_spread(tmp_path: Path) -> None:
    judge = ScriptedJudge()
    out = await judge_examples(
        examples()[:1],
        setup_judge(judge),
        VerdictCache(tmp_path / "v.sqlite"),
        metrics=["faithfulness"],
        repeats=3,
    )
    faith = out["metrics"]["faithfulness"]
    assert faith["repeat_means"] == [0.5, 0.5, 0.5]
    assert faith["repeat_spread"] == 0.0 and faith["n"] == 3
    assert out["judge_runs"] == 3  # each repeat is its own cache entry
    with pytest.raises(ValueError):
        await judge_examples(examples(), setup_judge(judge), VerdictCache(tmp_path / "w.sqlite"), repeats=0)


def test_ragas_gets_our_embeddings_under_the_model_name() -> None:
    import numpy as np

    from agent.embeddings import SentenceTransformerEmbeddings
    from evals.judged import ragas_embeddings

    class Encoder:  # stands in for a loaded SentenceTransformer: ragas must not see it as a name
        def encode(self, texts, **_kw):
            return np.ones((len(texts), 3)) / np.sqrt(3)

    wrapped = ragas_embeddings(SentenceTransformerEmbeddings(Encoder()), "local:all-minilm-l6-v2")
    # ragas builds a usage event from `.model` on every call; an object there raised ValidationError.
    assert wrapped.embed_query("revenue") == pytest.approx([3**-0.5] * 3)
    assert len(wrapped.embed_documents(["a", "b"])) == 2


async def test_saved_results_are_judged_without_rerunning_the_graph(tmp_path: Path) -> None:
    from agent.config import Settings
    from evals.orchestrate import judge_result
    from evals.results import SuiteResult

    saved = SuiteResult(suite="mini", examples=examples(), wall_seconds=12.0)
    saved.tier_seconds["answers"] = 12.0
    loaded = SuiteResult.load(saved.save(tmp_path / "results.json"))
    settings = Settings(data_dir=tmp_path / "data")
    out = await judge_result(loaded, settings, judged_limit=1, judge=setup_judge(ScriptedJudge()))
    assert out is loaded and out.tier == "judged"
    # Only the first answer is judged; the second is left without judged scores.
    assert out.judged["metrics"]["faithfulness"]["n"] == 1
    assert out.examples[0].metrics["judged.faithfulness"] == pytest.approx(0.5)
    assert "judged.faithfulness" not in out.examples[1].metrics
    assert set(out.tier_seconds) == {"answers", "judged"} and out.tier_seconds["answers"] == 12.0
    # Verdicts go to the data dir's cache, so judging the same file again costs no judge call.
    again = await judge_result(
        SuiteResult.load(tmp_path / "results.json"),
        settings,
        judged_limit=1,
        judge=setup_judge(ScriptedJudge()),
    )
    assert again.judged["judge_runs"] == 0 and again.judged["cache_hits"] == out.judged["judge_runs"]

    no_answers = SuiteResult(suite="mini", examples=[ExampleResult(id="r", question="q?")])
    with pytest.raises(ValueError, match="no answers to judge"):
        await judge_result(no_answers, settings, judge=setup_judge(ScriptedJudge()))
