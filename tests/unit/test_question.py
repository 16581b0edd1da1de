"""Questions refused before any model sees them (issue 16, point 2): empty, over-long, control
characters, clearly not English. English questions with foreign company names stay accepted."""

from __future__ import annotations

import pytest

from agent.config import Context
from agent.question import check_question

LIMIT = Context().max_question_chars


@pytest.mark.parametrize(
    "question",
    [
        "What was Nestlé's revenue in 2022?",
        "Société Générale net income 2022",
        "What was Banco de Chile's net interest income in 2022?",
        "Las Vegas Sands Del Taco El Pollo Loco revenue 2022",  # Spanish name particles, no sentence
        "Banco de la Nación y Banco del Estado",
        "What is the P/E ratio of Moët Hennessy Louis Vuitton SE?",
        "What was Sony (ソニー) revenue in fiscal 2022?",
        "AAPL 10-Q Q3 2023",
        "Amazon.com net sales 2022",
        "2023?",
        "EPS?",
        "and the year before?",
        "Apple iPhone net sales Q3 2023",
        "What was Apple's gross margin in fiscal Q3 2023?\nAnd its operating margin?",
    ],
)
def test_english_questions_are_accepted(question: str) -> None:
    assert check_question(question, max_chars=LIMIT) is None


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        ("Quel était le chiffre d'affaires d'Apple en 2023 ?", "quel, était"),
        ("Wie hoch war der Umsatz von Apple im Jahr 2023?", "wie, der"),
        ("¿Cuáles fueron las ventas netas de Apple en 2023?", "cuáles, fueron"),
        ("Qual è stato il fatturato di Apple nel 2023?", "qual, è"),
        ("Qual foi a receita da Apple em 2023?", "qual, foi"),
        ("苹果公司2023年第三季度的净销售额是多少？", "non-Latin script"),
        ("Какова выручка Apple в 2023 году?", "non-Latin script"),
    ],
)
def test_clearly_foreign_questions_get_the_english_notice(question: str, shown: str) -> None:
    problem = check_question(question, max_chars=LIMIT)
    assert problem is not None and problem.startswith("Questions must be in English")
    assert shown in problem and "\n" not in problem


def test_over_long_question_states_its_length_and_the_limit() -> None:
    problem = check_question("What was Apple's revenue? " * 200, max_chars=2000)
    assert problem == "The question is 5,199 characters long; the limit is 2,000. Ask one shorter question."
    assert check_question("x" * 2000, max_chars=2000) is None  # the limit itself is allowed


@pytest.mark.parametrize("question", ["", "   ", "\n\t "])
def test_empty_question(question: str) -> None:
    assert check_question(question, max_chars=LIMIT) == "The question is empty."


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("What was \x1b[2J Apple's revenue?", "U+001B"),
        ("Apple revenue\x07", "U+0007"),
        ("Apple \x9b31m revenue", "U+009B"),
        ("Apple \u202erevenue", "U+202E"),
        ("Apple\x00 revenue", "U+0000"),
    ],
)
def test_control_characters_are_refused(question: str, code: str) -> None:
    problem = check_question(question, max_chars=LIMIT)
    assert problem is not None and "control characters" in problem and code in problem
