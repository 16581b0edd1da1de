"""Company names as a question writes them, matched against the names stored in the index.

Aliases are learned from the ingested filings' own metadata (legal names, former names, tickers): the
name without its legal form ("Apple" for "Apple Inc."), initials for "X & Y" names ("J&J") and of
three-word names in capitals ("AMD"), a first
word that no other filer shares and that is not a common word, and the name written as one word
("JP Morgan" / "JPMorgan"). Possessives that name no ingested company ("Tesla's") are reported so the
scope can fail closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from agent.retrieval.protocols import DocumentLike
from agent.text import FUNCTION_WORDS, MONTHS

# Legal-form words that people drop when naming a company ("Apple" for "Apple Inc.").
SUFFIXES = {
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "companies",
    "ltd",
    "limited",
    "plc",
    "llc",
    "lp",
    "llp",
    "sa",
    "nv",
    "ag",
    "se",
    "holdings",
    "holding",
    "group",
    "international",
    "the",
    "&",
}
# First words too common to stand for a company on their own ("American" Water Works, "Best" Buy).
_GENERIC_FIRST_WORDS = {
    "american",
    "general",
    "united",
    "first",
    "best",
    "international",
    "national",
    "global",
    "new",
    "the",
    "bank",
    "great",
    "southern",
    "northern",
    "western",
    "eastern",
    "royal",
    "capital",
    "energy",
    "digital",
    "home",
    "target",
    "block",
}
# Capitalised words that precede "'s" in questions without naming a company.
_NOT_COMPANIES = {
    "company",
    "companys",
    "firm",
    "registrant",
    "group",
    "board",
    "management",
    "it",
    "its",
    "this",
    "that",
    "the",
    "year",
    "quarter",
    "fiscal",
    "q1",
    "q2",
    "q3",
    "q4",
    "fy",
    "today",
    "item",
    "note",
    "sec",
    "us",
    "u.s",
    "america",
    "what",
    "which",
    "who",
    "how",
    "why",
    "where",
    "when",
    "segment",
    "ceo",
    "cfo",
    "moody",
    "s&p",
    "standard",
} | set(MONTHS)

# Capitalised at the start of a question, not part of a name ("Did Tesla's ...").
_LEADING_WORDS = {
    "did",
    "does",
    "do",
    "is",
    "was",
    "were",
    "are",
    "has",
    "have",
    "had",
    "what",
    "which",
    "how",
    "why",
    "when",
    "where",
    "who",
    "in",
    "for",
    "from",
    "of",
    "at",
    "by",
    "on",
    "compare",
    "describe",
    "explain",
    "summarise",
    "summarize",
    "list",
    "show",
    "according",
    "based",
    "using",
    "and",
    "or",
    "will",
    "can",
}

# "Tesla's", and the plural possessive of names ending in s ("Northwind Instruments' revenue").
_POSSESSIVE_RE = re.compile(r"\b([A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*){0,3})(?:['’]s\b|(?<=s)['’](?!\w))")


def normalize(text: str) -> str:
    """Lower-case, drop possessives and punctuation (keeping '&'), collapse spaces."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^a-z0-9&]+", " ", text)
    text = re.sub(r"\s*&\s*", " & ", text)
    return " ".join(text.split())


def _strip_suffixes(tokens: list[str]) -> list[str]:
    out = list(tokens)
    while out and out[0] == "the":
        out = out[1:]
    while len(out) > 1 and out[-1] in SUFFIXES:
        out = out[:-1]
    return out


@dataclass
class Entity:
    """One company as ingested: every stored name spelling, its tickers and its documents."""

    key: str
    names: set[str] = field(default_factory=set)
    tickers: set[str] = field(default_factory=set)
    doc_ids: list[str] = field(default_factory=list)

    @property
    def display(self) -> str:
        return sorted(self.names)[0]


def core_name(name: str) -> tuple[str, ...]:
    """The name's words without its legal form: ("amazon", "com") for "Amazon.com, Inc."."""
    return tuple(_strip_suffixes(normalize(name).split()))


