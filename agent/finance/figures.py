"""Table figures whose row and period match the question, listed for the drafter.

A small model given six passages of tables often copies a real figure from the wrong row or column.
Matching the question's words against row labels and its period (span, year, month and day)
against column names is cheap and deterministic; the drafter gets the few candidate figures with
their passage ids, and still decides which (if any) answers the question. The critic checks the
result as before, so a wrong candidate cannot slip through.

Nothing here knows about particular companies or questions: it reads labels and headers only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agent.finance.derived import EXPLANATORY, derived_figures
from agent.finance.labels import label_words
from agent.finance.tables import MONTH_DAY, SPAN, YEAR, span_name, table_cells

MAX_FIGURES = 8
_QUARTER = re.compile(r"\b(?:q[1-4]|quarter(?:ly)?|(?:first|second|third|fourth) quarter)\b", re.I)
_ANNUAL = re.compile(
    r"\b(?:fy\s?'?\d{2,4}|fiscal\s+(?:year\s+)?\d{4}|annual|full[- ]year|year\s+ended)\b", re.I
)
_FY = re.compile(r"\bfy\s?'?(\d{4}|\d{2})\b", re.I)
_ALL_WORDS = re.compile(r"[a-z]+")
# Words that mark a total row without naming what it totals ("Consolidated" under "Net sales").
_TOTALS = {"consolidated", "combined"}


@dataclass(frozen=True)
class Period:
    span: str | None  # "three months ended", "year ended", ... (None: not stated)
    years: frozenset[int]
    month_day: str | None

    @classmethod
    def of_question(cls, text: str) -> Period:
        spans = [span_name(m) for m in SPAN.finditer(text)]
        span = spans[0] if len(set(spans)) == 1 else None
        if span is None and not spans:
            span = (
                "three months ended"
                if _QUARTER.search(text)
                else "year ended"
                if _ANNUAL.search(text)
                else None
            )
        years = {int(y) for y in YEAR.findall(text)}
        years |= {int(y) if len(y) == 4 else 2000 + int(y) for y in _FY.findall(text)}
        md = MONTH_DAY.search(text)
        return cls(span, frozenset(years), md.group(0).lower() if md else None)

    def admits(self, column: str) -> bool:
        """Whether a column name ("nine months ended July 1, 2023") fits this period."""
        span = SPAN.search(column)  # column names from a span header read "<span> ended <date>"
        col_span = span_name(span) if span else None
        col_span = "three months ended" if col_span == "quarter ended" else col_span
        if self.span and col_span and self.span != col_span:
            return False
        years = {int(y) for y in YEAR.findall(column)}
        if self.years and years and not years & self.years:
            return False
        md = MONTH_DAY.search(column)
        return not (self.month_day and md and md.group(0).lower() != self.month_day)


def _label_score(label: str, question_words: set[str], question_all: set[str]) -> tuple[float, int] | None:
    words = label_words(label) - _TOTALS
    if re.search(r"\bother\b", label, re.I):
        words.add("other")  # "Other" rows hold a remainder, not the total the question names
    if not words or not words & question_words:
        return None
    coverage = len(words & question_words) / len(words)
    if coverage < 0.5:
        return None
    return coverage, len(set(_ALL_WORDS.findall(label.lower())) & question_all)


def matching_figures(
    questions: Sequence[tuple[str, Sequence[str]]], chunks: Sequence[Any], limit: int = MAX_FIGURES
) -> list[str]:
    """'[c1] Total net sales, three months ended July 1, 2023 = $ 81,797' lines for the figures of
    the context whose row label and column period match one of the questions.

    ``questions`` pairs each (sub-)question with the companies its scope names (empty: any);
    ``chunks`` is the drafting context in alias order (ScoredChunk or Chunk)."""
    found: list[tuple[tuple[float, int], int, str]] = []
    for question, companies in questions:
        if EXPLANATORY.search(question):
            continue
        period = Period.of_question(question)
        q_words = label_words(question)
        q_all = set(_ALL_WORDS.findall(question.lower()))
        matches: list[tuple[tuple[float, int], int, str]] = []
        for i, scored in enumerate(chunks, start=1):
            chunk = getattr(scored, "chunk", scored)
            if companies and chunk.metadata.company not in companies:
                continue
            for label, column, figure in table_cells(chunk.text):
                score = _label_score(label, q_words, q_all)
                if score is not None and period.admits(column):
                    matches.append((score, len(found) + len(matches), f"[c{i}] {label}, {column} = {figure}"))
        # Rows that name only part of the label ("Percentage of total net sales") when others
        # match it fully are noise.
        best = max((m[0][0] for m in matches), default=0.0)
        found += [m for m in matches if m[0][0] == best]
    found.sort(key=lambda f: (-f[0][0], -f[0][1], f[1]))
    return list(dict.fromkeys(line for _score, _order, line in found))[:limit]


def figure_candidates(questions: Sequence[tuple[str, Sequence[str]]], chunks: Sequence[Any]) -> list[str]:
    """What the drafter is shown under "Figures found": the derived figure each question names
    (a CALC over located operands), then the table figures matching its row and period."""
    derived = [
        line
        for q, companies in questions
        if not EXPLANATORY.search(q)
        for line in derived_figures(q, chunks, companies)
    ]
    return list(dict.fromkeys(derived)) + matching_figures(questions, chunks)
