"""Yes/no questions whether a company reported an amount of one line item in one period: "Has it
paid dividends to common shareholders in FY2022?", "Did it repurchase shares in 2021?".

The stored figure answers them: a positive amount of the item in the asked period is a yes, with
the figure cited. Only a yes is stated by our code: a missing or zero figure may be a table we did
not read, so that question stays with the model. A question that asks more than whether there was
an amount (more than, above, a loss, a change, "significant") is no such question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from agent.finance.calculate import calculate
from agent.finance.derived import question_years
from agent.schemas import Fact, Presence, QuestionPlan

_ASKS_WHETHER = re.compile(r"^\W*(?:has|have|had|did|does|do)\b", re.I)
# Words that make it a question about the amount's size, direction or sign, or a judgement.
_MORE_THAN_WHETHER = re.compile(
    r"\b(?:more|less|fewer|than|exceed\w*|above|below|over|under|least|most|greater|higher|lower|"
    r"improv\w*|increas\w*|decreas\w*|los(?:s|ses|t)|deficit|negative|declin\w*|ris(?:e|ing)|grow\w*|"
    r"fall\w*|drop\w*|chang\w*|consistent\w*|reasonabl\w*|healthy|significant\w*|substantial\w*|"
    r"material\w*|enough|sufficient\w*|why|how|stop\w*|ceas\w*|suspend\w*|cut)\b",
    re.I,
)


def calculate_presence(
    plan: QuestionPlan, question: str, facts: Sequence[Fact], filings: Mapping[str, Any]
) -> Presence | None:
    """A yes from the stored figure of the one line item the yes/no question asks about, in its one
    period; None for any other question, or when the figure is missing or not positive."""
    if plan.form != "yes_no" or plan.explanatory or plan.assessment or plan.metric or len(plan.items) != 1:
        return None
    if not _ASKS_WHETHER.search(question) or _MORE_THAN_WHETHER.search(question):
        return None
    years = sorted(set(question_years(question))) or sorted(set(plan.fiscal_years))
    if len(years) != 1:
        return None
    level = calculate(plan, question, facts, filings, years=years, level=True)
    if level is None or level.result <= 0:
        return None
    return Presence(level=level)
