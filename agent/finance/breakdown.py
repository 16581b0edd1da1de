"""The parts of one line item for one period, by our code: "What was the revenue breakdown across
Amazon's service offerings in Q3 2023?", "net sales by segment", "the components of operating
expenses".

The whole is the item's figure for the asked period, picked as for a figure question
(:func:`agent.finance.calculate.calculate`). Its parts are the rows of one table of the same filing,
under one heading, for the same period and unit, whose figures add up to the whole (within the
rounding of the printed digits): a breakdown is read off a table that adds up, never assembled
from rows that merely sit near each other. When several tables add up (products and services on
the income statement, then product lines in a note), the one whose words the question uses wins,
else the finest. Nothing here knows a company or a table's layout.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from agent.finance.calculate import calculate, operand_of
from agent.finance.labels import TOTAL_ROW, stems
from agent.finance.periods import parse_date
from agent.finance.select import Dated
from agent.finance.vocabulary import RESULTS
from agent.schemas import Breakdown, Calculation, Fact, QuestionPlan, Series

MIN_PARTS = 2


def _same_period(a: Fact, b: Fact) -> bool:
    return (a.period.end, a.period.months, a.period.kind) == (b.period.end, b.period.months, b.period.kind)


def _adds_up(rows: Sequence[Fact], whole: Fact) -> bool:
    """The rows' amounts sum to the whole's, within half a unit of each printed figure."""
    total = sum(r.amount for r in rows)
    slack = sum(0.5 * 10**r.scale for r in rows) + 0.5 * 10**whole.scale
    return abs(total - whole.amount) <= slack


def _run_above(whole: Fact, facts: Sequence[Fact]) -> list[Fact] | None:
    """The rows printed right above the whole in its own table, heading and column that add up to
    it, the fewest that do (an income statement's expense lines above its "Operating expenses",
    where one heading holds the whole statement); None when no run of ``MIN_PARTS`` rows or more
    does. A total printed below its parts is how statements are laid out; a run that reaches past
    a subtotal takes the subtotal, not its parts twice."""
    place = _order(whole.id)
    above = sorted(
        (
            f
            for f in facts
            if f.chunk_id == whole.chunk_id
            and f.group == whole.group
            and f.unit == whole.unit
            and f.dimensions == whole.dimensions
            and _same_period(f, whole)
            and _order(f.id) < place
        ),
        key=lambda f: _order(f.id),
    )
    for k in range(MIN_PARTS, len(above) + 1):
        run = above[-k:]
        if len({_row_key(r) for r in run}) == k and _adds_up(run, whole):
            return run
    return None


def _tables(whole: Fact, facts: Sequence[Fact]) -> list[list[Fact]]:
    """Row sets of the whole's filing that add up to it, in print order: the rows of one heading
    of one table, and the run of rows printed right above the whole (:func:`_run_above`)."""
    groups: dict[tuple[str | None, str], list[Fact]] = defaultdict(list)
    for fact in facts:
        if (
            fact.doc_id == whole.doc_id
            and fact.id != whole.id
            and fact.unit == whole.unit
            and _same_period(fact, whole)
            and not TOTAL_ROW.match(fact.label)
        ):
            groups[(fact.chunk_id, fact.group)].append(fact)
    found = []
    for rows in groups.values():
        labels = {r.label.strip().lower() for r in rows}
        if len(labels) >= MIN_PARTS and len(labels) == len(rows) and _adds_up(rows, whole):
            found.append(sorted(rows, key=lambda r: _order(r.id)))
    run = _run_above(whole, facts) if whole.chunk_id else None
    if run is not None and all({r.id for r in run} != {r.id for r in rows} for rows in found):
        found.append(run)
    return found


def _same_table(fact: Fact, whole: Fact) -> bool:
    """Printed in the whole's table: its filing, page, statement and title, in its passage or the
    one before (a statement the chunker split between two passages)."""
    at, here = _number_after(fact.chunk_id or "", "::"), _number_after(whole.chunk_id or "", "::")
    return (
        (fact.doc_id, fact.page, fact.statement, fact.table)
        == (whole.doc_id, whole.page, whole.statement, whole.table)
        and at is not None
        and here is not None
        and 0 <= here - at <= 1
    )


def _lines_above(whole: Fact, facts: Sequence[Fact]) -> list[Fact]:
    """The statement lines printed above a whole that sits under no heading, in its own table
    (:func:`_same_table`) and column: the other rows under no heading and each heading's total
    ("Revenue", "Gross profit", "Total operating expenses", "Operating income", ... above "Net
    income"), each label once. What leads to a statement's result when no rows add up to it
    (expenses printed unsigned); [] for a whole under a heading, or fewer than ``MIN_PARTS``."""
    if whole.group or not whole.chunk_id:
        return []
    place, seen, lines = _order(whole.id), set(), []
    for fact in sorted(facts, key=lambda f: _order(f.id)):
        if (
            _same_table(fact, whole)
            and _order(fact.id) < place
            and fact.unit == whole.unit
            and fact.dimensions == whole.dimensions
            and _same_period(fact, whole)
            and (not fact.group or TOTAL_ROW.match(fact.label))
            and _row_key(fact) not in seen
        ):
            seen.add(_row_key(fact))
            lines.append(fact)
    return lines if len(lines) >= MIN_PARTS else []


def _number_after(text: str, separator: str) -> int | None:
    """The number an id ends with after its last ``separator`` ('<doc>::f12', '<doc>::7')."""
    tail = text.rsplit(separator, 1)[-1]
    return int(tail) if tail.isdigit() else None


def _order(fact_id: str) -> int:
    return _number_after(fact_id, "::f") or 0


def _part(fact: Fact, key: str, name: str) -> Calculation:
    operand = operand_of(fact, key)
    return Calculation(
        name=name,
        expression=operand.printed,
        operands=[operand],
        result=operand.value,
        unit=fact.unit,
        scale=fact.scale,
    )


def calculate_breakdown(
    plan: QuestionPlan, question: str, facts: Sequence[Fact], filings: Mapping[str, Any]
) -> Breakdown | None:
    """The parts of the one line item the plan names, for its one period, from a table that adds
    up to it; None unless the plan asks a breakdown and the facts give one."""
    if not plan.breakdown or len(plan.items) != 1 or plan.metric is not None or len(plan.quarters) > 1:
        return None
    level = plan.model_copy(update={"form": "figure", "explanatory": False, "breakdown": False, "member": ""})
    # The rows the question names ("by products and services") are the parts we list: the whole
    # is the item's own figure.
    whole_calc = calculate(level, question, facts, filings, level=True, whole=True)
    if whole_calc is None or len(whole_calc.operands) != 1:
        return None
    by_id = {f.id: f for f in facts}
    whole = by_id.get(whole_calc.operands[0].fact_id)
    if whole is None:
        return None
    tables = _tables(whole, facts)
    if not tables:
        return _statement_lines(plan, whole, whole_calc, facts)
    asked = stems(question)
    # Words of the question each table's title, heading or rows use ('service offerings': the rows
    # '... services'), then the finer table.
    words = [stems(" ".join(f"{r.table} {r.group} {r.label}" for r in rows)) for rows in tables]
    best = max(range(len(tables)), key=lambda i: (len(words[i] & asked), len(tables[i])))
    rows = tables[best]
    kind = stems(plan.parts)
    if kind and not kind & words[best]:
        return None  # the parts the question names ("service offerings") are in no table that adds up
    return _breakdown(plan, whole, whole_calc, rows)


def _statement_lines(
    plan: QuestionPlan, whole: Fact, whole_calc: Calculation, facts: Sequence[Fact]
) -> Breakdown | None:
    """No table adds up to the whole: the lines its statement prints above it
    (:func:`_lines_above`), for a statement's result (a profit, the operating cash flow:
    :data:`agent.finance.vocabulary.RESULTS`) and a question naming no kind of part ("the main
    contributors to net income"); None for one that names a kind ("by segment") or another item:
    those are parts that add up or none."""
    if plan.parts or plan.items[0] not in RESULTS:
        return None  # an expense total's parts add up to it or are none
    lines = _lines_above(whole, facts)
    if not lines:
        return None
    return _breakdown(plan, whole, whole_calc, lines, adds_up=False)


def _breakdown(
    plan: QuestionPlan, whole: Fact, whole_calc: Calculation, rows: Sequence[Fact], adds_up: bool = True
) -> Breakdown:
    end = parse_date(whole.period.end)
    when = Dated(end, whole.period.months).words() if end else whole_calc.name.rsplit(", ", 1)[-1]
    key = plan.items[0]
    return Breakdown(
        subject=whole.label.strip(" :"),
        period=f"the {when}" if whole.period.months else when,
        whole=whole_calc,
        parts=[_part(r, key, f"{r.label.strip(' :')}, {when}") for r in rows],
        adds_up=adds_up,
    )


def _row_key(fact: Fact) -> str:
    """A row's label for matching across reports: case, spacing and punctuation aside
    ("Marketing, general and administrative" is "Marketing, general, and administrative")."""
    return " ".join(re.sub(r"[^\w\s]", " ", fact.label.lower()).split())


def parts_moved(
    series: Series, key: str, facts: Sequence[Fact], most: int = 2
) -> list[tuple[Calculation, Calculation]]:
    """The parts of a series' line item that moved most from its first period to its last: (first,
    last) level of each, largest change first, at most ``most``. The parts are the rows of one table
    of each period's filing that add up to the item (as :func:`calculate_breakdown` reads them) and
    list the same rows in both; a table that adds up in one period only, or rows renamed between the
    two, give nothing rather than a guess."""
    first, last = series.points[0], series.points[-1]
    if len(first.operands) != 1 or len(last.operands) != 1:
        return []
    by_id = {f.id: f for f in facts}
    whole_before, whole_after = by_id.get(first.operands[0].fact_id), by_id.get(last.operands[0].fact_id)
    if whole_before is None or whole_after is None:
        return []
    # Each period's tables by the rows they list: the one row set both periods print, or none.
    before = {frozenset(map(_row_key, t)): t for t in _tables(whole_before, facts)}
    after = {frozenset(map(_row_key, t)): t for t in _tables(whole_after, facts)}
    shared = before.keys() & after.keys()
    if len(shared) != 1:
        return []  # no table lists the same rows in both periods, or several do (which one?)
    rows = shared.pop()
    rows_before, then = before[rows], {_row_key(r): r for r in after[rows]}
    moved = sorted(rows_before, key=lambda r: -abs(then[_row_key(r)].amount - r.amount))
    start, end = series.periods[0], series.periods[-1]
    return [
        (
            _part(r, key, f"{r.label.strip(' :')}, {start}"),
            _part(then[_row_key(r)], key, f"{r.label.strip(' :')}, {end}"),
        )
        for r in moved[:most]
        if then[_row_key(r)].amount != r.amount
    ]


__all__ = ["calculate_breakdown", "parts_moved"]
