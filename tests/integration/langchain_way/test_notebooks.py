"""The notebooks execute top to bottom on the bundled samples (their cells assert what they show)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def execute(name: str, data_dir: Path, workdir: Path, **settings: str) -> nbformat.NotebookNode:
    """Run one notebook in a fresh kernel whose FILINGS_* settings point at ``data_dir``."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILINGS_") or k == "FILINGS_MODEL_DIR"}
    env.update({"FILINGS_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **settings})
    client = NotebookClient(
        notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    client.execute(env=env)
    return notebook


def outputs_text(notebook: nbformat.NotebookNode) -> str:
    chunks = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            chunks.append(out.get("text", "") or str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(chunks)


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("nb-data")
    # The tiny model keeps the run short; the notebook's assertions hold for any model.
    nb = execute(
        "01_quickstart.ipynb",
        data_dir,
        tmp_path_factory.mktemp("nb-cwd"),
        FILINGS_CHAT_MODEL="local:smollm2-135m",
        FILINGS_RERANKER_MODEL="none",
    )
    return nb, data_dir


def test_quickstart_ingests_asks_and_shows_the_trace(quickstart):
    nb, data_dir = quickstart
    text = outputs_text(nb)
    assert "stop reason:" in text and "finalize_answer" in text
    assert (data_dir / "traces.sqlite").exists()


def test_retrieval_debugging(quickstart, tmp_path):
    _, data_dir = quickstart
    nb = execute("02_retrieval_debugging.ipynb", data_dir, tmp_path)
    assert "fused (RRF)" in outputs_text(nb)
    assert any(
        out.get("output_type") == "display_data" for cell in nb.cells for out in cell.get("outputs", [])
    )


def test_evaluation_report(quickstart, tmp_path):
    _, data_dir = quickstart
    nb = execute(
        "03_evaluation_report.ipynb",
        data_dir,
        tmp_path,
        FILINGS_CHAT_MODEL="local:smollm2-135m",
        FILINGS_RERANKER_MODEL="none",
        FILINGS_NOTEBOOK_EVAL_LIMIT="1",
    )
    text = outputs_text(nb)
    assert "1 questions in" in text and "retrieval.mrr" in text
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images, "the charts were not displayed"
