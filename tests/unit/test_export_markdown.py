"""Markdown export of an answer (issue 15, point 11): structure, and no injection from filing text."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt

from agent.commands.export import answer_markdown, code_span, escape_line
from agent.schemas import Answer, Calculation, Citation, Operand, Usage

HOSTILE = (
    "# Heading\n> quoted\n<script>alert(1)</script> `code` **bold** [link](https://evil.example) "
    "<https://evil.example> ![img](x.png) | a | b |\n---\n1. item\n- item\n    indented code\x1b[2J\u202e"
)


def _answer(**kw: Any) -> Answer:
    base: dict[str, Any] = {
        "question": "What was Apple's net sales in Q3 2023?",
        "text": "Net sales were $81.8 billion [1], down 1% from $82.96 billion [2].",
        "citations": [
            Citation(
                n=1,
                chunk_id="aapl::3",
                doc_id="aapl",
                company="Apple Inc.",
                form_type="10-Q",
                period="FY2023 Q3",
                section="Item 2. MD&A",
                page=4,
                source_path="/filings/aapl_2023`q3.pdf",
                quote="Total net sales $ 81,797",
            ),
            Citation(n=2, chunk_id="aapl::9", doc_id="aapl", company="Apple Inc.", page=12, quote=""),
        ],
        "faithfulness": 0.92,
        "revisions": 1,
        "usage": Usage(llm_calls=4, prompt_tokens=5120, completion_tokens=96),
        "node_seconds": {"draft_answer": 40.25, "critique_draft": 12.5},
    }
    return Answer(**{**base, **kw})


def _tokens(md: str) -> list[Any]:
    flat: list[Any] = []
    for tok in MarkdownIt("commonmark").enable("table").enable("strikethrough").parse(md):
        flat.append(tok)
        flat.extend(tok.children or [])
    return flat


def test_markdown_has_heading_text_sources_and_footer() -> None:
    md = answer_markdown(_answer())
    lines = md.splitlines()
    assert lines[0] == "# What was Apple's net sales in Q3 2023?"
    assert "Net sales were $81.8 billion [1], down 1% from $82.96 billion [2]." in md  # markers kept
    assert "## Sources" in md
    assert (
        "- **[1]** Apple Inc., 10-Q, FY2023 Q3, Item 2. MD\\&A, page 4 — ``/filings/aapl_2023`q3.pdf``" in md
    )
    assert "  > Total net sales $ 81,797" in md
    assert "- **[2]** Apple Inc., page 12" in md
    assert lines[-1] == (
        "stop reason: **accepted** · faithfulness: 0.92 · revisions: 1 · LLM calls: 4 · "
        "tokens: 5120 in / 96 out · 52.8 s"
    )
    tokens = _tokens(md)
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2"]
    assert sum(t.type == "blockquote_open" for t in tokens) == 1
    [path] = [t.content for t in tokens if t.type == "code_inline"]
    assert path == "/filings/aapl_2023`q3.pdf"  # verbatim, backtick included


def test_filing_text_cannot_add_markdown_structure() -> None:
    hostile = Citation(
        n=1, chunk_id="x::0", doc_id="x", company=f"Evil {HOSTILE}", section=HOSTILE, page=1,
        source_path=f"/f/{HOSTILE}.pdf", quote=HOSTILE,
    )  # fmt: skip
    md = answer_markdown(
        _answer(question=HOSTILE, text=f"{HOSTILE}\n\nSee [1]: x [1](http://e) [1]", citations=[hostile])
    )
    for raw in ("\x1b", "\u202e"):
        assert raw not in md
    tokens = _tokens(md)
    kinds = {t.type for t in tokens}
    # Only the structure the export writes: one h1, one h2, the sources list, one blockquote, a rule.
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2"]
    assert sum(t.type == "blockquote_open" for t in tokens) == 1
    assert sum(t.type == "hr" for t in tokens) == 1
    assert sum(t.type == "bullet_list_open" for t in tokens) == 1
    assert not kinds & {"html_block", "html_inline", "link_open", "image", "code_block", "fence", "table_open",
                        "ordered_list_open", "s_open", "em_open"}  # fmt: skip
    assert sum(t.type == "strong_open" for t in tokens) == 2  # **[1]** and the stop reason only
    # Rendered, the text reads as written.
    html = MarkdownIt("commonmark").render(md)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; `code` **bold** [link](https://evil.example)" in html


def test_undrafted_answers_say_faithfulness_was_not_checked() -> None:
    md = answer_markdown(_answer(stop_reason="out of scope", citations=[], text="Outside the filings."))
    assert "faithfulness: not checked" in md and "## Sources" not in md


def test_helpers() -> None:
    assert escape_line("# a > b") == "\\# a \\> b"
    assert escape_line("- x") == "\\- x" and escape_line("12. x") == "12\\. x"
    assert code_span("a`b") == "``a`b``" and code_span("`a") == "`` `a ``"


def test_calculations_list_their_operands_and_filing_text_stays_text() -> None:
    operand = Operand(
        fact_id="x::f1", chunk_id="x::0", doc_id="x", page=41, item="revenue", label=HOSTILE,
        period="Year ended May 31, 2019", value=100.0, printed="100", scale=6, unit="USD",
    )  # fmt: skip
    calc = Calculation(
        name="operating margin, FY2019",
        expression="20 / 100 * 100",
        operands=[operand],
        result=20.0,
        unit="%",
    )
    md = answer_markdown(_answer(calculations=[calc]))
    assert "## Calculated by our code from the filings' figures" in md
    assert "**operating margin, FY2019** = 20%" in md and "(page 42)" in md
    tokens = _tokens(md)
    kinds = {t.type for t in tokens}
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2", "h2"]
    assert not kinds & {
        "html_block",
        "html_inline",
        "link_open",
        "image",
        "code_block",
        "fence",
        "table_open",
    }
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in MarkdownIt("commonmark").render(md)
