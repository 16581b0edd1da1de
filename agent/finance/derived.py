"""Derived figures a question names (margins, growth, N-year averages, common ratios), written as
CALC expressions over table figures located in the drafting context.

A question such as "3 year average operating margin" or "capital expenditure as a % of revenue"
needs several operands from the right rows and year columns; a small model picks wrong ones. This
module holds textbook definitions of common line items and metrics (nothing fitted to particular
companies or questions), finds each operand's row and year column in the context tables, and offers
the finished ``CALC(...)`` to the drafter. The drafter still decides whether it answers the
question; the critic evaluates the expression and checks every operand like any other, using
:func:`implied_rows` to know which rows a metric's definition draws on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agent.finance.labels import label_words
from agent.finance.tables import SPAN, YEAR, span_name, table_cells
from agent.finance.vocabulary import BALANCES, ITEMS, SIGNED, Item, normalise_label

MAX_DERIVED = 4
# Questions that ask for reasons or a description, not a figure: listing figures there invites the
# model to answer "what drove the increase" with a number.
EXPLANATORY = re.compile(
    r"\b(?:why|what\s+(?:drove|drives|driven|caused|causes|led\s+to|contributed)|drivers?|reasons?|"
    r"explain|describe|factors?)\b",
    re.I,
)


@dataclass(frozen=True)
class Metric:
    """A derived figure: how a question names it and its definition over line items."""

    name: str
    asked: re.Pattern[str]
    formulas: tuple[str, ...]  # alternatives over "{item}" placeholders, the first one found is used
    percent: bool
    growth: bool = False  # the change of the one item between two years, in %

    def items(self) -> set[str]:
        return {k for f in self.formulas for k in re.findall(r"\{(\w+)\}", f)}


def _metric(name: str, asked: str, *formulas: str, percent: bool = True, growth: bool = False) -> Metric:
    return Metric(name, re.compile(asked, re.I), formulas, percent, growth)


_MARGIN = r"(?:\s*%)?\s+(?:profit\s+)?margin"
METRICS: tuple[Metric, ...] = (
    _metric("EBITDA margin", rf"\bebitda{_MARGIN}", "({operating_income} + {d_and_a}) / {revenue} * 100"),
    _metric(
        "gross margin",
        rf"\bgross(?:\s+profit)?{_MARGIN}",
        "{gross_profit} / {revenue} * 100",
        "({revenue} - {cogs}) / {revenue} * 100",
    ),
    _metric(
        "operating margin",
        rf"\b(?:operating(?:\s+(?:income|profit))?|ebit){_MARGIN}",
        "{operating_income} / {revenue} * 100",
    ),
    _metric(
        "net margin", rf"\bnet(?:\s+(?:income|profit|earnings))?{_MARGIN}", "{net_income} / {revenue} * 100"
    ),
    _metric("effective tax rate", r"\beffective\s+tax\s+rate\b", "{income_tax} / {pretax_income} * 100"),
    _metric(
        "current ratio",
        r"\b(?:current|working\s+capital)\s+ratio\b",
        "{current_assets} / {current_liabilities}",
        percent=False,
    ),
    _metric(
        "quick ratio",
        r"\b(?:quick|acid[- ]test)\s+ratio\b",
        "({current_assets} - {inventory}) / {current_liabilities}",
        percent=False,
    ),
    _metric(
        "working capital",
        r"\bworking\s+capital\b",
        "{current_assets} - {current_liabilities}",
        percent=False,
    ),
    _metric(
        "interest coverage",
        r"\binterest\s+coverage\b",
        "{operating_income} / {interest_expense}",
        percent=False,
    ),
    _metric(
        "dividend payout ratio",
        r"\b(?:dividend\s+)?payout\s+ratio\b",
        "{dividends} / {net_income} * 100",
    ),
    # "FCF conversion", "FCF yield" and "FCF margin" are other metrics, with varying conventions.
    _metric(
        "free cash flow",
        r"\b(?:free\s+cash\s*flows?|fcf)\b(?!\s+(?:conversion|yield|margin|per\b))",
        "{cfo} - {capex}",
        percent=False,
    ),
    _metric(
        "retention ratio",
        r"\b(?:retention|plowback|earnings\s+retention)\s+ratio\b",
        "({net_income} - {dividends}) / {net_income}",
        percent=False,
    ),
    _metric("EBITDA", r"\bebitda\b", "{operating_income} + {d_and_a}", percent=False),
)
# "D&A % margin", "R&D margin": any other line item's margin is its share of revenue.
_ITEM_MARGIN = re.compile(rf"{_MARGIN}\b", re.I)
_MARGIN_REACH = 60  # characters before "margin" where the item is named ("D&A (from the cash flow) %")
# "capital expenditure as a % of revenue", "COGS to revenue", "D&A as a percentage of sales".
_OF_REVENUE = re.compile(
    r"(?:as\s+a\s+)?(?:%|percent(?:age)?)\s+of\s+(?:total\s+|net\s+)*(?:revenues?|sales)"
    r"|\bto\s+(?:total\s+|net\s+)*(?:revenues?|sales)\b",
    re.I,
)
_GROWTH = re.compile(
    r"\b(?:growth|grow|grew|change[sd]?|increase[sd]?|decrease[sd]?|decline[sd]?|yoy|year[- ]over[- ]year)\b",
    re.I,
)
AVERAGE = re.compile(r"\b(?:(\d|two|three|four|five)[\s-]+years?\s+)?average\b", re.I)
_COUNT = {"two": 2, "three": 3, "four": 4, "five": 5}
_FY = re.compile(r"\b(?:fy|fiscal(?:\s+year)?)\s?'?(\d{4}|\d{2})\b|\b((?:19|20)\d\d)\b", re.I)


@dataclass(frozen=True)
class Operand:
    item: str
    year: int
    label: str
    figure: str
    alias: int

    @property
    def number(self) -> str:
        """The figure as a CALC operand. Parentheses make a result negative ("Operating income
        (265)" is a loss); outflows and expenses keep their size whatever the sign convention of
        the statement ("Purchases of property and equipment (1,577)" is spent, not negative spend)."""
        digits = re.sub(r"[^\d.,]", "", self.figure).strip(".,")
        negative = "(" in self.figure or re.search(r"(?<![\w])-\s?\d", self.figure)
        return f"-{digits}" if digits and negative and self.item in SIGNED else digits


# Group headings that only say which part of a statement a row sits in; any other heading names a
# segment or a geography ("North America: Net sales"), whose rows are not the company's totals.


def question_years(question: str) -> list[int]:
    years = []
    for m in _FY.finditer(question):
        y = m.group(1) or m.group(2)
        years.append(int(y) if len(y) == 4 else 2000 + int(y))
    return sorted(set(years))


def _annual(column: str, item: str | None = None) -> bool:
    """A column of a whole year (or a date); for a balance item, a date only."""
    span = SPAN.search(column)
    if span is not None and item in BALANCES:
        return False
    return span is None or span_name(span) in ("year ended", "twelve months ended")


Passages = Sequence[tuple[int, Any]]  # (alias number, Chunk) in context order


def locate(item: Item, year: int, passages: Passages) -> Operand | None:
    """The first figure (context order) on a row printing ``item`` in a column of ``year``; a row
    that includes non-controlling interests only when no other row prints the item."""
    found: list[Operand] = []
    for i, scored in passages:
        chunk: Any = getattr(scored, "chunk", scored)
        for label, column, figure in table_cells(chunk.text):
            if not re.search(r"\d", figure) or "%" in figure or not _annual(column, item.key):
                continue
            if year in {int(y) for y in YEAR.findall(column)} and item.rows.fullmatch(normalise_label(label)):
                found.append(Operand(item.key, year, label, figure, i))
    return next(
        (o for o in found if not re.search(r"non-?controlling", o.label, re.I)), found[0] if found else None
    )


def _fill(formula: str, year: int, passages: Passages) -> tuple[str, list[Operand]] | None:
    operands: list[Operand] = []
    for key in dict.fromkeys(re.findall(r"\{(\w+)\}", formula)):
        found = locate(ITEMS[key], year, passages)
        if found is None or not found.number:
            return None
        operands.append(found)
    values = {o.item: o.number for o in operands}
    return formula.format(**values), operands


def _per_year(metric: Metric, year: int, passages: Passages) -> tuple[str, list[Operand]] | None:
    for formula in metric.formulas:
        filled = _fill(formula, year, passages)
        if filled:
            return filled
    return None


# Metrics whose definitions vary (average balances, 360 or 365 days, ...): better no candidate
# than one built on a convention the question did not ask for.
_UNSUPPORTED = re.compile(
    r"\b(?:days\s+\w+\s+outstanding|dpo|dso|dio|turnover|return\s+on|roa|roe|roic|per\s+share|eps)\b", re.I
)


def asked_metric(text: str) -> Metric | None:
    """The derived figure a question (or an answer sentence) names, if any."""
    if _UNSUPPORTED.search(text):
        return None
    for metric in METRICS:
        if metric.asked.search(text):
            return metric
    of_revenue = _OF_REVENUE.search(text)
    if of_revenue:
        before = text[: of_revenue.start()]
        named = [i for i in ITEMS.values() if i.key != "revenue" and i.asked.search(before)]
        if named:
            item = max(named, key=lambda i: i.asked.search(before).start())  # type: ignore[union-attr]
            return _metric(f"{item.name} as % of revenue", "", f"{{{item.key}}} / {{revenue}} * 100")
    margin = _ITEM_MARGIN.search(text)
    if margin:
        before = text[max(0, margin.start() - _MARGIN_REACH) : margin.start()]
        named = [i for i in ITEMS.values() if i.key != "revenue" and i.asked.search(before)]
        if named:
            item = max(named, key=lambda i: i.asked.search(before).end())  # type: ignore[union-attr]
            return _metric(f"{item.name} margin", "", f"{{{item.key}}} / {{revenue}} * 100")
    if _GROWTH.search(text):
        named = [i for i in ITEMS.values() if i.asked.search(text)]
        if named:
            item = min(named, key=lambda i: i.asked.search(text).start())  # type: ignore[union-attr]
            return _metric(f"{item.name} growth", "", f"{{{item.key}}}", growth=True)
    return None


def named_items(text: str) -> list[Item]:
    """The line items a text names ("capital expenditures", "cost of sales"), in order of mention."""
    spans = [(m.start(), m.end(), item) for item in ITEMS.values() if (m := item.asked.search(text))]
    kept: list[tuple[int, int, Item]] = []
    for start, end, item in sorted(spans, key=lambda s: s[0] - s[1]):  # longest first
        if all(end <= s or start >= e for s, e, _i in kept):  # "sales" inside "cost of sales"
            kept.append((start, end, item))
    return [item for _s, _e, item in sorted(kept, key=lambda k: k[0])]


def implied_rows(sentence: str, operands: bool = True) -> list[re.Pattern[str]]:
    """Row patterns a sentence refers to without naming the row: for the operands of its CALC, the
    rows the metric it names is defined over (an operating margin's revenue is on the "Net sales"
    row); otherwise, or for figures it copies (``operands=False``: a margin is never the revenue
    figure itself), the printed names of the line items it names ("capital expenditures" on
    "Purchases of property and equipment")."""
    metric = asked_metric(sentence) if operands else None
    if metric:
        return [ITEMS[k].rows for k in sorted(metric.items())]
    return [item.rows for item in named_items(sentence)]


def _growth(metric: Metric, years: list[int], passages: Passages) -> tuple[str, list[Operand]] | None:
    key = next(iter(metric.items()))
    first, last = (years[0], years[-1]) if len(years) >= 2 else (years[0] - 1, years[0])
    a, b = locate(ITEMS[key], first, passages), locate(ITEMS[key], last, passages)
    if a is None or b is None or not a.number or not b.number:
        return None
    return f"({b.number} - {a.number}) / {a.number} * 100", [a, b]


def average_span(question: str, years: list[int]) -> list[int]:
    """The years an average runs over: "FY2019 - FY2021" or "3 year average ... FY2021"."""
    m = AVERAGE.search(question)
    count = m.group(1) if m else None
    n = int(_COUNT.get(count.lower(), count)) if count else 0
    if len(years) >= 2:
        return list(range(years[0], years[-1] + 1))
    return list(range(years[0] - n + 1, years[0] + 1)) if n else years


def _line_items(question: str, years: list[int], passages: Passages) -> list[str]:
    """'[c3] capital expenditure (Purchases of property and equipment), 2018 = (1,577)' for the
    line items a question names by a common name the filing may not print."""
    lines = []
    asked = label_words(question)
    for item in named_items(question)[:2]:
        for year in years:
            found = locate(item, year, passages)
            # Rows the question names in the filing's own words are the figure matcher's job.
            if found and not label_words(found.label) & asked:
                lines.append(f"[c{found.alias}] {item.name} ({found.label}), {year} = {found.figure}")
    return lines


def derived_figures(
    question: str, chunks: Sequence[Any], companies: Sequence[str] = (), limit: int = MAX_DERIVED
) -> list[str]:
    """'[c2][c5] operating margin, 2019-2021 average = CALC(...)% (from ...)' lines for the
    derived figure the question names, when every operand is found in the context tables.

    ``chunks`` is the drafting context in alias order; with ``companies``, only their passages
    supply operands (the others keep their alias numbers)."""
    metric = asked_metric(question)
    years = question_years(question)
    if not years:
        return []
    passages = [
        (alias, chunk)
        for alias, chunk in enumerate((getattr(c, "chunk", c) for c in chunks), start=1)
        if not companies or chunk.metadata.company in companies
    ]
    if metric is None:
        return _line_items(question, years, passages)[:limit]
    rows: list[tuple[str, list[Operand]]]
    per_year = False
    if metric.growth:
        found = _growth(metric, years, passages)
        rows = [found] if found else []
        label = f"{metric.name}, {found[1][0].year} to {found[1][1].year}" if found else ""
    elif AVERAGE.search(question):
        span = average_span(question, years)
        parts = [p for y in span if (p := _per_year(metric, y, passages))]
        if len(span) < 2 or len(parts) < len(span):
            return []
        expression = f"({' + '.join(e for e, _ops in parts)}) / {len(parts)}"
        rows = [(expression, [o for _e, ops in parts for o in ops])]
        label = f"{metric.name}, {span[0]}-{span[-1]} average"
    else:
        rows = [r for y in years if (r := _per_year(metric, y, passages))]
        label, per_year = metric.name, True
    lines = []
    unit = "%" if metric.percent else ""
    for expression, operands in rows[:limit]:
        aliases = "".join(f"[c{a}]" for a in dict.fromkeys(o.alias for o in operands))
        period = f", {operands[0].year}" if per_year else ""
        sources = "; ".join(f"{o.label} {o.year} = {o.figure} [c{o.alias}]" for o in operands)
        lines.append(f"{aliases} {label}{period} = CALC({expression}){unit} (from {sources})")
    return lines


def _needed(question: str) -> tuple[Metric | None, list[Item]]:
    metric = asked_metric(question)
    return metric, [ITEMS[k] for k in sorted(metric.items())] if metric else named_items(question)


def line_items_needed(question: str) -> list[str]:
    """Names of the line items the question's metric (or the question itself) needs."""
    return [item.name for item in _needed(question)[1]]


def statement_items(question: str, chunk: Any) -> set[str]:
    """The line items (keys) the question's metric (or the question itself) needs that a passage
    prints in an annual column of an asked year (any year when none is asked): none for prose."""
    metric, items = _needed(question)
    if not items:
        return set()
    years = set(question_years(question))
    if years and metric is not None and AVERAGE.search(question):
        years = set(average_span(question, sorted(years)))
    cells = [
        (normalise_label(label), column)
        for label, column, figure in table_cells(getattr(chunk, "chunk", chunk).text)
        if re.search(r"\d", figure)
    ]
    return {
        item.key
        for item in items
        if any(
            item.rows.fullmatch(label)
            and _annual(column, item.key)
            and (not years or years & {int(y) for y in YEAR.findall(column)})
            for label, column in cells
        )
    }
