"""Text from filings, sidecars and models made safe to print on a terminal.

A filing (or its file name, a sidecar, a parser warning, a model's answer) can carry terminal escape
sequences: ``ESC[2J`` clears the screen, ``ESC]8;;url`` plants a hyperlink, ``ESC]0;...`` retitles
the window, a bidi override (U+202E) makes printed text read differently from what it is. Rich does
not remove them, and it reads ``[red]`` in a string printed with markup on as its own markup.
Every CLI line that shows document- or model-derived text goes through :func:`safe` (plain
printing) or :func:`cell` / :func:`escape` (rich tables and markup strings).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# Whole escape sequences first, so their parameters ("2J", "8;;https://...") go with them.
_SEQUENCES = re.compile(
    # OSC / DCS / SOS / PM / APC strings (7-bit ESC ] P X ^ _ or their 8-bit forms), up to BEL or ST,
    # or to the end of the text when unterminated.
    r"(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    # CSI (ESC [ or 8-bit 0x9b): parameter bytes, intermediate bytes, one final byte.
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    # Other escapes: ESC, intermediates, one final byte (ESC c resets the terminal, ESC ( 0 ...).
    r"|\x1b[ -/]*[0-~]?"
)
# What is left: C0 controls (but tab and newline), DEL, C1 controls, and the invisible bidi
# embeddings/overrides/isolates and marks that reorder how a line reads.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")


def control_characters(text: str, allowed: str = "\t\n\r") -> list[str]:
    """The control characters (Unicode category Cc, but ``allowed``) and bidi controls in ``text``,
    sorted and de-duplicated: what a question or a filing field must not carry."""
    import unicodedata

    return sorted(
        {c for c in text if (unicodedata.category(c) == "Cc" and c not in allowed) or c in BIDI_CONTROLS}
    )


def safe(text: object, *, multiline: bool = True) -> str:
    """``text`` without terminal escape sequences, control characters or bidi controls.

    Line breaks (CR, CRLF, VT, FF, NEL, U+2028/2029) become ``\\n`` and tabs stay when
    ``multiline``; otherwise every run of whitespace becomes one space (table cells, one-line
    fields). ``None`` gives ``""``.
    """
    if text is None:
        return ""
    out = _LINE_BREAKS.sub("\n", str(text))
    out = _SEQUENCES.sub("", out)
    out = _CONTROLS.sub("", out)
    if not multiline:
        out = " ".join(out.split())
    return out


def escape(text: object, *, multiline: bool = False) -> str:
    """:func:`safe` text for a string that rich prints with markup on (``[red]`` stays literal)."""
    from rich.markup import escape as rich_escape

    return rich_escape(safe(text, multiline=multiline))


def cell(text: object, *, multiline: bool = False) -> Text:
    """A rich table cell that shows ``text`` literally (no markup, no escapes)."""
    from rich.text import Text

    return Text(safe(text, multiline=multiline))
