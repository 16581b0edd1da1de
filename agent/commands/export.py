"""Markdown export of an answer (issue 15, point 11), for `ask --markdown` and chat's `/export`.

:func:`answer_markdown` writes the question as a heading, the answer text, its numbered sources (where
each comes from, the file, the quoted span as a blockquote) and a footer with how the answer was
reached. The question, the answer and everything in a source come from a user, a model or a filing,
so none of it may add Markdown structure: control characters and escape sequences are removed
(:func:`agent.terminal.safe`) and Markdown's structural characters are backslash-escaped, which
renders as the same text. File paths go in code spans, which show their text verbatim.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agent.terminal import safe

if TYPE_CHECKING:
    from agent.schemas import Answer, Calculation, Citation

# Characters that open Markdown (CommonMark + GFM) structure anywhere in a line: code spans,
# emphasis, links and images, raw HTML and autolinks, entities, tables, strikethrough, the escape.
_INLINE = re.compile(r"([\\`*_\[\]<>&#|~])")
# What a line may start with to become a list item, a heading underline or a thematic break.
_LINE_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")
# A citation marker the escaping turned into \[n\]: shown as [n] again, unless followed by what
# would make it a link ("[1](url)", "[1][ref]") or a link definition ("[1]: url").
_MARKER = re.compile(r"\\\[(\d+)\\\](?![:(\[])")
_NOT_DRAFTED = ("out of scope", "invalid question")


def escape_line(text: object) -> str:
    """One line of plain text that Markdown shows as written (no headings, quotes, lists, code,
    links, HTML or emphasis of its own); line breaks become spaces."""
    out = _INLINE.sub(r"\\\1", safe(text, multiline=False))
    # A backslash only escapes punctuation: \- but 12\. (a backslash before a digit would show).
    return _LINE_START.sub(
        lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"), out
    )


def escape_text(text: object) -> str:
    """Multi-line plain text, paragraph breaks kept, each line escaped as :func:`escape_line`;
    citation markers ``[n]`` stay as they are."""
    # Leading spaces are dropped too: four of them would make an indented code block.
    lines = [escape_line(line.strip()) for line in safe(text).split("\n")]
    return _MARKER.sub(r"[\1]", "\n".join(lines)).strip()


def code_span(text: object) -> str:
    """``text`` as an inline code span, fenced by more backticks than it holds."""
    plain = safe(text, multiline=False)
    longest = max((len(run) for run in re.findall(r"`+", plain)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if plain.startswith("`") or plain.endswith("`") or not plain.strip() else ""
    return f"{fence}{pad}{plain}{pad}{fence}"


def _source(c: Citation) -> list[str]:
    parts = [c.company, c.form_type, c.period, c.section, f"page {c.page}"]
    where = ", ".join(escape_line(p) for p in parts if p)
    lines = [f"- **[{c.n}]** {where}" + (f" — {code_span(c.source_path)}" if c.source_path else "")]
    if c.quote:
        lines += ["", f"  > {escape_line(c.quote)}"]
    return lines


def _calculation(calc: Calculation) -> list[str]:
    """A computed figure and the stored facts it was computed from (row, period, page)."""
    unit = {"%": "%", "": ""}.get(calc.unit, f" {calc.unit}")
    scale = f" (x 10^{calc.scale})" if calc.unit == "USD" and calc.scale else ""
    lines = [
        f"- **{escape_line(calc.name)}** = {calc.result:,.4g}{unit}{scale}: {code_span(calc.expression)}"
    ]
    if calc.formula:
        lines.append(f"  - as the question defines it: {escape_line(calc.formula)}")
    for o in calc.operands:
        lines.append(
            f"  - {escape_line(o.label)}, {escape_line(o.period)}: {escape_line(o.printed)} (page {o.page + 1})"
        )
    return lines


def answer_markdown(answer: Answer) -> str:
    """The answer as a Markdown document (ends with a newline)."""
    out = [f"# {escape_line(answer.question) or 'Question'}", "", escape_text(answer.text) or "_(no answer)_"]
    if answer.citations:
        out += ["", "## Sources", ""]
        for c in answer.citations:
            out += [*_source(c), ""]
        out.pop()
    if answer.calculations:
        out += ["", "## Calculated by our code from the filings' figures", ""]
        for calc in answer.calculations:
            out += _calculation(calc)
    u = answer.usage
    seconds = sum(answer.node_seconds.values())
    faithfulness = "not checked" if answer.stop_reason in _NOT_DRAFTED else f"{answer.faithfulness:.2f}"
    footer = [
        f"stop reason: **{escape_line(answer.stop_reason)}**",
        f"faithfulness: {faithfulness}",
        f"revisions: {answer.revisions}",
        f"LLM calls: {u.llm_calls}",
        f"tokens: {u.prompt_tokens} in / {u.completion_tokens} out",
        f"{seconds:.1f} s",
    ]
    out += ["", "---", "", " · ".join(footer)]
    return "\n".join(out) + "\n"


__all__ = ["answer_markdown", "code_span", "escape_line", "escape_text"]
