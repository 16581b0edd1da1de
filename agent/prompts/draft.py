"""Prompt of the ``draft_answer`` node.

The context block comes FIRST in the user turn and is byte-identical to the critic's judge prompt,
so llama.cpp's prefix cache reuses it for the support checks. The small local model follows the
format only when the instruction sits in the user turn, after the context (see MODELS.md).
"""

from __future__ import annotations

from agent.prompts.common import CANNOT_ANSWER

DRAFT_INSTRUCTIONS = """Question: {question}

Write the answer now. Rules:
- Use 1 to 3 short sentences. End EVERY sentence with the ids of the passages it uses, like [c1] or [c1][c2].
- Copy numbers exactly as written in the passages, with their unit (for example "$ in millions") and the period they refer to.
- Tables show several periods side by side (for example "Three Months Ended" and "Nine Months Ended", or two years): take the figure from the column of the period the question asks about.
- Never compute a number yourself. For a change, growth rate, margin or ratio write CALC(expression) with numbers copied from the passages, for example: grew by CALC((120 - 100) / 100 * 100)% [c1].
- If the passages do not contain the answer, reply exactly: {cannot_answer}
{figures}{feedback}
Answer:"""

FIGURES = """
Figures found in the passages for this question (use the ones that answer it, with their passage ids; a line with CALC(...) is a calculation to copy exactly as written, CALC included):
{lines}
"""

# Last before "Answer:": a small model weighs the end of the prompt most.
FEEDBACK = """
Your previous answer was:
{previous}
It was rejected because:
{problems}
Write a corrected answer that fixes every problem (or reply exactly: {cannot_answer}).
"""


def draft_instructions(
    question: str, problems: str = "", previous: str = "", figures: list[str] | None = None
) -> str:
    feedback = (
        FEEDBACK.format(
            previous=previous.strip()[:600] or "(empty)", problems=problems, cannot_answer=CANNOT_ANSWER
        )
        if problems
        else ""
    )
    listed = FIGURES.format(lines="\n".join(f"- {line}" for line in figures)) if figures else ""
    return DRAFT_INSTRUCTIONS.format(
        question=question, figures=listed, feedback=feedback, cannot_answer=CANNOT_ANSWER
    )


REST_OF_QUESTION = """{question}
The answer already states these figures, computed from the filings (do not repeat them): {stated}
Write only what else the question asks (reasons, drivers, what the figures suggest), from the passages."""


def rest_of_question(question: str, stated: str) -> str:
    """The question as the drafter sees it when our code already stated the figures it asks for:
    the model writes only the rest (reasons, implications), so every figure keeps its unit and
    period as our code wrote them."""
    return REST_OF_QUESTION.format(question=question, stated=stated)


PICK_SENTENCES = """Question: {question}

Sentences printed in the filings:
{lines}

Which of these sentences report what the question asks about? Reply with their numbers separated by commas (at most {most}), or 0 if none of them does.
Answer:"""


def pick_instructions(question: str, sentences: list[str], most: int) -> str:
    """The drafter picks the key sentences that answer a question whether something happened; our
    code quotes them (:mod:`agent.nodes.key_sentences`)."""
    lines = "\n".join(f"{i}. {sentence}" for i, sentence in enumerate(sentences, start=1))
    return PICK_SENTENCES.format(question=question, lines=lines, most=most)
