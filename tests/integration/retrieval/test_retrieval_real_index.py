"""Hybrid retrieval on a real index built from the bundled Apple 10-Qs (FY2022 Q3 and FY2023 Q3)."""

from __future__ import annotations

import pytest
from langchain_core.runnables import RunnableLambda
from typer.testing import CliRunner

from agent.config import Settings
from agent.retrieval.hybrid import HybridRetriever
from agent.retrieval.index import FilingIndex
from agent.retrieval.langchain import FilingsRetriever, format_docs, make_retriever_tool
from agent.retrieval.scope import resolve_scope, scope_filter

pytestmark = pytest.mark.integration


@pytest.fixture
def index(apple_settings: Settings):
    idx = FilingIndex.open(apple_settings)
    yield idx
    idx.close()


def _doc_for(index: FilingIndex, year: int) -> str:
    docs = [d for d in index.documents() if d.fiscal_year == year]
    assert len(docs) == 1, [(d.company, d.form_type, d.fiscal_year) for d in index.documents()]
    return docs[0].doc_id


def test_ingested_metadata_resolves_apple_scopes(index: FilingIndex) -> None:
    docs = index.documents()
    for phrasing in (
        "What were Apple's net sales in the third quarter of 2022?",
        "AAPL Q3 FY2022 net sales",
        "apple inc. 10-Q for fiscal 2022 Q3",
    ):
        scope = resolve_scope(phrasing, docs)
        assert scope.status == "ok", scope.reason
        assert scope.doc_ids == [_doc_for(index, 2022)]


def test_scope_filter_applies_to_both_retrievers(index: FilingIndex) -> None:
    scope = resolve_scope("Apple iPhone net sales in Q3 2022", index.documents())
    flt = scope_filter(scope)
    wanted = _doc_for(index, 2022)
    dense = index.dense_search("iPhone net sales", 20, flt)
    bm25 = index.bm25_search("iPhone net sales", 20, flt)
    assert dense and bm25
    assert {c.chunk.metadata.doc_id for c in dense} == {wanted}
    assert {c.chunk.metadata.doc_id for c in bm25} == {wanted}
    unscoped = index.bm25_search("iPhone net sales", 20)
    assert {c.chunk.metadata.doc_id for c in unscoped} == {wanted, _doc_for(index, 2023)}


def test_fail_closed_on_a_year_the_index_lacks(index: FilingIndex, apple_settings: Settings) -> None:
    scope = resolve_scope("What were Apple's net sales in fiscal 2019?", index.documents())
    assert scope.status == "no_match"
    assert "FY2022 Q3" in scope.reason and "FY2023 Q3" in scope.reason
    assert HybridRetriever(index, apple_settings.context()).search("net sales", scope) == []


def test_fused_search_finds_the_net_sales_table(index: FilingIndex, apple_settings: Settings) -> None:
    hybrid = HybridRetriever(index, apple_settings.context())
    question = "What was Apple's total net sales for the three months ended July 1, 2023?"
    hits = hybrid.search(question, resolve_scope(question, index.documents()))
    assert hits and all(h.chunk.metadata.fiscal_year == 2023 for h in hits)
    top_text = " ".join(h.chunk.text for h in hits[:5]).lower()
    assert "total net sales" in top_text
    assert all({"rrf"} <= set(h.stage_scores) for h in hits)


def test_retriever_in_an_lcel_chain(index: FilingIndex, apple_settings: Settings) -> None:
    retriever = FilingsRetriever(
        hybrid=HybridRetriever(index, apple_settings.context()), search_kwargs={"k": 3}
    )
    chain = retriever | RunnableLambda(format_docs)
    text = chain.invoke("Apple iPhone net sales in the third quarter of 2023")
    assert text.startswith("[1] (Apple") and "[3]" in text and "[4]" not in text
    assert retriever.last_scope is not None and retriever.last_scope.status == "ok"
    docs = retriever.invoke("iPhone net sales", fiscal_year=2022, auto_scope=False)
    assert docs and {d.metadata["fiscal_year"] for d in docs} == {2022}
    assert all(d.metadata["chunk_id"].startswith(d.metadata["doc_id"]) for d in docs)
    tool = make_retriever_tool(retriever)
    out = tool.invoke({"query": "Apple Q3 2022 iPhone net sales"})
    assert "page" in out and "FY2022 Q3" in out


def test_retriever_rejects_unknown_search_kwargs(index: FilingIndex, apple_settings: Settings) -> None:
    with pytest.raises(ValueError, match="unknown search_kwargs"):
        FilingsRetriever(hybrid=HybridRetriever(index, apple_settings.context()), search_kwargs={"top_k": 3})


def test_search_cli_prints_scope_and_table(apple_index_dir) -> None:
    from agent.cli import app

    result = CliRunner().invoke(
        app,
        [
            "--data-dir",
            str(apple_index_dir),
            "search",
            "AAPL iPhone net sales Q3 2023",
            "--k",
            "3",
            "--reranker",
            "none",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Scope" in result.output and "ok" in result.output and "FY2023 Q3" in result.output
    missing = CliRunner().invoke(
        app, ["--data-dir", str(apple_index_dir), "search", "Apple revenue 2015", "--reranker", "none"]
    )
    assert missing.exit_code == 1 and "no_match" in missing.output
