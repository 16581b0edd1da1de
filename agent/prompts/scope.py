"""Prompt of the scope resolver's fallback (structured output: one company of the index, or null)."""

from __future__ import annotations

SCOPE_COMPANY = (
    "Which company is this question about? Choose from this list only: {choices}. "
    "Reply with null if the question names no company or a company not in the list.\n\nQuestion: {question}"
)
