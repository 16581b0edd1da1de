"""Fakes for control-flow tests of the research graph: a scripted chat model and in-memory resources."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field, PrivateAttr

from agent.config import Context
from agent.nodes.resources import Resources
from agent.retrieval.scope import resolve_scope
from agent.schemas import Chunk, ChunkMetadata, Fact, Scope, ScoredChunk
from agent.structured_output import structured_output_runnable


def role_of(messages: list[BaseMessage]) -> str:
    """Which node is calling, read from its prompt (the fake answers per role)."""
    text = "\n".join(str(m.content) for m in messages)
    if "Statement:" in text and "YES or NO" in text:
        return "judge"
    if "sub-questions" in text:
        return "decompose"
    if "Which of these sentences report" in text:
        return "pick"
    return "draft"


class ScriptedChatModel(BaseChatModel):
    """Replies from per-role scripts (lists, consumed in order; the last reply repeats).

    Supports ``with_structured_output`` through the same JSON parser the local models use, so a
    scripted malformed reply exercises the real fallback path.
    """

    scripts: dict[str, list[str]]
    # Like llama.cpp's n_ctx: a longer prompt raises before any token is generated.
    max_prompt_chars: int | None = None
    # The same, for one role only (e.g. {"judge": 1800}).
    role_prompt_chars: dict[str, int] = Field(default_factory=dict)
    # Raise a plain error with this text instead, as a hosted provider's SDK does.
    overflow_text: str | None = None
    _calls: list[tuple[str, str]] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def calls(self) -> list[tuple[str, str]]:
        """(role, prompt text) of every call so far."""
        return self._calls

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        role = role_of(messages)
        prompt = "\n".join(str(m.content) for m in messages)
        limit = self.role_prompt_chars.get(role, self.max_prompt_chars)
        if limit is not None and len(prompt) > limit:
            from agent.models import ContextWindowExceededError

            if self.overflow_text:
                raise RuntimeError(self.overflow_text)
            raise ContextWindowExceededError(f"prompt of {len(prompt)} chars over {limit}")
        used = sum(1 for r, _ in self._calls if r == role)
        self._calls.append((role, prompt))
        script = self.scripts.get(role) or [""]
        text = script[min(used, len(script) - 1)]
        message = AIMessage(
            content=text,
            usage_metadata={
                "input_tokens": len(prompt) // 4,
                "output_tokens": max(1, len(text) // 4),
                "total_tokens": len(prompt) // 4 + max(1, len(text) // 4),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def with_structured_output(self, schema: Any, *, include_raw: bool = False, **kw: Any) -> Any:  # type: ignore[override]
        return structured_output_runnable(self, schema, include_raw=include_raw)


@dataclass
class Doc:
    doc_id: str
    company: str
    ticker: str | None
    form_type: str
    fiscal_year: int
    fiscal_quarter: int | None
    period_end: str
    cik: str | None = None


APPLE_23 = Doc("0000320193-23-000077", "Apple Inc.", "AAPL", "10-Q", 2023, 3, "2023-07-01")
APPLE_22 = Doc("0000320193-22-000070", "Apple Inc.", "AAPL", "10-Q", 2022, 3, "2022-06-25")
AMAZON_22 = Doc("0001018724-23-000004", "Amazon.com, Inc.", "AMZN", "10-K", 2022, None, "2022-12-31")

APPLE_INCOME_23 = """CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Unaudited)
(In millions, except number of shares, which are reflected in thousands, and per-share amounts)
Three Months Ended Nine Months Ended
July 1, 2023 June 25, 2022 July 1, 2023 June 25, 2022
Net sales:
Products $ 60,584 $ 63,355 $ 230,901 $ 245,241
Services 21,213 19,604 62,886 58,941
Total net sales 81,797 82,959 293,787 304,182
Operating income 22,998 23,076 84,361 90,386"""
APPLE_INCOME_22 = """CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Unaudited)
(In millions, except number of shares which are reflected in thousands and per share amounts)
Three Months Ended June 25, 2022 June 26, 2021
Net sales: Products $ 63,355 $ 63,948 Services 19,604 17,486
Total net sales 82,959 81,434"""
APPLE_RISK_23 = """Item 1A. Risk Factors. The Company's business, reputation, results of operations, financial
condition and stock price can be affected by a number of factors. Global and regional economic conditions,
including inflation and supply chain disruptions, could materially adversely affect the Company."""
AMAZON_AWS = """AWS segment. Net sales for the AWS segment increased 29% in 2022 compared to the prior year, primarily
due to increased customer usage, partially offset by pricing changes primarily driven by long-term
customer contracts. Total net sales of AWS were $80,096 million in 2022."""


def chunk(doc: Doc, index: int, text: str, page: int, item: str | None = None, table: bool = False) -> Chunk:
    meta = ChunkMetadata(
        doc_id=doc.doc_id,
        source_path=f"/filings/{doc.doc_id}.pdf",
        company=doc.company,
        ticker=doc.ticker,
        form_type=doc.form_type,
        fiscal_year=doc.fiscal_year,
        fiscal_quarter=doc.fiscal_quarter,
        period_end=doc.period_end,
        page=page,
        item=item,
        chunk_index=index,
        is_table=table,
    )
    return Chunk(id=f"{doc.doc_id}::{index}", text=text, metadata=meta)


def in_section(section: str, c: Chunk) -> Chunk:
    """The chunk as the loader tags a passage of a named section ("Part II, Item 1. Legal ...")."""
    return c.model_copy(update={"metadata": c.metadata.model_copy(update={"section": section})})


def scored(chunks: list[Chunk]) -> list[ScoredChunk]:
    return [ScoredChunk(chunk=c, score=1.0) for c in chunks]


CHUNKS = [
    chunk(APPLE_23, 3, APPLE_INCOME_23, 3, table=True),
    chunk(APPLE_23, 40, APPLE_RISK_23, 30, item="1A"),
    chunk(APPLE_22, 3, APPLE_INCOME_22, 3, table=True),
    chunk(AMAZON_22, 120, AMAZON_AWS, 25, item="7"),
]

_WORD = re.compile(r"[a-z0-9]+")


class _FakeIndex:
    """The fact store and chunk lookup of an index, over FakeResources' lists."""

    def __init__(self, owner: FakeResources) -> None:
        self.owner = owner

    def facts(self, doc_ids: list[str] | None = None, *_: Any) -> list[Fact]:
        return [f for f in self.owner.facts if doc_ids is None or f.doc_id in doc_ids]

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        by_id = {c.id: c for c in self.owner.chunks}
        return [by_id[i] for i in ids if i in by_id]

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        return sorted(
            (c for c in self.owner.chunks if c.metadata.doc_id == doc_id),
            key=lambda c: c.metadata.chunk_index,
        )


