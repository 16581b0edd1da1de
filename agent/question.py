"""Questions the assistant refuses before any model sees them: empty, over-long, control
characters, or clearly not English.

Why refuse another language instead of answering it: the filings are English SEC filings, BM25 and
the MiniLM embeddings match English words, and the 1.5B model drafts in English. A French question
would retrieve nothing useful and end in an abstention that blames the passages; a one-line
"questions must be in English" tells the user what to do instead. Only *clearly* foreign text is
refused: mostly non-Latin letters, or several function words of another European language and few
English ones. Company names ("Nestlé", "Société Générale", "Banco de Chile"), tickers, figures and
short keyword queries stay accepted.

:func:`check_question` is pure: the graph's first node, ``filings ask`` / ``chat`` and ``search``
all call it, so server and SDK users get the same refusal as the command line.
"""

from __future__ import annotations

import re
import unicodedata

from agent.terminal import control_characters
from agent.text import FUNCTION_WORDS

# English words that show a sentence is English (function words and question words).
ENGLISH_WORDS: frozenset[str] = FUNCTION_WORDS | {
    "about", "after", "all", "any", "before", "between", "both", "can", "could", "did", "do", "does",
    "during", "each", "had", "has", "have", "if", "many", "more", "most", "much", "not", "there",
    "when", "where", "why", "will", "would",
}  # fmt: skip

# Function words of French, German, Spanish, Italian, Portuguese and Dutch that are not English
# words ("as", "do", "was", "in", "per", "met", "hat", "com", "os", "era" are left out). The
# particles also occur in company names ("Banco de la Nación", "Las Vegas Sands", "Van Eck",
# "SAP SE"), so they count only beside at least one of the sentence words (verbs, question words,
# prepositions that names rarely hold). "d", "l", "qu" are French elisions ("d'Apple").
# fmt: off
NAME_PARTICLES: frozenset[str] = frozenset({
    "de", "la", "le", "les", "el", "los", "las", "del", "della", "dei", "di", "da", "das", "dos", "du",
    "des", "van", "von", "der", "y", "et", "und", "al", "se", "d", "l",
})
FOREIGN_SENTENCE_WORDS: frozenset[str] = frozenset({
    "est", "était", "sont", "été", "quel", "quelle", "quels", "quelles", "combien", "qui", "que", "qu",
    "dans", "sur", "avec", "cette", "une", "au", "aux", "ses", "leur", "ist", "wie", "wurde", "waren",
    "hatte", "welche", "welcher", "wieviel", "nicht", "für", "auf", "im", "ein", "eine", "einer",
    "zum", "zur", "bei", "es", "fue", "fueron", "cuál", "cuáles", "cuánto", "cuánta", "qué", "para",
    "por", "con", "como", "su", "sus", "un", "una", "en", "è", "qual", "quale", "quali", "quanto",
    "nel", "nella", "sono", "stato", "che", "foi", "quais", "uma", "não", "em", "het", "een", "wat",
    "hoeveel", "zijn", "voor",
})
# fmt: on
FOREIGN_WORDS: frozenset[str] = NAME_PARTICLES | FOREIGN_SENTENCE_WORDS

_WORD = re.compile(r"[^\W\d_]+")
# A few stray foreign words (a name like "Banco de la Nación") are not a foreign question.
MIN_FOREIGN_WORDS = 3


def _non_latin_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 2:
        return 0.0
    other = sum(1 for c in letters if not unicodedata.name(c, "").startswith("LATIN"))
    return other / len(letters)


def looks_non_english(question: str) -> str | None:
    """Why ``question`` is clearly not English ("is mostly in a non-Latin script", "reads as another
    language (...)"), or ``None`` (English, or too little to tell)."""
    if _non_latin_share(question) > 0.5:
        return "is mostly in a non-Latin script"
    words = _WORD.findall(question.lower())
    foreign = [w for w in words if w in FOREIGN_WORDS]
    english = sum(1 for w in words if w in ENGLISH_WORDS)
    sentence = any(w in FOREIGN_SENTENCE_WORDS for w in foreign)
    if sentence and len(foreign) >= MIN_FOREIGN_WORDS and len(foreign) > 2 * english:
        shown = ", ".join(dict.fromkeys(foreign[:6]))
        return f"reads as another language ({shown})"
    return None


def check_question(question: str, *, max_chars: int) -> str | None:
    """``None`` for an acceptable question, else the one-line reason it is refused.

    The length is counted in characters of the stripped question and reported with the limit.
    """
    text = question.strip()
    if not text:
        return "The question is empty."
    if len(text) > max_chars:
        return (
            f"The question is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Ask one shorter question."
        )
    controls = control_characters(text)
    if controls:
        codes = ", ".join(f"U+{ord(c):04X}" for c in controls[:5])
        return f"The question contains control characters ({codes}); type it as plain text."
    foreign = looks_non_english(text)
    if foreign:
        return (
            f"Questions must be in English: the filings and the model are English-only, and this "
            f"question {foreign}."
        )
    return None
