"""Changes between two periods, by our code: yes/no questions about one ("Did net earnings as a
percent of sales increase in Q2 FY2023 compared to Q2 FY2022?", "Does the company have an
improving operating margin as of FY2022?") and comparisons of one figure across two years the
question names ("How did revenue in FY2022 compare with FY2021?").

The level of what the question names (a line item or a textbook metric) is calculated from the
stored facts for the two periods (the two years it names, or the year and the one before), and
the answer is the sign of the change against the direction asked. "Improving" is read as "up"
only for what is better higher (a margin, revenue, income, cash from operations); for anything
else (a cost share, a ratio) the question is left to the model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from agent.finance.calculate import calculate
from agent.finance.derived import METRICS, asked_metric, question_years
from agent.finance.plan import ANALYSIS
from agent.finance.vocabulary import SIGNED
from agent.schemas import Fact, QuestionPlan, Trend

_UP = re.compile(r"\b(?:increas\w*|grow\w*|grew|rise|rising|rose|risen|higher|expand\w*)\b", re.I)
_DOWN = re.compile(
    r"\b(?:decreas\w*|declin\w*|fall|falling|fell|fallen|drop\w*|lower|shrink\w*|shrank)\b", re.I
)
_IMPROVE = re.compile(r"\bimprov\w*\b", re.I)


def _direction(question: str, plan: QuestionPlan) -> str | None:
    up, down = bool(_UP.search(question)), bool(_DOWN.search(question))
    if _IMPROVE.search(question):
        metric = asked_metric(question)
        better_higher = (
            metric.name.endswith("margin")
            if metric is not None and not metric.growth
            else len(plan.items) == 1 and plan.items[0] in SIGNED
        )
        if not better_higher:
            return None
        up = True
    if up == down:
        return None
    return "up" if up else "down"


def _one_subject(question: str, plan: QuestionPlan) -> bool:
    """One metric, or one line item (the items a named metric is defined over count as one)."""
    spans = [(m.start(), m.end()) for metric in METRICS if (m := metric.asked.search(question))]
    # "EBITDA margin" also holds "EBITDA": a match inside another is the same mention.
    apart = [a for a in spans if not any(b != a and b[0] <= a[0] and a[1] <= b[1] for b in spans)]
    if len(apart) > 1:
        return False
    return len(set(plan.items) - set(plan.metric_items)) <= (0 if plan.metric_items else 1)


def calculate_trend(
    plan: QuestionPlan, question: str, facts: Sequence[Fact], filings: Mapping[str, Any]
) -> Trend | None:
    """The change of one figure of one company between two periods, for a yes/no question about it
    (with its answer) or a comparison; None when the question is neither or the facts do not give
    both levels."""
    if plan.form not in ("yes_no", "comparison") or plan.explanatory:
        return None
    asked = _direction(question, plan) if plan.form == "yes_no" else None
    named = sorted(set(question_years(question)))
    years = named or sorted(set(plan.fiscal_years))
    if (asked is None and plan.form == "yes_no") or not years or len(years) > 2:
        return None
    if plan.form == "comparison" and len(named) != 2:
        return None  # a comparison of what with what, if not of two years it names?
    if ANALYSIS.search(re.sub(r"^\W*how\s+(?:did|does|do|has|have)\b", "", question, flags=re.I)):
        return None  # "... and what does it suggest": the levels alone would not answer it
    if not _one_subject(question, plan):
        return None
    first, last = (years[0], years[-1]) if len(years) == 2 else (years[0] - 1, years[0])
    earlier = calculate(plan, question, facts, filings, years=[first], level=True)
    later = calculate(plan, question, facts, filings, years=[last], level=True)
    if earlier is None or later is None or earlier.unit != later.unit:
        return None
    if asked is None:
        return Trend(earlier=earlier, later=later)
    went_up = later.result > earlier.result
    answer = later.result != earlier.result and went_up == (asked == "up")
    return Trend(asked=asked, earlier=earlier, later=later, answer=answer)  # type: ignore[arg-type]
