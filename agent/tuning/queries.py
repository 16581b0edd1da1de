"""Training queries written from the index's own structure, with no LLM and no question text.

Each query comes from one passage (its positive) and says what an analyst would type to find it:

* ``row``     a statement row with its period, from the facts read at ingest
              ("payments for capital expenditures fiscal 2021 cash flow statement");
* ``heading`` a heading the passage prints, with the form;
* ``caption`` a table's printed title with its period;
* ``term``    a defined term ("the “Credit Agreement”") and its form.

Queries name what tells the passages of one filing apart, not the filer: scope picks the filing,
and ranking its passages is what the model must learn. Passages rarely print their company's name,
so queries that always named it taught the model to ignore company names, and real questions, which
do name them, were then ranked worse (measured on FinanceBench-dev: unscoped dense recall@10 fell
from 0.59 to 0.21).

Each is written in one of two styles, chosen by a seeded random draw: keywords (what people type in
a search box) or a question (what they ask an assistant). ``key`` (and ``period`` for rows) is what
makes another passage a second right answer; :mod:`agent.tuning.negatives` uses it to keep such
passages out of the hard negatives.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

from agent.finance.labels import ASIDE
from agent.finance.vocabulary import normalise_label
from agent.retrieval.manifest import DocumentRecord
from agent.schemas import Chunk, Fact, FactPeriod

KINDS = ("row", "heading", "caption", "term")

_LEGAL = re.compile(
    r"(?:,?\s+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|plc|llc|l\.?p|n\.?v|s\.?a|ag|se)\.?)+$",
    re.I,
)
_STATEMENT_WORDS = {
    "income": ("income statement", "statement of operations", "results of operations"),
    "balance": ("balance sheet", "financial position"),
    "cash_flow": ("cash flow statement", "statement of cash flows", "cash flows"),
    "equity": ("stockholders' equity", "statement of equity"),
    "segment": ("segment results", "by segment"),
    "other": ("",),
}
# "the “Credit Agreement”", '(the "Notes")', "“Adjusted EBITDA” means": a term the filing defines.
_TERM = re.compile(
    r"[(]?(?:the\s+)?[\"“]([A-Z][A-Za-z0-9&'’ .-]{2,60}?)[\"”]\s*(?:\)|means\b|refers to\b|is defined\b)"
)
_PREPOSITION = re.compile(r"^(?:in|for|as of|at|on)\s+", re.I)
HEADING_LINES = 6
# A key printed in more passages than this does not point at one passage: no query is made from it.
MAX_KEY_PASSAGES = 3
_FIGURE = re.compile(r"\d")
_NOTE_NUMBER = re.compile(r"^(?:note|item)\s+\d+[a-z]?\b[.:]?", re.I)
_SMALL_WORDS = frozenset(
    ("a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with")
)
_HEADING_CHARS = re.compile(r"^[A-Za-z][A-Za-z0-9 &'’,.:/()–—-]*$")
_GENERIC_LABEL = re.compile(r"^(?:total|net|other|subtotal|all other|total other)$", re.I)
_WORDS = re.compile(r"[A-Za-z]{2,}")


@dataclass(frozen=True)
class Pair:
    """A training query and the passage it was written from."""

    query: str
    chunk_id: str
    doc_id: str
    kind: str
    style: str  # "keywords" | "question" | "llm"
    key: str  # lower-cased phrase: a passage that also prints it may be a right answer too
    period: str = (
        ""  # rows: the period's end date, so a passage printing the same row and period is not a negative
    )


def short_company(record: DocumentRecord) -> str:
    """How people name the filer: 'Acme' for 'Acme Corp.', else its ticker, else ''."""
    name = (record.company or "").strip()
    short = _LEGAL.sub("", name).strip(" ,") if name else ""
    return short or (record.ticker or "")


def form_words(record: DocumentRecord) -> str:
    form = record.form_type or "filing"
    return form.replace("EARNINGS", "earnings release").replace("_", " ")


def period_words(period: FactPeriod, rng: random.Random) -> str:
    """The period as a person writes it, with its preposition: 'in fiscal 2021', 'in Q2 2022',
    'as of 2022-06-30', 'for the 6 months ended 2022-06-30'."""
    fy, q = period.fiscal_year, period.fiscal_quarter
    if period.kind == "instant" and period.end:
        return rng.choice((f"as of {period.end}", f"at the end of fiscal {fy}" if fy else f"on {period.end}"))
    if fy and q and period.months == 3:
        return rng.choice(
            (f"in Q{q} {fy}", f"in the {_ORDINAL[q]} quarter of fiscal {fy}", f"in Q{q} FY{fy}")
        )
    if fy and period.months in (12, None):
        return rng.choice((f"in fiscal {fy}", f"in FY{fy}", f"in {fy}", f"for fiscal year {fy}"))
    if period.months and period.end:
        return f"for the {period.months} months ended {period.end}"
    return f"for {period.label}" if period.label else ""


def keywords(*parts: str) -> str:
    """Search-box style: the parts without their leading prepositions."""
    return " ".join(_PREPOSITION.sub("", p) for p in parts if p)


def lower_label(label: str) -> str:
    """A row label inside a sentence: 'Net sales' -> 'net sales', 'TOTAL ASSETS' -> 'total assets'."""
    return label.lower() if label.isupper() or (label[:1].isupper() and not label[1:2].isupper()) else label


_ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth"}


def row_label(fact: Fact) -> str:
    """The row as a person names it: asides and footnote marks dropped; a generic row ('Total')
    keeps its group heading ('Total net sales')."""
    label = normalise_label(ASIDE.sub(" ", fact.label))
    group = " ".join(ASIDE.sub(" ", fact.group).split()).strip(" :")
    if (_GENERIC_LABEL.match(label) or len(label) < 4) and group:
        label = f"{label} {group}".strip()
    return " ".join(label.split())


def _style(rng: random.Random) -> str:
    return "question" if rng.random() < 0.5 else "keywords"


def row_query(fact: Fact, record: DocumentRecord, rng: random.Random) -> Pair | None:
    label = row_label(fact)
    if len(_WORDS.findall(label)) < 1 or not fact.chunk_id:
        return None
    period = period_words(fact.period, rng)
    statement = rng.choice(_STATEMENT_WORDS[fact.statement])
    style = _style(rng)
    if style == "keywords":
        text = keywords(label, period, statement)
    else:
        lower = lower_label(label)
        text = rng.choice(
            (
                f"What was the company's {lower} {period}?",
                f"How much was {lower} {period}?",
                f"In its {statement}, what {lower} did the company report {period}?"
                if statement
                else f"What {lower} did the company report {period}?",
            )
        )
    return Pair(
        " ".join(text.split()), fact.chunk_id, fact.doc_id, "row", style, label.lower(), fact.period.end or ""
    )


def headings(text: str) -> list[str]:
    """Headings a passage prints near its top: short title-case lines without figures or a final
    period ('Note 2 – Revenue', 'Share Repurchase Program', 'Item 1A. Risk Factors')."""
    out = []
    for line in text.splitlines()[:HEADING_LINES]:
        line = " ".join(line.split())
        words = _WORDS.findall(line)
        if not 2 <= len(line.split()) <= 10 or len(line) > 80 or line.endswith((".", ",", ";", ")")):
            continue
        if not _HEADING_CHARS.match(line) or line.count("(") != line.count(")"):
            continue
        if _FIGURE.search(_NOTE_NUMBER.sub("", line)) or len(words) < 2:
            continue
        capitalised = [w for w in words if w[0].isupper()]
        content = [w for w in words if w.lower() not in _SMALL_WORDS]
        if content and len(capitalised) >= len(content):
            out.append(line)
    return out


def heading_query(heading: str, chunk: Chunk, record: DocumentRecord, rng: random.Random) -> Pair:
    form = form_words(record)
    style = _style(rng)
    if style == "keywords":
        text = keywords(form, heading)
    else:
        topic = heading.lower() if heading.isupper() else heading
        text = rng.choice(
            (
                f"What does the {form} say about {topic}?",
                f"Where does the company discuss {topic}?",
            )
        )
    return Pair(" ".join(text.split()), chunk.id, chunk.metadata.doc_id, "heading", style, heading.lower())


def table_title(printed: str) -> str:
    """The title part of a table's caption: its leading run of capitalised words ('Supplemental
    Cash Flow Information' of '... The following table shows ...'), small words inside it kept."""
    words = ASIDE.sub(" ", printed).replace(":", " ").split()
    run: list[str] = []
    for word in words:
        if word[:1].isupper() or word.lower() in _SMALL_WORDS or not word[:1].isalpha():
            run.append(word)
        else:
            break
    while run and (run[-1].lower() in _SMALL_WORDS or run[-1].lower() == "the" or not run[-1][:1].isalpha()):
        run.pop()
    if run and run[-1] == "The":
        run.pop()
    return " ".join(run)


