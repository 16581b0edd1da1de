"""What each line item a question names did in one report, by our code: "What changes in debt and
interest expense were reported in the Q1 2023 10-Q?".

A report states a change the way its own tables print it: the period's figure beside the
comparative column of the same table (the year-earlier quarter for a flow, the last year-end for a
balance). For each item the question names, its figure for the period asked is calculated as a
figure question's (:func:`agent.finance.calculate.calculate`), and the figure the same row of the
same table prints for the comparative period is put beside it, with the change in percent: a
two-point :class:`~agent.schemas.Series`, worded like any series. Every item or none: half the
items would read as the whole answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agent.finance.calculate import calculate, operand_of
from agent.finance.derived import question_years
from agent.finance.series import percent_change, period_words
from agent.finance.vocabulary import ITEMS
from agent.schemas import Calculation, Fact, QuestionPlan, Series


def comparative(fact: Fact, facts: Sequence[Fact]) -> Fact | None:
    """The figure the same row of the same table prints for the latest earlier period of the same
    kind (a balance's earlier date, a flow's earlier period of the same length), or None."""
    if fact.period.end is None or fact.period.kind == "unknown":
        return None

    def same_row(other: Fact) -> bool:
        return (
            other.id != fact.id
            and other.doc_id == fact.doc_id
            and other.chunk_id == fact.chunk_id
            and other.table == fact.table
            and other.label == fact.label
            and other.group == fact.group
            and other.dimensions == fact.dimensions
            and (other.unit, other.scale) == (fact.unit, fact.scale)
            and other.period.kind == fact.period.kind
            and other.period.months == fact.period.months
        )

    earlier = [f for f in facts if same_row(f) and f.period.end and f.period.end < fact.period.end]
    return max(earlier, key=lambda f: f.period.end or "", default=None)


def asks_report_changes(plan: QuestionPlan, question: str) -> bool:
    """Whether the question asks the change of each of the line items it names in one period's
    report: a figure question naming items and a change, one company and one period, no part,
    share, ranking or metric over the items (one item's growth is first the figure question's own,
    :func:`agent.finance.calculate.calculate`)."""
    return (
        plan.form == "figure"
        and bool(plan.items)
        and plan.growth
        and len(plan.companies) == 1
        and len(plan.fiscal_years) == 1
        and len(plan.quarters) <= 1
        and len(set(question_years(question))) <= 1
        and not (plan.over_periods or plan.members or plan.share_of or plan.breakdown or plan.extreme)
    )


def report_change(
    plan: QuestionPlan, question: str, facts: Sequence[Fact], filings: Mapping[str, Any], key: str
) -> Series | None:
    """Line item ``key``'s figure for the plan's period beside its comparative column, with the
    change between them; None when the facts give either figure ambiguously or not at all."""
    one = plan.model_copy(
        update={"items": [key], "form": "figure", "metric": None, "metric_items": [], "explanatory": False}
    )
    later = calculate(one, question, facts, filings, level=True)
    if later is None or len(later.operands) != 1:
        return None
    by_id = {f.id: f for f in facts}
    fact = by_id.get(later.operands[0].fact_id)
    before = comparative(fact, facts) if fact is not None else None
    if fact is None or before is None:
        return None
    operand = operand_of(before, key)
    earlier = Calculation(
        name=f"{ITEMS[key].name}, {before.period.label or before.period.end}",
        expression=operand.printed,
        operands=[operand],
        result=operand.value,
        unit=later.unit,
        scale=later.scale,
        scale_asked=later.scale_asked,
    )
    year, quarter = plan.fiscal_years[0], plan.quarters[0] if plan.quarters else None
    words = [period_words(earlier, by_id, year, quarter), period_words(later, by_id, year, quarter)]
    subject = fact.label.strip(" :") or ITEMS[key].name
    return Series(
        subject=subject[:1].upper() + subject[1:],
        points=[earlier, later],
        periods=words,
        change=percent_change(earlier, later, subject, f"{words[0]} to {words[1]}"),
    )


def calculate_changes(
    plan: QuestionPlan, question: str, facts: Sequence[Fact], filings: Mapping[str, Any]
) -> list[Series] | None:
    """The change of every line item the question names in its one period's report
    (:func:`asks_report_changes`), in the question's order; None unless each has one."""
    if not asks_report_changes(plan, question):
        return None
    found = [report_change(plan, question, facts, filings, key) for key in plan.items]
    changes = [s for s in found if s is not None]
    return changes if len(changes) == len(found) else None


__all__ = ["asks_report_changes", "calculate_changes", "comparative", "report_change"]
