"""LangChain integration: the hybrid stack as a ``BaseRetriever`` and as a retriever tool.

So the retrieval stack can be used on its own inside other LangChain apps, e.g.
``retriever | format_docs`` in an LCEL chain, or the tool in any tool-calling agent.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.prompts import PromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import BaseTool, create_retriever_tool
from pydantic import ConfigDict, Field

from agent.retrieval.hybrid import HybridRetriever
from agent.retrieval.protocols import MetadataFilter
from agent.retrieval.scope import resolve_scope
from agent.schemas import Scope, ScoredChunk

_SEARCH_KWARGS = {"k", "filter", "scope", "auto_scope", "rerank", "candidates"}
# Filter shorthands accepted in search_kwargs besides an explicit ``filter`` dict.
_FILTER_FIELDS = {
    "doc_id",
    "company",
    "ticker",
    "form_type",
    "fiscal_year",
    "fiscal_quarter",
    "item",
    "is_table",
}


def to_document(item: ScoredChunk) -> Document:
    """A LangChain Document carrying the chunk text, its metadata, id and scores."""
    meta: dict[str, Any] = item.chunk.metadata.to_store()
    for key in ("company", "form_type", "item", "section"):
        meta.setdefault(key, "")  # prompt templates need every key, even when unknown
    meta.update(
        chunk_id=item.id,
        score=item.score,
        period=item.chunk.metadata.period_label,
        page_number=item.chunk.metadata.page_number,
        **{f"score_{k}": v for k, v in item.stage_scores.items()},
    )
    return Document(page_content=item.chunk.text, metadata=meta, id=item.id)


def format_docs(docs: list[Document]) -> str:
    """Numbered passages with their source line, ready to paste into a prompt."""
    parts = []
    for n, doc in enumerate(docs, start=1):
        m = doc.metadata
        where = f"{m.get('company') or '?'} {m.get('form_type') or ''} {m.get('period') or ''}".strip()
        item = f", Item {m['item']}" if m.get("item") else ""
        parts.append(
            f"[{n}] ({where}{item}, p. {m.get('page_number', '?')}; {m.get('chunk_id')})\n{doc.page_content}"
        )
    return "\n\n".join(parts)


class FilingsRetriever(BaseRetriever):
    """Hybrid (dense + BM25 + RRF) retrieval over ingested filings, optionally reranked.

    ``search_kwargs``: ``k`` (documents returned, default the context's ``context_chunks``),
    ``candidates`` (fused candidates before rerank), ``filter`` (MetadataFilter: AND across fields,
    OR within a list; an empty list matches nothing), shorthands such as ``company``,
    ``fiscal_year``, ``form_type`` or ``item`` (a value or a list), ``scope`` (a Scope or dict),
    ``auto_scope`` (resolve the scope from the query against the ingested documents; default
    True) and ``rerank`` (default True when a reranker is configured).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: HybridRetriever
    search_kwargs: dict[str, Any] = Field(default_factory=dict)
    last_scope: Scope | None = None

    def model_post_init(self, __context: Any) -> None:
        unknown = set(self.search_kwargs) - _SEARCH_KWARGS - _FILTER_FIELDS
        if unknown:
            raise ValueError(
                f"unknown search_kwargs: {', '.join(sorted(unknown))}; "
                f"use {', '.join(sorted(_SEARCH_KWARGS | _FILTER_FIELDS))}"
            )

    def _filter(self, kwargs: dict[str, Any]) -> MetadataFilter | None:
        out: MetadataFilter = {f: list(v) for f, v in (kwargs.get("filter") or {}).items()}
        for name in _FILTER_FIELDS & set(kwargs):
            value = kwargs[name]
            out[name] = list(value) if isinstance(value, list | tuple | set) else [value]
        return out or None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **overrides: Any
    ) -> list[Document]:
        kwargs = {**self.search_kwargs, **overrides}
        scope = kwargs.get("scope")
        if isinstance(scope, dict):
            scope = Scope.model_validate(scope)
        if scope is None and kwargs.get("auto_scope", True):
            scope = resolve_scope(query, self.hybrid.index.documents())
        self.last_scope = scope
        candidates = self.hybrid.search(
            query, scope=scope, k=kwargs.get("candidates"), filter=self._filter(kwargs)
        )
        top_n = int(kwargs.get("k") or self.hybrid.context.context_chunks)
        ranked = (
            self.hybrid.rerank(query, candidates, top_n, scope)
            if kwargs.get("rerank", True)
            else candidates[:top_n]
        )
        return [to_document(c) for c in ranked]


_DOC_PROMPT = PromptTemplate.from_template(
    "[{chunk_id}] {company} {form_type} {period}, page {page_number}:\n{page_content}"
)


def make_retriever_tool(
    retriever: BaseRetriever,
    name: str = "search_filings",
    description: str = (
        "Search the ingested SEC filings (10-K, 10-Q, 8-K, earnings releases). Input: a question naming the "
        "company and period. Returns passages with their chunk id, company, form, period and page."
    ),
) -> BaseTool:
    """A LangChain tool over ``retriever`` whose output keeps chunk ids and pages for citing."""
    return create_retriever_tool(retriever, name, description, document_prompt=_DOC_PROMPT)
