"""The heavy objects a research run needs (index, chat models, reranker), built lazily.

They never live in graph state (not serialisable, not per-run) and are never built at import time.
``build_research_graph(resources=...)`` binds one ``Resources`` to the nodes; tests pass a subclass
with fakes. One instance is cached per Settings so a process loads each model once.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from langchain_core.language_models import BaseChatModel

from agent.config import Context, Settings
from agent.schemas import Scope, ScoredChunk


class Resources:
    """Lazily built index, retriever, reranker and chat models for one Settings."""

    def __init__(self, settings: Settings | None = None, index: Any = None) -> None:
        """``index``: an already open FilingIndex (e.g. with its own embedder) instead of one
        opened from ``settings`` on first use."""
        self.settings = settings or Settings()
        self._lock = threading.RLock()
        self._chat: dict[str, BaseChatModel] = {}
        self._index: Any = index
        self._rerankers: dict[str, Any] = {}

    # --- models ----------------------------------------------------------------------
    def chat_model(self, spec: str) -> BaseChatModel:
        """The chat model for a model string (one instance per string, so caches are shared)."""
        with self._lock:
            if spec not in self._chat:
                from agent.models import make_chat_model

                self._chat[spec] = make_chat_model(spec, self.settings)
            return self._chat[spec]

    # --- index -----------------------------------------------------------------------
    def index(self) -> Any:
        with self._lock:
            if self._index is None:
                from agent.retrieval.index import FilingIndex

                # The index loads its own embedder (settings.embeddings_model) on first dense search.
                self._index = FilingIndex.open(self.settings)
            return self._index

    def warm(self) -> None:
        """Open the index and load its embedding model now, so the first question's scope and
        retrieval do not pay for them (a server calls this in the background at start). Without an
        index nothing is opened or created."""
        if not (self.settings.index_dir / "manifest.sqlite").is_file():
            return
        self.documents()
        _ = self.index().embeddings

    def documents(self) -> list[Any]:
        """Records of the ingested filings (company, form, period)."""
        return list(self.index().documents())

    def reranker(self, spec: str) -> Any:
        with self._lock:
            if spec not in self._rerankers:
                from agent.retrieval.rerankers import make_reranker

                # Reranking follows a search, so the index is open already (index-rescore reads it).
                self._rerankers[spec] = make_reranker(spec, self.settings, index=self.index())
            return self._rerankers[spec]

    def doc_chunks(self, doc_id: str) -> list[Any]:
        """A filing's chunks in print order ([] for an index that cannot list them)."""
        read = getattr(self.index(), "doc_chunks", None)
        return list(read(doc_id)) if read is not None else []

    def facts_of_chunks(self, chunk_ids: list[str]) -> list[Any]:
        """Typed facts printed by these chunks (their documents' facts, kept to the chunks); an
        index without a fact store (an older one, a test double) has none."""
        index = self.index()
        doc_ids = sorted({cid.rsplit("::", 1)[0] for cid in chunk_ids})
        read = getattr(index, "facts", None)
        if read is None or not doc_ids:
            return []
        wanted = set(chunk_ids)
        return [f for f in read(doc_ids) if f.chunk_id in wanted]

    def calculate(self, plan: Any, question: str) -> Any:
        """The figure question's answer (a Calculation), a yes/no question's change (a Trend), one
        figure over every scoped period (a Series; one per part or item the question lists), each
        named item's change in one report (a two-point Series each) or one item's parts (a
        Breakdown), computed from the stored facts of every filing of the plan's company (a later
        report's comparatives included), or None (:mod:`agent.finance.calculate`, ``trend``,
        ``series``, ``changes``, ``breakdown``)."""
        from agent.finance.breakdown import calculate_breakdown
        from agent.finance.calculate import calculate
        from agent.finance.changes import asks_report_changes, calculate_changes
        from agent.finance.presence import calculate_presence
        from agent.finance.series import calculate_item_series, calculate_member_series, calculate_series
        from agent.finance.trend import calculate_trend

        if plan is None or not plan.companies:
            return None
        if plan.form not in ("figure", "yes_no", "comparison") and not (plan.over_periods or plan.breakdown):
            return None
        stored = self._company_facts(plan)
        if stored is None:
            return None
        facts, filings = stored
        if plan.breakdown:
            # The parts of the item, or nothing: never the whole in place of its breakdown.
            return calculate_breakdown(plan, question, facts, filings)
        if plan.over_periods and len(plan.members) > 1:
            # One series per part the question lists, or nothing.
            return calculate_member_series(plan, question, facts, filings)
        if (
            plan.over_periods
            and len(plan.items) > 1
            and (items := calculate_item_series(plan, question, facts, filings))
        ):
            return items  # one series per item the question names
        changes = asks_report_changes(plan, question)
        if changes and len(plan.items) > 1:
            # Each item's change in the one report asked ("changes in debt and interest expense"), or
            # nothing: never one item's in place of all.
            return calculate_changes(plan, question, facts, filings)
        series = calculate_series(plan, question, facts, filings) if plan.over_periods else None
        if series is not None or plan.form not in ("figure", "yes_no", "comparison"):
            return series
        if plan.form in ("yes_no", "comparison"):
            return calculate_trend(plan, question, facts, filings) or calculate_presence(
                plan, question, facts, filings
            )
        found = calculate(plan, question, facts, filings)
        if found is None and changes:
            # A balance's change in a quarter's report: against the year-end its balance sheet prints.
            return calculate_changes(plan, question, facts, filings)
        return found

    def parts_moved(self, plan: Any, series: Any) -> list[Any]:
        """The rows adding up to a series' one line item that moved most from its first period to
        its last ((first, last) Calculation pairs, :func:`agent.finance.breakdown.parts_moved`);
        [] for a part or several items, or when no table says (a ratio's levels have two operands)."""
        from agent.finance.breakdown import parts_moved

        if plan is None or len(plan.items) != 1 or plan.members:
            return []
        stored = self._company_facts(plan)
        return parts_moved(series, plan.items[0], stored[0]) if stored else []

    def levels(self, plan: Any, question: str) -> list[Any] | None:
        """The figure of each line item the plan names, in its one period (a Calculation each), for a
        question that asks for them among other things ("what was R&D in Q1 2023, and which
        initiatives ..."); None unless the stored facts give every one of them."""
        from agent.finance.calculate import calculate

        if plan is None or len(plan.companies) != 1 or not plan.items or len(plan.quarters) > 1:
            return None
        stored = self._company_facts(plan)
        if stored is None:
            return None
        facts, filings = stored
        found = []
        for item in plan.items:
            one = plan.model_copy(
                # The level alone: why it changed is the rest of the question, not this figure's.
                update={
                    "items": [item],
                    "form": "figure",
                    "metric": None,
                    "metric_items": [],
                    "explanatory": False,
                }
            )
            calc = calculate(one, question, facts, filings, level=True)
            if calc is None:
                return None  # every item or none: half the figures would read as the whole answer
            found.append(calc)
        return found

    def company_facts(self, plan: Any) -> list[Any]:
        """The stored facts of the plan's companies (none without an index)."""
        stored = self._company_facts(plan)
        return stored[0] if stored else []

    def _company_facts(self, plan: Any) -> tuple[list[Any], dict[str, Any]] | None:
        """(stored facts, filings by doc id) of the plan's companies, with the rows standing in for
        an expense item they print no row for (:mod:`agent.finance.stand_in`); None with no index
        or facts."""
        if self._index is None and not (self.settings.index_dir / "manifest.sqlite").is_file():
            return None  # no index: nothing to open, nothing created
        filings = {d.doc_id: d for d in self.documents() if d.company in plan.companies}
        read = getattr(self.index(), "facts", None)
        if read is None or not filings:
            return None
        from agent.finance.stand_in import with_stand_ins

        # An expense item the filer prints no row for: the row its filing says includes it (never
        # read from a passage flagged as carrying instructions).
        facts = with_stand_ins(
            [*plan.items, *plan.metric_items],
            list(read(sorted(filings))),
            lambda doc_id: ((c.id, c.text) for c in self.doc_chunks(doc_id) if not c.metadata.flagged),
        )
        return facts, filings

    def get_chunks(self, ids: list[str]) -> list[Any]:
        """Committed chunks by id (unknown ids left out)."""
        return list(self.index().get_chunks(ids))

    # --- the three retrieval steps the graph calls -----------------------------------
    def resolve_scope(self, question: str, previous: Scope | None, llm: Any | None = None) -> Scope:
        from agent.retrieval.scope import resolve_scope

        return resolve_scope(question, self.documents(), previous=previous, llm=llm)

    def search(self, query: str, scope: Scope, k: int, context: Context) -> list[ScoredChunk]:
        """Hybrid (dense + BM25, fused) candidates inside the scope; fails closed on no_match."""
        from agent.retrieval.hybrid import HybridRetriever

        retriever = HybridRetriever(self.index(), context, None)
        return list(retriever.search(query, scope, k))

    def rerank(
        self,
        query: str,
        chunks: list[ScoredChunk],
        top_n: int,
        context: Context,
        scope: Scope | None = None,
    ) -> list[ScoredChunk]:
        """The reranker's order (it also reads the query's topic inside ``scope``), statement
        passages a metric question needs first: ``HybridRetriever.rerank`` with this process's
        cached reranker."""
        from agent.retrieval.hybrid import HybridRetriever

        if not chunks:
            return []
        if context.reranker_model in ("", "none"):
            reranker, chunks = None, sorted(chunks, key=lambda c: c.score, reverse=True)
        else:
            reranker = self.reranker(context.reranker_model)
        return HybridRetriever(self.index(), context, reranker).rerank(query, chunks, top_n, scope)


@lru_cache(maxsize=4)
def _cached(settings_json: str) -> Resources:
    return Resources(Settings.model_validate_json(settings_json))


def resources_for(settings: Settings | None = None) -> Resources:
    """The process-wide Resources for these settings (built on first use, never at import)."""
    settings = settings or Settings()
    return _cached(settings.model_dump_json())
