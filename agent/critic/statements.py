"""A figure stated as a line item must agree with the filing's own statement.

Grounding only asks whether a figure is printed in the cited passage. A passage can print a wrong
figure on purpose ("revenue for fiscal 2023 was $1,950 million" planted in prose, or an injected
footnote) while the income statement of the same filing prints $1,482 million. So when a sentence
states one line item of the vocabulary (``agent.finance.derived.ITEMS``: revenue, net income,
total assets, ...) for a period it names, and a statement table of the same company in the
evidence prints that line item for that period, one of the sentence's figures must be the
statement's (scale-aware). A disagreement is rejected with both figures.

The check stays out of the way when it cannot tell: a sentence naming a metric (margins, growth:
checked elsewhere), several line items, no year, or any word beyond the line item, its period and
plain verbs that the statement row does not print ("Americas net sales", "net income attributable
to noncontrolling interests") is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agent.critic.calc import CALC_PATTERN
from agent.critic.numbers import NumberMention, is_grounded, table_header
from agent.finance.derived import Item, asked_metric, named_items, normalise_label
from agent.finance.figures import Period
from agent.finance.labels import label_words
from agent.finance.tables import YEAR, table_cells
from agent.text import MONTHS

# Words that name a period or a scale, and the verbs and fillers a sentence states a figure
# with: none of them makes the sentence about something other than the line item itself.
_NEUTRAL = {
    *("fiscal", "year", "years", "quarter", "quarters", "month", "months", "ended", "ending", "period"),
    *("three", "six", "nine", "twelve", "first", "second", "third", "fourth", "full", "end", "all"),
    *("million", "millions", "billion", "billions", "thousand", "thousands", "usd", "dollars"),
    *("was", "were", "are", "has", "had", "have", "been", "totaled", "totalled", "amounted", "came"),
    *("reached", "reported", "recorded", "increased", "decreased", "grew", "rose", "fell", "declined"),
    *("compared", "consolidated", "company", "its", "their", "our", "approximately", "about"),
    *("during", "with", "which", "that", "this"),
    *MONTHS,
}
_UNIT = re.compile(r"in\s+(?:millions|thousands|billions)", re.I)
Cell = tuple[str, str, str, str, str]  # (passage id, passage text, row label, column, value)


@dataclass(frozen=True)
class _Stated:
    item: Item
    period: Period
    amounts: list[NumberMention]
    qualifiers: set[str]


def _stated(sentence: str, figures: Sequence[NumberMention]) -> _Stated | None:
    """The one line item, period and amounts a sentence states, when it states exactly that."""
    plain = CALC_PATTERN.sub(" ", sentence)
    amounts = [f for f in figures if not f.is_percent]
    items = named_items(plain)
    period = Period.of_question(plain)
    if not amounts or len(items) != 1 or asked_metric(plain) is not None or not period.years:
        return None
    asked = items[0].asked.search(plain)
    qualifiers = label_words(plain) - label_words(asked.group(0) if asked else "") - _NEUTRAL
    return _Stated(items[0], period, amounts, qualifiers)


def _cells(stated: _Stated, tables: Sequence[tuple[str, str]], any_period: bool = False) -> list[Cell]:
    """The statement cells printing the item in a column of the period (``any_period``: in any column)."""
    cells = []
    for pid, text in tables:
        for label, column, value in table_cells(text):
            if not stated.item.rows.fullmatch(normalise_label(label)) or not re.search(r"\d", value):
                continue
            years = {int(y) for y in YEAR.findall(column)}
            in_period = years & stated.period.years and stated.period.admits(column)
            if (any_period or in_period) and "%" not in value:
                cells.append((pid, text, label, column, value))
    return cells


def statement_query(
    sentence: str, figures: Sequence[NumberMention], tables: Sequence[tuple[str, str]]
) -> str:
    """A search query for the statement that would check ``sentence`` when ``tables`` hold no cell
    for its line item and period ('' when the sentence is not a plain line-item statement or they do)."""
    stated = _stated(sentence, figures)
    if stated is None or stated.qualifiers or _cells(stated, tables):
        return ""
    years = " ".join(str(y) for y in sorted(stated.period.years))
    return f"{stated.item.name} {years} consolidated statements"


def statement_conflict(
    sentence: str, figures: Sequence[NumberMention], tables: Sequence[tuple[str, str]]
) -> str:
    """A reason when ``sentence`` states a line item for a period with a figure that none of the
    statement cells for that item and period in ``tables`` ((passage id, text) of the same
    company) agrees with; '' when they agree or the check cannot tell."""
    stated = _stated(sentence, figures)
    cells = _cells(stated, tables) if stated is not None else []
    if stated is None or not cells:
        return ""
    # Words beyond the line item ("Americas", "attributable to noncontrolling interests", "per
    # share") that the statement's own row label does not print make it another figure.
    if stated.qualifiers - set().union(*(label_words(c[2]) for c in cells)):
        return ""
    # Agreement with any column of the row is left to the column checks: a fiscal year named
    # differently by the question and the filing must not turn a right figure into a conflict.
    for _pid, text, _label, _column, value in _cells(stated, tables, any_period=True):
        if any(is_grounded(f, [f"{table_header(text)}\n{value}"]) for f in stated.amounts):
            return ""
    pid, text, label, column, value = cells[0]
    unit = _UNIT.search(table_header(text))
    scale = f" ({unit.group(0)})" if unit else ""
    return (
        f"{stated.amounts[0].raw} disagrees with the statement: '{label}', {column} = {value}{scale} "
        f"[{pid}]; state the statement's figure"
    )
