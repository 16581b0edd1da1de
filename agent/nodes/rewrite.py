"""``rewrite_queries``: new search queries when the critic found the evidence missing.

Deterministic on purpose: a 1.5B model rewriting queries costs ~20 s and mostly paraphrases.
The second look searches differently from the first: with one filer in scope its keywords leave out
the filer's and the form's names (the scope filter applies them; in the query they rank the cover,
contents, statement headers and certifications that print them most), so a note or an MD&A
paragraph about the topic can surface. The line items a metric needs are still searched with the
company and period, since their statements are headed by the filer's name; later rounds also
retrieve deeper.
"""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime

from agent.config import Context
from agent.finance.derived import line_items_needed
from agent.nodes.timing import timed
from agent.retrieval.query import topic_query
from agent.schemas import Scope
from agent.state import State
from agent.text import FUNCTION_WORDS

_STOP = FUNCTION_WORDS | {
    "according",
    "amount",
    "answer",
    "any",
    "based",
    "company's",
    "did",
    "do",
    "does",
    "during",
    "filing",
    "fiscal",
    "give",
    "had",
    "has",
    "have",
    "many",
    "me",
    "much",
    "please",
    "provide",
    "quarter",
    "question",
    "report",
    "reported",
    "show",
    "tell",
    "then",
    "there",
    "total",
    "us",
    "using",
    "value",
    "whom",
    "year",
    "years",
}


def keywords(question: str) -> str:
    words = re.findall(r"[A-Za-z][A-Za-z0-9&.'-]*|\d[\d,.]*%?(?:-[A-Za-z]+)?", question)
    return " ".join(w for w in words if w.lower().strip(".'") not in _STOP)


def rewrite(question: str, scope: Scope | None, round_: int) -> list[str]:
    """Queries for retrieval round ``round_`` (2, 3, ...)."""
    anchor = ""
    if scope is not None:
        company = scope.companies[0] if scope.companies else ""
        years = " ".join(str(y) for y in scope.fiscal_years)
        anchor = f"{company} {years}".strip()
    base = keywords(question)
    topic = topic_query(question, scope)
    # One filer in scope: its topic alone; otherwise the names pick the filers, and stay.
    queries = [keywords(topic) if topic != question else f"{anchor} {base}".strip()]
    items = line_items_needed(question)
    if items:
        # The statement rows the question's metric is computed from, by the names filings print.
        queries.append(f"{anchor} {' '.join(items)}".strip())
    if round_ >= 3:
        queries.append(f"{base} consolidated statements table")
    return [q for q in queries if q]


def make_rewrite():
    @timed("rewrite_queries")
    async def rewrite_queries(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
        round_ = state.retrieval_rounds + 1
        new: list[str] = []
        scopes = dict(state.query_scopes)
        for sub in state.subquestions or [state.standalone_question]:
            sub_scope = state.query_scopes.get(sub, state.scope)
            for q in rewrite(sub, sub_scope, round_):
                if q not in new and q not in state.queries:
                    new.append(q)
                    if sub in state.query_scopes:
                        scopes[q] = state.query_scopes[sub]
        return {"queries": [*state.queries, *new], "query_scopes": scopes, "retrieval_rounds": round_}

    return rewrite_queries
