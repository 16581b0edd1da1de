"""`filings ask` / `filings chat` argument handling and rendering (no model loads)."""

from __future__ import annotations

from pathlib import Path

from graph_fakes import CHUNKS
from typer.testing import CliRunner

from agent.cli import app
from agent.commands._common import console
from agent.commands.ask import progress_line, render_answer
from agent.schemas import Answer, Citation, Critique, Scope


def test_ask_on_an_empty_index_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "ask", "What were Apple's net sales?"])
    assert result.exit_code == 1
    assert "filings ingest" in result.output


def test_ask_rejects_an_empty_question(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "ask", "   "])
    assert result.exit_code == 2 and "empty" in result.output


def test_render_answer_lists_numbered_sources() -> None:
    meta = CHUNKS[0].metadata
    answer = Answer(
        question="q",
        text="Total net sales were $81,797 million [1].",
        citations=[
            Citation(
                n=1,
                chunk_id=CHUNKS[0].id,
                doc_id=meta.doc_id,
                company="Apple Inc.",
                form_type="10-Q",
                period="FY2023 Q3",
                page=4,
                source_path="/filings/2023 Q3 AAPL.pdf",
                quote="Total net sales 81,797 82,959",
            )
        ],
    )
    with console.capture() as captured:
        render_answer(answer)
    out = captured.get()
    assert "[1] Apple Inc., 10-Q, FY2023 Q3, page 4" in out and "81,797 82,959" in out and "accepted" in out
    assert "/filings/2023 Q3 AAPL.pdf (page 4)" in out  # the file to open, and where


def test_progress_lines() -> None:
    assert (
        progress_line("resolve_scope", {"scope": Scope(status="ok", reason="1 filing(s)")})
        == "scope ok: 1 filing(s)"
    )
    assert "2 sub-question(s)" in progress_line("decompose_question", {"subquestions": ["a", "b"]})
    line = progress_line("critique_draft", {"critique": Critique(faithfulness=0.5), "route": "regenerate"})
    assert line == "critic: faithfulness 0.50 -> regenerate"


def test_ask_refuses_an_over_long_question_before_opening_the_index(tmp_path: Path) -> None:
    # The index is empty: a refusal that came after opening it would say "filings ingest" (exit 1).
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "ask", "What were Apple's sales? " * 100])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "The question is 2,499 characters long; the limit is 2,000. Ask one shorter question."
    )


def test_ask_and_search_refuse_a_question_in_another_language(tmp_path: Path) -> None:
    question = "Quel était le chiffre d'affaires d'Apple en 2023 ?"
    for command in ("ask", "search"):
        result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), command, question])
        assert result.exit_code == 2, command
        assert result.output.startswith("Questions must be in English")
        assert "filings ingest" not in result.output
        assert len(result.output.strip().splitlines()) == 1
