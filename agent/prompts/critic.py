"""Prompt of the critic's YES/NO support judgement (same system + context prefix as the draft)."""

from __future__ import annotations

JUDGE_INSTRUCTIONS = """Statement: {claim}

Is the statement fully supported by the passages above? Answer with one word, YES or NO.

Answer:"""


def judge_instructions(claim: str) -> str:
    return JUDGE_INSTRUCTIONS.format(claim=claim)