def caption_query(fact: Fact, record: DocumentRecord, rng: random.Random) -> Pair | None:
    title = table_title(fact.table)
    if len(_WORDS.findall(title)) < 2 or not fact.chunk_id:
        return None
    period = period_words(fact.period, rng)
    style = _style(rng)
    text = keywords(title, period) if style == "keywords" else f"Show the {title.lower()} {period}."
    return Pair(" ".join(text.split()), fact.chunk_id, fact.doc_id, "caption", style, title.lower()[:60])


def term_queries(chunk: Chunk, record: DocumentRecord, rng: random.Random) -> list[Pair]:
    form = form_words(record)
    out = []
    for term in dict.fromkeys(m.group(1).strip() for m in _TERM.finditer(chunk.text)):
        if len(_WORDS.findall(term)) < 1 or (term.isupper() and len(term) < 4):
            continue
        style = _style(rng)
        text = (
            f"{form} {term}"
            if style == "keywords"
            else rng.choice((f"What is the {term} in the {form}?", f"What does the company mean by {term}?"))
        )
        out.append(Pair(" ".join(text.split()), chunk.id, chunk.metadata.doc_id, "term", style, term.lower()))
    return out


def document_queries(
    record: DocumentRecord, chunks: list[Chunk], facts: list[Fact], rng: random.Random
) -> dict[str, list[Pair]]:
    """Every query of each kind one document yields (one row query per chunk and row label, one
    caption query per table), before sampling."""
    out: dict[str, list[Pair]] = {k: [] for k in KINDS}
    seen_rows: set[tuple[str, str]] = set()
    seen_tables: set[tuple[str, str]] = set()
    for fact in facts:
        if fact.chunk_id is None:
            continue
        row_key = (fact.chunk_id, normalise_label(fact.label).lower())
        if row_key not in seen_rows and (pair := row_query(fact, record, rng)):
            seen_rows.add(row_key)
            out["row"].append(pair)
        table_key = (fact.chunk_id, fact.table)
        if fact.table and table_key not in seen_tables and (pair := caption_query(fact, record, rng)):
            seen_tables.add(table_key)
            out["caption"].append(pair)
    for chunk in chunks:
        if chunk.metadata.page > 0:  # the cover page's lines are the form's boilerplate
            out["heading"] += [heading_query(h, chunk, record, rng) for h in headings(chunk.text)]
        out["term"] += term_queries(chunk, record, rng)
    texts = [c.text.lower() for c in chunks]
    for kind in ("heading", "caption", "term"):
        out[kind] = [p for p in out[kind] if distinctive(p.key, texts)]
    return out


