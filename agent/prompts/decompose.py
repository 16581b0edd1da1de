"""Prompt of the ``decompose_question`` node (structured output: SubQuestions)."""

from __future__ import annotations

DECOMPOSE_SYSTEM = (
    "You split a research question about company filings into the smallest set of self-contained "
    "search questions. Each sub-question names its company and period explicitly."
)

DECOMPOSE_USER = """Question: {question}

Split this question into at most {max_subquestions} self-contained sub-questions, one per fact that must be looked up. If it asks for a single fact, return it unchanged as the only sub-question.
Reply with JSON: {{"questions": ["...", "..."]}}"""
