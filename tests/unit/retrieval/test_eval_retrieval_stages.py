"""`python -m evals.retrieval` over a real (tiny) index: every stage is scored, and an index with
vectors added beside its own (`filings reindex --add`) is labelled with both models."""

from __future__ import annotations

from pathlib import Path

import pytest
from embedding_fakes import WordEmbeddings, fake16, two_documents
from langchain_core.embeddings import Embeddings

import agent.models
from agent.config import DEFAULT_EMBEDDINGS, Settings
from agent.retrieval.reindex import reindex
from evals.datasets import EvalExample, Evidence
from evals.retrieval import evaluate

WORDS = "hf:/models/words"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    def make_embeddings(spec: str, settings: Settings | None = None) -> Embeddings:
        return WordEmbeddings() if spec == WORDS else fake16()

    monkeypatch.setattr(agent.models, "make_embeddings", make_embeddings)
    return two_documents(tmp_path)


def test_stages_are_scored_and_added_vectors_named(settings: Settings) -> None:
    examples = [
        EvalExample(id="q1", question="liquidity capital resources", evidence=[Evidence(doc="d-bolt.pdf")]),
        EvalExample(id="q2", question="anything", evidence=[Evidence(doc="not-ingested.pdf")]),
    ]
    rows, stats = evaluate(settings, examples, ["index-rescore"])
    assert stats["embeddings_model"] == DEFAULT_EMBEDDINGS
    assert (stats["questions"], stats["skipped_not_ingested"], stats["chunks"]) == (1, 1, 4)
    reindex(settings, WORDS, add=True)
    rows, stats = evaluate(settings, examples, ["index-rescore"])
    assert stats["embeddings_model"] == f"{DEFAULT_EMBEDDINGS} + {WORDS}"
    by_stage = {r["stage"]: r for r in rows}
    assert set(by_stage) == {
        "dense",
        "bm25",
        "fused",
        "fused+scope",
        "fused+scope+statements",
        "fused+scope+index-rescore",
        "fused+scope+index-rescore+statements",
    }
    assert by_stage["bm25"]["doc_recall@5"] == 1.0  # the words in the question are Bolt's
    assert all(r["n"] == 1 and r["ms_per_query"] is not None for r in rows)
