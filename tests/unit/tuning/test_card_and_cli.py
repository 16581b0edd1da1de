"""Where tuned models live, how their model string resolves, and the CLI's refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.config import Settings
from agent.models import ModelSpecError, _local
from agent.tuning.card import (
    Card,
    TunedModelError,
    card_markdown,
    list_cards,
    read_card,
    tuned_path,
    write_card,
)


def card(name: str, kind: str = "bi-encoder") -> Card:
    return Card(
        name=name,
        kind=kind,  # type: ignore[arg-type]
        base_model="local:all-minilm-l6-v2",
        created="2026-11-30T00:00:00+00:00",
        data={"pairs_train": 10},
        metrics={"before": {"recall@1": 0.2, "mrr": 0.3}, "after": {"recall@1": 0.4, "mrr": 0.5}},
    )


def test_card_round_trip_and_readme(tmp_path: Path) -> None:
    folder = tmp_path / "tuned" / "acme"
    write_card(folder, card("acme"))
    assert read_card(folder) == card("acme")
    readme = (folder / "README.md").read_text()
    assert "local:tuned/acme" in readme and "| after | 0.400 | 0.500 |" in readme
    assert [c.name for c in list_cards(tmp_path)] == ["acme"]
    assert "interrupted" in card_markdown(card("x").model_copy(update={"complete": False}))


def test_tuned_path_errors_name_what_exists(tmp_path: Path) -> None:
    write_card(tmp_path / "tuned" / "acme", card("acme"))
    write_card(tmp_path / "tuned" / "acme-rerank", card("acme-rerank", "cross-encoder"))
    assert tuned_path(tmp_path, "acme", "bi-encoder") == tmp_path / "tuned" / "acme"
    with pytest.raises(TunedModelError, match=r"no tuned model 'nope'.*known: acme, acme-rerank"):
        tuned_path(tmp_path, "nope")
    with pytest.raises(TunedModelError, match="is a cross-encoder, not a bi-encoder"):
        tuned_path(tmp_path, "acme-rerank", "bi-encoder")
    with pytest.raises(TunedModelError, match="must be 1-64"):
        tuned_path(tmp_path, "../etc")
    (tmp_path / "tuned" / "half").mkdir()  # a folder without a card is not a model
    with pytest.raises(TunedModelError, match="no tuned model 'half'"):
        tuned_path(tmp_path, "half")


def test_local_tuned_model_string_resolves_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    write_card(tmp_path / "tuned" / "acme", card("acme"))
    assert _local("tuned/acme", "embeddings", settings) == tmp_path / "tuned" / "acme"
    with pytest.raises(ModelSpecError, match="no tuned model 'other'"):
        _local("tuned/other", "embeddings", settings)


def test_tune_on_an_empty_index_is_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "tune", "--name", "x"])
    assert result.exit_code == 1
    assert "holds no documents: ingest filings first" in result.output
    assert "Traceback" not in result.output


def test_tune_refuses_to_replace_a_model_without_force(tmp_path: Path) -> None:
    write_card(tmp_path / "tuned" / "acme", card("acme"))
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "tune", "--name", "acme"])
    assert result.exit_code == 1
    assert "tuned model 'acme' exists" in result.output and "--force" in result.output
    bad = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "tune", "--name", "a/b"])
    assert bad.exit_code == 1 and "must be 1-64" in bad.output


def test_interpolate_is_checked_before_anything_runs(tmp_path: Path) -> None:
    lora = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "tune", "--lora", "--interpolate", "0.5"])
    assert lora.exit_code == 1 and "--interpolate moves full weights" in lora.output
    assert "Traceback" not in lora.output
    wide = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "tune", "--interpolate", "1.5"])
    assert wide.exit_code == 2 and "--interpolate" in wide.output


def test_a_teacher_that_cannot_teach_is_a_one_line_error_before_anything_runs(tmp_path: Path) -> None:
    for spec, words in (
        ("openai:text-embedding-3-small", "--teacher must be a sentence-transformers model"),
        ("local:nope", "unknown local embeddings model 'nope'"),
    ):
        result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "tune", "--teacher", spec])
        assert result.exit_code == 1 and words in result.output, result.output
        assert "Traceback" not in result.output and "holds no documents" not in result.output


def test_tune_help_documents_the_flow() -> None:
    result = CliRunner().invoke(app, ["tune", "--help"])
    assert result.exit_code == 0
    for words in (
        "Hard negatives",
        "--lora",
        "--teacher",
        "--cross-encoder",
        "local:tuned/NAME",
        "held-out",
        "Ctrl-C",
    ):
        assert words in result.output


def test_tuned_model_strings_pass_the_flag_check_and_fail_where_they_load() -> None:
    from agent.commands._common import model_overrides

    assert model_overrides(embeddings_model="local:tuned/acme") == {"embeddings_model": "local:tuned/acme"}
    with pytest.raises(ModelSpecError, match="unknown local embeddings model 'nope'"):
        model_overrides(embeddings_model="local:nope")


def test_an_unknown_tuned_model_names_the_tuned_ones(tmp_path: Path) -> None:
    from agent.models import make_embeddings

    write_card(tmp_path / "tuned" / "acme", card("acme"))
    with pytest.raises(ModelSpecError, match=r"no tuned model 'other'.*known: acme"):
        make_embeddings("local:tuned/other", Settings(data_dir=tmp_path))


def test_tune_list_shows_the_tuned_models(tmp_path: Path) -> None:
    empty = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "tune", "--list"])
    assert empty.exit_code == 0 and "no tuned models" in empty.output
    write_card(tmp_path / "tuned" / "acme", card("acme"))
    shown = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "tune", "--list"])
    assert shown.exit_code == 0 and "local:tuned/acme" in shown.output and "0.300→0.500" in shown.output
