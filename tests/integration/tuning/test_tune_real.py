"""`filings tune` end to end on a copy of the shared samples index (real MiniLM, real Chroma, real
trainers): a tiny run trains a bi-encoder and a cross-encoder, measures them on a held-out filing,
and both load through their model strings; the index re-embedded with the tuned model answers
searches; a LoRA adapter loads too; Ctrl-C stops training at the next step and keeps the model."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.config import Settings
from agent.models import make_embeddings
from agent.retrieval.index import FilingIndex
from agent.retrieval.rerankers import CrossEncoderReranker, make_reranker
from agent.tuning.card import read_card

pytestmark = pytest.mark.integration

TINY = ["--max-pairs", "48", "--max-steps", "2", "--batch-size", "8", "--eval-queries", "16"]


@pytest.fixture(scope="module")
def tuned_data(tmp_path_factory: pytest.TempPathFactory, samples_index_dir: Path) -> Path:
    data = tmp_path_factory.mktemp("tune") / "data"
    shutil.copytree(samples_index_dir, data)
    result = CliRunner().invoke(
        app, ["--data-dir", str(data), "tune", "--name", "t", *TINY, "--held-out", "0.34", "--cross-encoder"]
    )
    assert result.exit_code == 0, result.output
    assert "before: local:all-minilm-l6-v2" in result.output and "after: local:tuned/t" in result.output
    return data


def test_tune_saves_measured_models_with_cards(tuned_data: Path) -> None:
    for name, kind in (("t", "bi-encoder"), ("t-rerank", "cross-encoder")):
        card = read_card(tuned_data / "tuned" / name)
        assert card is not None and card.kind == kind and card.complete
        assert card.data["documents_train"] == 2 and card.data["documents_held_out"] == 1
        assert 0 < card.data["pairs_train"] <= 48
        assert card.training["steps"] == "2 of 2" and card.training["peak_rss_mb"] > 0
        assert card.training["learning_rate"] == (1e-5 if kind == "bi-encoder" else 2e-5)
        assert card.training.get("anchor_ratio") == (1.0 if kind == "bi-encoder" else None)
        for which in ("before", "after"):
            values = card.metrics[which]
            assert values["queries"] == 16
            assert 0.0 <= values["recall@1"] <= values["recall@5"] <= values["recall@10"] <= 1.0
    assert not list((tuned_data / "tuned").glob(".*partial"))  # staging folders renamed into place


def test_tuned_models_load_through_their_model_strings(tuned_data: Path) -> None:
    settings = Settings(data_dir=tuned_data)
    tuned = make_embeddings("local:tuned/t", settings)
    base = make_embeddings("local:all-minilm-l6-v2", settings)
    text = "Apple iPhone net sales in the third quarter of fiscal 2022"
    v_tuned, v_base = tuned.embed_query(text), base.embed_query(text)
    assert len(v_tuned) == 384
    assert v_tuned != v_base  # two training steps moved the weights
    reranker = make_reranker("local:tuned/t-rerank", settings)
    assert isinstance(reranker, CrossEncoderReranker)
    index = FilingIndex.open(settings)
    try:
        candidates = index.bm25_search("iPhone net sales", 5)
    finally:
        index.close()
    ranked = reranker.rerank("iPhone net sales", candidates, 3)
    assert len(ranked) == 3 and all("local:tuned/t-rerank" in c.stage_scores for c in ranked)
    assert make_reranker("local:tuned/t-rescore", settings).name == "local:tuned/t-rescore"


def test_an_index_reembedded_with_the_tuned_model_answers_searches(tuned_data: Path) -> None:
    data = tuned_data.parent / "reindexed"
    shutil.copytree(tuned_data, data)
    result = CliRunner().invoke(app, ["--data-dir", str(data), "reindex", "--embeddings", "local:tuned/t"])
    assert result.exit_code == 0, result.output
    settings = Settings(data_dir=data)
    index = FilingIndex.open(settings)
    try:
        assert index.embeddings_model == "local:tuned/t"
        hits = index.dense_search("Apple iPhone net sales", 5)
    finally:
        index.close()
    assert len(hits) == 5
    search = CliRunner().invoke(app, ["--data-dir", str(data), "search", "iPhone net sales"])
    assert search.exit_code == 0, search.output


def test_tuned_vectors_added_beside_the_base_ones_join_the_fusion(tuned_data: Path) -> None:
    """`reindex --add`: the index keeps its MiniLM vectors, the tuned model's are searched beside them
    (the `dense2` vote in the fusion), a removed filing leaves both sets, `--remove` drops the set."""
    from agent.retrieval.hybrid import HybridRetriever
    from agent.schemas import Scope

    data = tuned_data.parent / "added"
    shutil.copytree(tuned_data, data)
    base = ["--data-dir", str(data), "reindex", "--embeddings", "local:tuned/t"]
    result = CliRunner().invoke(app, [*base, "--add"])
    assert result.exit_code == 0, result.output
    assert "searched beside the index's own (local:all-minilm-l6-v2)" in result.output
    index = FilingIndex.open(Settings(data_dir=data))
    try:
        assert index.embeddings_model == "local:all-minilm-l6-v2"
        ((lane, store, model, dim),) = index.added_vectors()
        assert (lane, model, dim, store.count()) == ("dense2", "local:tuned/t", 384, index.count())
        some = sorted(store.ids())[:1]
        assert store.vectors(some)[some[0]] != index.store.vectors(some)[some[0]]  # type: ignore[attr-defined]
        hits = HybridRetriever(index).search("Apple iPhone net sales", Scope())
        assert hits and any("dense2_rank" in h.stage_scores for h in hits)
        doc = index.documents()[0]
        assert index.remove(doc.doc_id) is not None
        assert store.count() == index.count() == index.store.count()
    finally:
        index.close()
    search = CliRunner().invoke(app, ["--data-dir", str(data), "search", "iPhone net sales"])
    assert search.exit_code == 0, search.output
    removed = CliRunner().invoke(app, [*base, "--remove"])
    assert removed.exit_code == 0, removed.output
    index = FilingIndex.open(Settings(data_dir=data))
    try:
        assert index.added_vectors() == []
    finally:
        index.close()


def test_a_teacher_labels_the_triplets_and_the_model_learns_its_margins(tuned_data: Path) -> None:
    """--teacher: a real sentence-transformer scores each positive and negative (GPL), the model
    trains under MarginMSE, loads through its model string, and the card names the teacher. The
    benchmark uses mpnet; here MiniLM teaches itself, to keep CI short."""
    args = ["tune", "--name", "g", "--teacher", "local:all-minilm-l6-v2", "--max-pairs", "16"]
    result = CliRunner().invoke(
        app,
        ["--data-dir", str(tuned_data), *args, "--max-steps", "2", "--batch-size", "8", "--held-out", "0"],
    )
    assert result.exit_code == 0, result.output
    card = read_card(tuned_data / "tuned" / "g")
    assert card is not None and card.complete and card.training["teacher"] == "local:all-minilm-l6-v2"
    assert card.training["steps"] == "2 of 2" and card.training["last_loss"] is not None
    settings = Settings(data_dir=tuned_data)
    text = "Apple iPhone net sales in the third quarter of fiscal 2022"
    tuned = make_embeddings("local:tuned/g", settings).embed_query(text)
    assert len(tuned) == 384 and tuned != make_embeddings("local:all-minilm-l6-v2", settings).embed_query(
        text
    )


def test_lora_adapter_trains_and_loads(tuned_data: Path) -> None:
    args = ["tune", "--name", "l", "--lora", "--max-pairs", "16", "--max-steps", "1", "--batch-size", "8"]
    result = CliRunner().invoke(app, ["--data-dir", str(tuned_data), *args, "--held-out", "0"])
    assert result.exit_code == 0, result.output
    assert "no held-out filing" in result.output
    folder = tuned_data / "tuned" / "l"
    card = read_card(folder)
    assert card is not None and card.lora
    assert (folder / "adapter" / "adapter_config.json").is_file()
    assert not list(folder.rglob("model.safetensors")), "a LoRA run saves the adapter, not full weights"
    vector = make_embeddings("local:tuned/l", Settings(data_dir=tuned_data)).embed_query("net sales")
    assert len(vector) == 384


def test_ctrl_c_stops_at_the_next_step_and_keeps_the_model(tuned_data: Path, tmp_path: Path) -> None:
    from agent.models import st_location
    from agent.tuning.negatives import Triplet
    from agent.tuning.queries import Pair
    from agent.tuning.train import TrainConfig, train_bi_encoder

    base = st_location("local:all-minilm-l6-v2", Settings(data_dir=tuned_data))
    before = signal.getsignal(signal.SIGINT)
    triplets = [
        Triplet(
            Pair(f"query {i}", f"c{i}", "d", "row", "keywords", f"k{i}"), f"passage {i} " * 20, f"other {i}"
        )
        for i in range(40)
    ]
    steps: list[int] = []

    def report(step: int, total: int, loss: float | None) -> None:
        steps.append(step)
        if step == 1:
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C sends

    result = train_bi_encoder(base, triplets, tmp_path / "m", TrainConfig(batch_size=4, max_steps=6), report)
    assert result.interrupted and result.steps == 1 and steps == [1]
    assert (tmp_path / "m" / "model.safetensors").is_file()
    assert signal.getsignal(signal.SIGINT) is before  # our handler is gone again


def test_reranker_only_leaves_the_embeddings_alone(tuned_data: Path) -> None:
    args = [
        "tune",
        "--name",
        "r",
        "--reranker-only",
        "--max-pairs",
        "16",
        "--max-steps",
        "1",
        "--held-out",
        "0",
    ]
    result = CliRunner().invoke(app, ["--data-dir", str(tuned_data), *args])
    assert result.exit_code == 0, result.output
    assert not (tuned_data / "tuned" / "r").exists()
    card = read_card(tuned_data / "tuned" / "r-rerank")
    assert card is not None and card.kind == "cross-encoder"


def test_interpolated_weights_lie_between_the_tuned_and_the_base(tuned_data: Path, tmp_path: Path) -> None:
    """--interpolate K keeps the share K of the fine-tuned change (WiSE-FT): every weight is
    base + K * (tuned - base), the model loads like any other, and the card records K."""
    from sentence_transformers import SentenceTransformer

    from agent.models import st_location
    from agent.tuning.merge import interpolate_weights

    settings = Settings(data_dir=tuned_data)
    base_dir = st_location("local:all-minilm-l6-v2", settings)
    trained = tuned_data / "tuned" / "t"
    half = tmp_path / "half"
    shutil.copytree(trained, half)
    assert interpolate_weights(half, base_dir, 0.5) > 50
    base, full, mid = (
        SentenceTransformer(str(p), device="cpu").state_dict() for p in (base_dir, trained, half)
    )
    name = next(n for n in base if n.endswith("query.weight"))
    assert not full[name].equal(base[name])
    assert mid[name].allclose((base[name] + full[name]) / 2, atol=1e-6)
    with pytest.raises(ValueError, match="between 0 and 1"):
        interpolate_weights(half, base_dir, 1.5)
    # Through the CLI: trained, interpolated, measured and carded in one run.
    args = ["tune", "--name", "w", *TINY, "--held-out", "0.34", "--interpolate", "0.5"]
    result = CliRunner().invoke(app, ["--data-dir", str(tuned_data), *args])
    assert result.exit_code == 0, result.output
    card = read_card(tuned_data / "tuned" / "w")
    assert card is not None and card.complete and card.training["interpolate"] == 0.5
    assert card.metrics["after"]["queries"] == 16
    assert len(make_embeddings("local:tuned/w", settings).embed_query("net sales")) == 384
    lora = CliRunner().invoke(
        app, ["--data-dir", str(tuned_data), "tune", "--name", "x", "--lora", "--interpolate", "0.5"]
    )
    assert lora.exit_code == 1 and "--interpolate moves full weights" in lora.output