def distinctive(key: str, texts: list[str]) -> bool:
    """Whether ``key`` is printed in at most :data:`MAX_KEY_PASSAGES` passages of its document."""
    return sum(1 for t in texts if key in t) <= MAX_KEY_PASSAGES


def sample_pairs(pools: Iterable[dict[str, list[Pair]]], budget: int, rng: random.Random) -> list[Pair]:
    """At most ``budget`` pairs, shared evenly across kinds (a kind with fewer gives its share to the
    others) and, within a kind, spread over passages so that no table dominates."""
    by_kind: dict[str, list[Pair]] = {k: [] for k in KINDS}
    for pool in pools:
        for kind, pairs in pool.items():
            by_kind[kind] += pairs
    for kind, pairs in by_kind.items():
        rng.shuffle(pairs)
        by_kind[kind] = spread(pairs)
    chosen: list[Pair] = []
    kinds = [k for k in KINDS if by_kind[k]]
    while kinds and len(chosen) < budget:
        share = max(1, (budget - len(chosen)) // len(kinds))
        for kind in list(kinds):
            take, by_kind[kind] = by_kind[kind][:share], by_kind[kind][share:]
            chosen += take[: budget - len(chosen)]
            if not by_kind[kind]:
                kinds.remove(kind)
    return chosen


def spread(pairs: list[Pair]) -> list[Pair]:
    """``pairs`` reordered (stably) so that every passage's first query comes before any passage's
    second one."""
    seen: dict[str, int] = {}
    ranked = []
    for pair in pairs:
        ranked.append((seen.get(pair.chunk_id, 0), pair))
        seen[pair.chunk_id] = ranked[-1][0] + 1
    ranked.sort(key=lambda item: item[0])
    return [pair for _, pair in ranked]
