"""Yes/no questions about a change, decided by our code: "Did net earnings as a percent of sales
increase in Q2 FY2023 compared to Q2 FY2022?", "Does the company have an improving operating
margin as of FY2022?".

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
from agent.finance.derived import asked_metric, question_years
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


def calculate_trend(
    plan: QuestionPlan, question: str, facts: Sequence[Fact], filings: Mapping[str, Any]
) -> Trend | None:
    """The answer to a yes/no question about the change of one figure of one company between two
    periods, or None when the question is not one or the facts do not give both levels."""
    if plan.form != "yes_no" or plan.explanatory:
        return None
    asked = _direction(question, plan)
    years = sorted(set(question_years(question) or plan.fiscal_years))
    if asked is None or not years or len(years) > 2:
        return None
    first, last = (years[0], years[-1]) if len(years) == 2 else (years[0] - 1, years[0])
    earlier = calculate(plan, question, facts, filings, years=[first], level=True)
    later = calculate(plan, question, facts, filings, years=[last], level=True)
    if earlier is None or later is None or earlier.unit != later.unit:
        return None
    went_up = later.result > earlier.result
    if later.result == earlier.result:
        return Trend(asked=asked, earlier=earlier, later=later, answer=False)  # type: ignore[arg-type]
    return Trend(asked=asked, earlier=earlier, later=later, answer=went_up == (asked == "up"))  # type: ignore[arg-type]
