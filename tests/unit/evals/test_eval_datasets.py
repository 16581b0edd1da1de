"""Dataset loaders on the real question sets and on hand-made files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.datasets import (
    DatasetError,
    Evidence,
    doc_key,
    doc_matches,
    load_dataset,
    load_docugami_csv,
    load_financebench,
    load_simple_jsonl,
)


def test_financebench_real_file(shared_data: Path) -> None:
    examples = load_financebench(shared_data / "financebench-dev" / "questions.jsonl")
    assert len(examples) == 49
    first = examples[0]
    assert first.id == "financebench_id_07507"
    assert first.reference_answer == "65.4%"
    # Zero-based page kept as in the source file.
    assert [(e.doc, e.page) for e in first.evidence] == [("ADOBE_2016_10K", 61)]
    assert first.reference_contexts and "CONSOLIDATED STATEMENTS OF INCOME" in first.reference_contexts[0]
    assert all(ex.evidence_pages for ex in examples)


def test_docugami_real_csv(shared_data: Path) -> None:
    examples = load_docugami_csv(shared_data / "sec-10-q" / "qna_data.csv")
    assert len(examples) == 195
    # The BOM of the upstream file must not eat the 'Question' column.
    assert examples[0].question.startswith("How has Apple's total net sales changed")
    assert examples[0].evidence == [Evidence(doc="*AAPL*")]
    types = {e.question_type for e in examples}
    assert types == {"Single-Doc Single-Chunk RAG", "Single-Doc Multi-Chunk RAG", "Multi-Doc RAG"}
    assert all(e.evidence and e.evidence[0].page is None for e in examples)


def test_simple_jsonl_and_autodetect(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    rows = [
        {"question": "Q1?", "answer": "$5 million", "evidence": [{"doc": "2023 Q3 AAPL.pdf", "page": 3}],
         "scope": {"companies": ["Apple Inc."], "fiscal_years": [2023]}},
        {"id": "x2", "question": "Q2?", "reference_answer": "none", "expect_abstain": True,
         "reference_contexts": ["ctx"]},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    exs = load_dataset(path)
    assert [e.id for e in exs] == ["mine-1", "x2"]
    assert exs[0].reference_answer == "$5 million"
    assert exs[0].scope is not None and exs[0].scope.fiscal_years == [2023]
    assert exs[1].expect_abstain and exs[1].reference_contexts == ["ctx"]
    assert load_simple_jsonl(path, limit=1)[0].question == "Q1?"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json}\n", "not valid JSON"),
        ('["a list"]\n', "expected a JSON object"),
        ('{"answer": "x"}\n', "lacks 'question'"),
    ],
)
def test_simple_jsonl_bad_input(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(DatasetError, match=message):
        load_simple_jsonl(path)


def test_missing_file_and_wrong_csv(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not found"):
        load_financebench(tmp_path / "nope.jsonl")
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(DatasetError, match="missing column"):
        load_docugami_csv(bad)


def test_document_matching() -> None:
    assert doc_key("/data/sec-10-q/docs/2023 Q3 AAPL.pdf") == "2023 q3 aapl"
    assert doc_matches("ADOBE_2016_10K", "/x/pdfs/ADOBE_2016_10K.pdf")
    assert not doc_matches("ADOBE_2016_10K", "/x/pdfs/ADOBE_2017_10K.pdf")
    assert doc_matches("*AAPL*", "/x/2022 Q3 AAPL.pdf")
    assert doc_matches("*2023 Q3 AAPL*", "/x/2023 Q3 AAPL.pdf")
    assert not doc_matches("*2023 Q3 AAPL*", "/x/2022 Q3 AAPL.pdf")
    assert doc_matches("2023 Q3 AAPL.pdf", "2023 Q3 AAPL")
