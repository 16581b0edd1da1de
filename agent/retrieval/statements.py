"""Statement passages first for questions about line items and metrics.

"3 year average operating margin" is answered by the income statement, but the statement's rows
("Operating income 1,854 1,375 1,450") share few words with the question, so dense and BM25 rank
MD&A prose about margins above it. After reranking, the passages whose tables print the most of
the line items the question's metric is defined over (see ``agent.finance.derived``) in an asked
year move to the front, at most ``MAX_PROMOTED`` of them; every other passage keeps its order.
Questions that name no line item or metric, or ask for reasons, are left untouched.
"""

from __future__ import annotations

from agent.finance.derived import EXPLANATORY, statement_coverage
from agent.schemas import ScoredChunk

MAX_PROMOTED = 2


def promote_statements(
    question: str, ranked: list[ScoredChunk], top_n: int, max_promoted: int = MAX_PROMOTED
) -> list[ScoredChunk]:
    """``ranked`` cut to ``top_n``, with the best-covering statement passages moved to the front."""
    if EXPLANATORY.search(question):
        return ranked[:top_n]  # "what drove the increase": the reasons are in prose
    coverage = {c.id: statement_coverage(question, c) for c in ranked}
    best = max(coverage.values(), default=0)
    if best == 0:
        return ranked[:top_n]
    promoted = sorted((c for c in ranked if coverage[c.id] > 0), key=lambda c: -coverage[c.id])[:max_promoted]
    ids = {c.id for c in promoted}
    return (promoted + [c for c in ranked if c.id not in ids])[:top_n]