class FakeResources(Resources):
    """In-memory documents and chunks, lexical search, the scripted model for every role."""

    def __init__(
        self,
        model: ScriptedChatModel,
        chunks: list[Chunk] | None = None,
        search_hook: Callable[[str, int], None] | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        self.chunks = list(chunks if chunks is not None else CHUNKS)
        self.docs = [APPLE_23, APPLE_22, AMAZON_22]
        self.searches: list[str] = []
        self.rerank_scopes: list[Scope | None] = []  # the scope each rerank call was given
        self.search_hook = search_hook
        self.facts: list[Fact] = []  # the fact store (empty: no figure is computed from facts)
        self._index = _FakeIndex(self)

    def chat_model(self, spec: str) -> BaseChatModel:
        return self.model

    def documents(self) -> list[Any]:
        return list(self.docs)

    def resolve_scope(self, question: str, previous: Scope | None, llm: Any | None = None) -> Scope:
        return resolve_scope(question, self.docs, previous=previous, llm=None)

    def search(self, query: str, scope: Scope, k: int, context: Context) -> list[ScoredChunk]:
        self.searches.append(query)
        words = set(_WORD.findall(query.lower()))
        allowed = set(scope.doc_ids) if scope.status == "ok" and scope.doc_ids else None
        out = []
        for c in self.chunks:
            if allowed is not None and c.metadata.doc_id not in allowed:
                continue
            overlap = len(words & set(_WORD.findall(c.text.lower())))
            if overlap:
                out.append(
                    ScoredChunk(chunk=c, score=float(overlap), stage_scores={"lexical": float(overlap)})
                )
        return sorted(out, key=lambda s: s.score, reverse=True)[:k]

    def rerank(
        self,
        query: str,
        chunks: list[ScoredChunk],
        top_n: int,
        context: Context,
        scope: Scope | None = None,
    ) -> list[ScoredChunk]:
        self.rerank_scopes.append(scope)
        return sorted(chunks, key=lambda c: c.score, reverse=True)[:top_n]