def _merge_entities(documents: Iterable[DocumentLike]) -> dict[str, Entity]:
    """Group documents by registrant: same CIK, same ticker, or one core name a prefix of the
    other ("Adobe Systems Incorporated" and, after its rename, "Adobe Inc.")."""
    docs = [d for d in documents if d.company]
    parent = list(range(len(docs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_key: dict[str, int] = {}
    for i, doc in enumerate(docs):
        keys = [f"name:{' '.join(core_name(doc.company or ''))}"]
        cik = getattr(doc, "cik", None)
        if cik:
            keys.append(f"cik:{str(cik).lstrip('0')}")
        if doc.ticker:
            keys.append(f"ticker:{doc.ticker.upper()}")
        for key in keys:
            if key in by_key:
                parent[root(i)] = root(by_key[key])
            else:
                by_key[key] = i
    cores = sorted({core_name(d.company or "") for d in docs}, key=len)
    for a_pos, short in enumerate(cores):
        for long in cores[a_pos + 1 :]:
            if short and long[: len(short)] == short:
                i = next(n for n, d in enumerate(docs) if core_name(d.company or "") == short)
                j = next(n for n, d in enumerate(docs) if core_name(d.company or "") == long)
                parent[root(j)] = root(i)
    entities: dict[str, Entity] = {}
    for i, doc in enumerate(docs):
        key = f"entity:{root(i)}"
        entity = entities.setdefault(key, Entity(key=key))
        entity.names.add(doc.company or "")
        if doc.ticker:
            entity.tickers.add(doc.ticker.upper())
        entity.doc_ids.append(doc.doc_id)
    return entities


@dataclass
class CompanyCatalog:
    """Aliases learned from the index metadata: normalised alias -> entity keys."""

    entities: dict[str, Entity]
    aliases: dict[str, set[str]]
    joined: dict[str, set[str]]
    tickers: dict[str, set[str]]

    @classmethod
    def from_documents(cls, documents: Iterable[DocumentLike]) -> CompanyCatalog:
        entities = _merge_entities(documents)
        aliases: dict[str, set[str]] = {}
        first_words: dict[str, set[str]] = {}
        # Initials of names of three words or more, as a question writes them in capitals ("AMD"
        # for Advanced Micro Devices), matched like tickers; shorter ones ("GM") are too ambiguous.
        acronyms: dict[str, set[str]] = {}
        for key, entity in entities.items():
            for name in entity.names:
                tokens = normalize(name).split()
                stripped = _strip_suffixes(tokens)
                for alias in {" ".join(tokens), " ".join(stripped)}:
                    if alias:
                        aliases.setdefault(alias, set()).add(key)
                words = [t for t in stripped if t != "&"]
                significant = [t for t in words if t not in FUNCTION_WORDS]
                if len(significant) >= 3 and all(t[0].isalpha() for t in significant):
                    acronyms.setdefault("".join(t[0] for t in significant).upper(), set()).add(key)
                # "J&J" / "JnJ" for Johnson & Johnson (also when a file name dropped the '&')
                if "&" in stripped or (len(words) == 2 and words[0] == words[1]):
                    initials = [t[0] for t in words]
                    aliases.setdefault(" & ".join(initials), set()).add(key)  # "j & j"
                    aliases.setdefault("n".join(initials), set()).add(key)  # "jnj"
                # A mangled name ("For the transition period ... Nike, Inc.") must not make "for" name it.
                if (
                    len(stripped) > 1
                    and len(stripped[0]) >= 3
                    and stripped[0] not in _GENERIC_FIRST_WORDS
                    and stripped[0] not in FUNCTION_WORDS
                ):
                    first_words.setdefault(stripped[0], set()).add(key)
        for word, keys in first_words.items():
            if len(keys) == 1:  # ambiguous first words name nobody
                aliases.setdefault(word, set()).update(keys)
        joined: dict[str, set[str]] = {}
        for alias, keys in aliases.items():
            squashed = alias.replace(" ", "").replace("&", "")
            if len(squashed) >= 4:
                joined.setdefault(squashed, set()).update(keys)
        tickers: dict[str, set[str]] = {}
        for key, entity in entities.items():
            for ticker in entity.tickers:
                tickers.setdefault(ticker, set()).add(key)
        for acronym, keys in acronyms.items():
            if len(keys) == 1 and acronym not in tickers:
                tickers[acronym] = keys
        return cls(entities=entities, aliases=aliases, joined=joined, tickers=tickers)

    def find(self, question: str) -> list[str]:
        """Entity keys named in the question, in order of first mention."""
        hits: dict[str, int] = {}
        tokens = normalize(question).split()
        max_len = max((len(a.split()) for a in self.aliases), default=0)
        for i in range(len(tokens)):
            for n in range(1, max_len + 1):
                if i + n > len(tokens):
                    break
                phrase = " ".join(tokens[i : i + n])
                for key in self.aliases.get(phrase, ()):
                    hits.setdefault(key, i)
            # "JP Morgan" / "Pepsi Co" against "jpmorgan" / "pepsico"
            for n in range(2, 4):
                if i + n <= len(tokens):
                    for key in self.joined.get("".join(tokens[i : i + n]).replace("&", ""), ()):
                        hits.setdefault(key, i)
        # Tickers only in capitals, as written ("MMM", "AAPL"): lower-case "all" or "it" are words.
        for match in re.finditer(r"(?<![\w])\$?([A-Z]{1,5}(?:\.[A-Z])?)(?![\w])", question):
            for key in self.tickers.get(match.group(1), ()):
                hits.setdefault(key, len(normalize(question[: match.start()]).split()))
        return sorted(hits, key=lambda k: hits[k])


def unknown_company_mentions(question: str, catalog: CompanyCatalog) -> list[str]:
    """Proper nouns used possessively ("Tesla's") that name no ingested company."""
    out = []
    for match in _POSSESSIVE_RE.finditer(question):
        words = match.group(1).split()
        while words and words[0].lower() in _LEADING_WORDS:
            words = words[1:]
        name = " ".join(words)
        if not name or normalize(name) in _NOT_COMPANIES or name.lower() in _NOT_COMPANIES:
            continue
        if catalog.find(name):
            continue
        out.append(name)
    return out
