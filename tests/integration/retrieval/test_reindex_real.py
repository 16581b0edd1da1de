"""`filings reindex` on a real index (real MiniLM, real Chroma) of one small bundled 10-Q: the
same weights under another model string re-embed to the same hits, the index records the new
string, and naming the old one is then refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.config import Settings
from agent.local_models import artifact_path, get_local_model
from agent.retrieval.index import EmbeddingsMismatchError, FilingIndex

pytestmark = pytest.mark.integration

MINILM = "local:all-minilm-l6-v2"
QUESTION = "iPhone net sales in the third quarter"


def _hits(settings: Settings) -> list[str]:
    index = FilingIndex.open(settings)
    try:
        return [h.id for h in index.dense_search(QUESTION, 5)]
    finally:
        index.close()


def test_reindex_with_the_same_weights_under_another_name(tmp_path: Path, samples_dir: Path) -> None:
    data = tmp_path / "data"
    ingested = CliRunner().invoke(
        app, ["--data-dir", str(data), "ingest", str(samples_dir / "2022 Q3 AAPL.pdf")]
    )
    assert ingested.exit_code == 0, ingested.output
    settings = Settings(data_dir=data)
    before = _hits(settings)
    assert len(before) == 5
    folder = artifact_path(get_local_model("all-minilm-l6-v2"), settings.models_dir)
    renamed = f"hf:{folder.resolve()}"

    result = CliRunner().invoke(app, ["--data-dir", str(data), "reindex", "--embeddings", renamed])
    assert result.exit_code == 0, result.output
    assert "re-embedded" in result.output and "100%" in result.output

    index = FilingIndex.open(settings)
    assert index.embeddings_model == renamed
    assert index.manifest.embeddings_record() == (renamed, 384)
    index.close()
    assert _hits(settings) == before  # same weights, new vectors: the same passages
    with pytest.raises(EmbeddingsMismatchError, match=f"made with {renamed}; you asked for {MINILM}"):
        _hits(Settings.load(data_dir=data, embeddings_model=MINILM))
    again = CliRunner().invoke(app, ["--data-dir", str(data), "reindex", "--embeddings", renamed])
    assert again.exit_code == 0 and "nothing to do" in again.output, again.output
