"""Escape codes, control characters, bidi overrides and rich markup planted in a filing, a sidecar or
a model's answer never reach the terminal (issue 16, point 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.commands import _common
from agent.commands.ask import progress_line
from agent.retrieval.manifest import DocumentRecord
from agent.schemas import Answer, Chunk, ChunkMetadata, Citation, Scope, ScoredChunk
from agent.terminal import cell, escape, safe
from graphs.research_tool import render_answer as tool_render_answer

# Clear screen, an OSC 8 hyperlink, a bell, an 8-bit CSI, a bidi override, a window title and markup.
HOSTILE = (
    "\x1b[2J\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07 \x07ding \x9b31mred\x1b[0m "
    "\u202eevil\u202c \x1b]0;pwned\x1b\\ [red]markup[/red] [link=https://evil.example]x[/link]"
)
PLANTED = ["\x1b", "\x07", "\x9b", "\u202e", "\u202c", "evil.example/", "pwned"]


def assert_clean(out: str) -> None:
    for bad in PLANTED:
        assert bad not in out, f"{bad!r} reached the terminal: {out!r}"
    assert "[red]markup[/red]" in out  # shown literally, not read as rich markup


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    # Wide enough that table cells are not folded in the middle of what the asserts look for.
    monkeypatch.setattr(_common.console, "_width", 400)
    monkeypatch.setattr(_common.err_console, "_width", 400)


def test_safe_removes_sequences_and_controls_but_keeps_lines() -> None:
    assert safe("a\x1b[2Jb\x1b]8;;http://x/\x07c\x1b]8;;\x07d") == "abcd"
    assert safe("a\x9b31mb\x1bcc\x00\x7f\x85d") == "abc\nd"
    assert safe("bell\x07 \u202eright\u2066 to left\u2069") == "bell right to left"
    assert safe("line 1\r\nline 2\rline 3\n\tindented") == "line 1\nline 2\nline 3\n\tindented"
    assert safe("line 1\n\tline 2", multiline=False) == "line 1 line 2"
    assert safe("\x1b]8;;https://unterminated hyperlink") == ""
    assert safe(None) == "" and safe(3) == "3"
    assert escape("[red]x[/red]") == "\\[red]x\\[/red]"
    assert cell("[bold]\x1b[1mx").plain == "[bold]x"


def _chunk() -> Chunk:
    meta = ChunkMetadata(
        doc_id="doc1",
        source_path=f"/filings/{HOSTILE}.pdf",
        company=f"Evil Corp {HOSTILE}",
        form_type="10-K",
        fiscal_year=2023,
        page=3,
        item="7",
    )
    return Chunk(id="doc1::0", text=f"Revenue was $5 million. {HOSTILE}", metadata=meta)


def test_search_output_is_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.commands.ask as ask
    import agent.retrieval.hybrid as hybrid
    import agent.retrieval.index as index
    import agent.retrieval.rerankers as rerankers
    import agent.retrieval.scope as scope_mod

    record = DocumentRecord(doc_id="doc1", source_path="/f.pdf", sha256="x", company=f"Evil {HOSTILE}")

    class FakeIndex:
        def documents(self) -> list[DocumentRecord]:
            return [record]

    class FakeReranker:
        name = "none"

    class FakeHybrid:
        def __init__(self, *args: Any) -> None:
            pass

        def search(self, question: str, scope: Scope) -> list[ScoredChunk]:
            return [ScoredChunk(chunk=_chunk(), score=1.0)]

        def rerank(
            self, question: str, hits: list[ScoredChunk], top_n: int, scope: Scope | None = None
        ) -> list[ScoredChunk]:
            return hits

    hostile_scope = Scope(companies=[f"Evil Corp {HOSTILE}"], status="ok", reason=f"matched {HOSTILE}")
    monkeypatch.setattr(index.FilingIndex, "open", classmethod(lambda cls, settings: FakeIndex()))
    monkeypatch.setattr(ask, "require_index", lambda settings: None)  # the fake index needs no files
    monkeypatch.setattr(rerankers, "make_reranker", lambda spec, settings, **_: FakeReranker())
    monkeypatch.setattr(hybrid, "HybridRetriever", FakeHybrid)
    monkeypatch.setattr(scope_mod, "resolve_scope", lambda question, documents: hostile_scope)

    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "search", "Evil Corp revenue 2023"])
    assert result.exit_code == 0, result.output
    assert "Revenue was $5 million" in result.output and "Evil Corp" in result.output
    assert_clean(result.output)


def test_docs_list_output_is_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.retrieval.manifest as manifest

    record = DocumentRecord(
        doc_id="doc1",
        source_path=f"/filings/{HOSTILE}.pdf",
        sha256="x",
        company=f"Evil Corp {HOSTILE}",
        form_type=f"10-K {HOSTILE}",
        fiscal_year=2023,
        period_end="2023-12-31",
        pages=3,
        chunks=9,
    )

    class FakeManifest:
        def __init__(self, path: Path) -> None:
            pass

        def committed(self) -> list[DocumentRecord]:
            return [record]

        def close(self) -> None:
            pass

    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "manifest.sqlite").touch()
    monkeypatch.setattr(manifest, "Manifest", FakeManifest)
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "docs", "list"])
    assert result.exit_code == 0, result.output
    assert "Evil Corp" in result.output and "2023-12-31" in result.output
    assert_clean(result.output)


def _hostile_answer() -> Answer:
    return Answer(
        question="q",
        text=f"Revenue was $5 million [1]. {HOSTILE}",
        citations=[
            Citation(
                n=1,
                chunk_id="doc1::0",
                doc_id="doc1",
                company=f"Evil Corp {HOSTILE}",
                form_type="10-K",
                period="FY2023",
                section=f"Item 7 {HOSTILE}",
                page=4,
                quote=f"Revenue $5 {HOSTILE}",
            )
        ],
        fallbacks=[f"draft: {HOSTILE}"],
    )


def test_ask_output_is_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.commands.ask as ask
    import graphs.research as research

    class FakeGraph:
        async def ainvoke(self, inputs: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            return {"answer": _hostile_answer()}

    monkeypatch.setenv("FILINGS_CHECKPOINTER", "memory")
    monkeypatch.setenv("FILINGS_TRACE_LOCAL", "false")
    monkeypatch.setattr(ask, "_check_index", lambda settings: None)
    monkeypatch.setattr(research, "build_research_graph", lambda **kwargs: FakeGraph())
    result = CliRunner().invoke(
        app, ["--data-dir", str(tmp_path), "ask", "What was Evil Corp's revenue in 2023?"]
    )
    assert result.exit_code == 0, result.output
    assert "Revenue was $5 million [1]." in result.output and "[1] Evil Corp" in result.output
    assert_clean(result.output)


def test_chat_progress_lines_and_the_research_tool_text_are_clean() -> None:
    lines = [
        progress_line("resolve_scope", {"scope": Scope(status="ok", reason=f"[red]markup[/red] {HOSTILE}")}),
        progress_line("decompose_question", {"subquestions": [f"[red]markup[/red] {HOSTILE}\nsecond"]}),
    ]
    for line in lines:
        assert_clean(line)
        assert "\n" not in line
    assert_clean(tool_render_answer(_hostile_answer()))
