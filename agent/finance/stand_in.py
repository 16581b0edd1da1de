"""A filer's own line for a line item it prints no row for, when its filing says the line includes it.

Filers group costs by function under their own names. A retailer may print no "Research and
development" row and say instead, in its notes or MD&A, "Technology and infrastructure costs include
payroll and related expenses for employees involved in the research and development of new and
existing products and services, ...". Asked for its R&D, an analyst answers with that line and says
so; the code did not, and the model drafted from passages that print no such figure.

Here, for an expense line item of the income statement that no fact of the company states (not a
total, not a result such as operating income), the filing's sentences of the form "<Line> costs
(or expenses) include / consist of / comprise ... <the item's words> ..." are read, and when
<Line> ends with a row label of the same filing's income statement that is no other vocabulary
item, that row's facts stand in for the item (:class:`~agent.schemas.StandIn`, read by
:func:`~agent.finance.vocabulary.item_of`). The answer names the filer's line and quotes the
sentence, cited, so the reader sees that the figure includes more than the item asked. Nothing
names a company or a line: the item's own question words and the filing's own sentence decide.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from agent.finance.select import home_statements
from agent.finance.vocabulary import BALANCES, ITEMS, SIGNED, item_of, normalise_label
from agent.schemas import Fact, StandIn

# "<Line> costs include", "<Line> expenses consist primarily of", "<Line> expense comprises".
_DEFINES = re.compile(
    r"(?P<label>[A-Z][\w,&'’\- ]{2,120}?)\s+(?:costs?|expenses?)\s+"
    r"(?:(?:primarily|principally|generally|mainly|also)\s+)?"
    r"(?:includes?|consists?\s+(?:(?:primarily|principally|mainly)\s+)?of|comprises?|are\s+comprised\s+of)\b"
    r"(?P<rest>[^.;]*)"
)
# Words of a label, as the sentence prints them ("Technology and Content Technology and content":
# a heading run into its paragraph).
_WORD = re.compile(r"[\w&'’-]+")


def stands_in_for(key: str) -> bool:
    """Whether a filer's own line may stand in for item ``key``: an expense of the income statement,
    not a total ("total operating expenses" is no function's line) and not a result."""
    item = ITEMS.get(key)
    return (
        item is not None
        and key not in SIGNED
        and key not in BALANCES
        and home_statements(key) == {"income"}
        and not item.name.startswith("total ")
    )


def _row_key(fact: Fact, doc_id: str) -> str | None:
    """The fact's normalised row label when it is a row of ``doc_id``'s income statement that
    states no vocabulary item (a row that may stand in for one), else None."""
    if fact.doc_id != doc_id or fact.statement != "income" or fact.dimensions or item_of(fact) is not None:
        return None
    return normalise_label(fact.label).lower()


def _rows(facts: Sequence[Fact], doc_id: str) -> dict[str, str]:
    """The income statement's rows of one filing that state no vocabulary item: normalised -> printed."""
    return {key: f.label.strip(" :") for f in facts if (key := _row_key(f, doc_id)) is not None}


def _named_row(label: str, rows: dict[str, str]) -> str | None:
    """The row the sentence's subject ends with (its longest such ending), as normalised."""
    words = _WORD.findall(label)
    for start in range(len(words)):
        tail = normalise_label(" ".join(words[start:])).lower()
        if tail in rows:
            return tail
    return None


def _quote(sentence: str, end: int) -> str:
    """The sentence up to the end of the clause that names the item (a list of what the line
    includes goes on past it)."""
    comma = sentence.find(",", end)
    return sentence[: comma if comma > 0 else len(sentence)].strip()


def find_stand_in(
    key: str, doc_id: str, facts: Sequence[Fact], passages: Iterable[tuple[str, str]]
) -> tuple[StandIn, str] | None:
    """(stand-in, normalised row) for item ``key`` in one filing from its passages ((chunk id,
    text), in print order), or None when no sentence of it says an income-statement row includes
    the item."""
    rows = _rows(facts, doc_id)
    if not rows:
        return None
    asked = ITEMS[key].asked
    for chunk_id, text in passages:
        flat = " ".join(text.split())
        for found in _DEFINES.finditer(flat):
            named = asked.search(found.group("rest"))
            row = _named_row(found.group("label"), rows) if named else None
            if named is None or row is None:
                continue
            # The quote starts at the row's own words, not at a heading run into the sentence.
            start = found.start("label") + max(found.group("label").lower().rfind(rows[row].lower()), 0)
            quote = _quote(flat[start : found.end("rest")], named.end() + found.start("rest") - start)
            return StandIn(item=key, label=rows[row], chunk_id=chunk_id, quote=quote), row
    return None


def with_stand_ins(
    keys: Iterable[str],
    facts: Sequence[Fact],
    passages: Callable[[str], Iterable[tuple[str, str]]],
) -> list[Fact]:
    """``facts``, where for each expense item of ``keys`` that none of them states, the income
    statement rows each filing says include it are marked as standing in for it (the same facts, ids kept: no cell is
    counted twice). ``passages(doc_id)``: a filing's (chunk id, text) in print order, read only
    when an item is missing."""
    out = list(facts)
    stated = {item_of(f) for f in facts}
    docs = list(dict.fromkeys(f.doc_id for f in facts))
    for key in dict.fromkeys(keys):
        if key in stated or not stands_in_for(key):
            continue
        for doc_id in docs:
            found = find_stand_in(key, doc_id, out, passages(doc_id))
            if found is None:
                continue
            stand_in, row = found
            for n, fact in enumerate(out):
                if _row_key(fact, doc_id) == row:
                    out[n] = fact.model_copy(update={"stands_in": stand_in})
    return out


__all__ = ["find_stand_in", "stands_in_for", "with_stand_ins"]
