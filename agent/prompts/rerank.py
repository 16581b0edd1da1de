"""Prompt of the optional LLM reranker (``reranker_model="llm"``): one YES/NO per passage."""

from __future__ import annotations

RERANK_JUDGE = (
    "Question: {question}\n\nPassage:\n{passage}\n\n"
    "Does the passage contain information needed to answer the question? Answer YES or NO."
)
