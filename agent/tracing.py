"""Tracing: LangSmith node runs with useful metadata, and a local SQLite trace sink.

* **LangSmith.** With the standard variables (``LANGSMITH_TRACING=true``, ``LANGSMITH_API_KEY``,
  ``LANGSMITH_PROJECT``, ``LANGSMITH_ENDPOINT``) LangGraph's own integration sends one run per node.
  Nodes enrich their run with :func:`annotate` (sub-questions, chunk ids and scores, verdicts...).
* **Local sink.** :class:`LocalTraceHandler` is a LangChain callback handler that records each
  graph run and its node spans (wall time, LLM calls, tokens, a short summary of the node's update,
  the annotations) in SQLite at ``settings.traces_path``. :func:`run_config` adds it to a run's config
  when ``settings.trace_local`` is on; ``filings trace list|show`` read it back with :class:`TraceStore`.

Nodes call ``annotate(...)`` unconditionally: with neither sink active it does nothing.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from agent.trace_store import RunRecord, SpanRecord, TraceStore, summarise_value


@dataclass
class _Open:
    span: SpanRecord
    t0: float


def _tokens_of(response: LLMResult) -> tuple[int, int]:
    """Prompt/completion tokens of one LLM call, from usage metadata or the provider's llm_output."""
    prompt = completion = 0
    for gens in response.generations:
        for gen in gens:
            usage = getattr(getattr(gen, "message", None), "usage_metadata", None) or {}
            prompt += int(usage.get("input_tokens", 0) or 0)
            completion += int(usage.get("output_tokens", 0) or 0)
    if not (prompt or completion) and response.llm_output:
        usage = response.llm_output.get("token_usage") or response.llm_output.get("usage") or {}
        prompt = int(usage.get("prompt_tokens", 0) or 0)
        completion = int(usage.get("completion_tokens", 0) or 0)
    return prompt, completion


class LocalTraceHandler(BaseCallbackHandler):
    """Callback handler that writes graph runs and node spans to a :class:`TraceStore`.

    The outermost chain run is the graph run; a chain run whose ``langgraph_node`` metadata names
    itself is a node span; anything nested (LLM calls, parsers) is charged to its node.
    """

    # Inline: the node's own task must see its span before the node body runs (for annotate()).
    run_inline = True
    raise_error = False

    def __init__(self, store: TraceStore, *, question_key: str = "question") -> None:
        self.store = store
        self.question_key = question_key
        self._lock = threading.Lock()
        self._root: dict[str, float] = {}  # root run id -> perf_counter start
        self._owner: dict[str, str] = {}  # any run id -> root run id
        self._span_of: dict[str, str] = {}  # any run id -> node span id
        self._open: dict[str, _Open] = {}
        self._seq: dict[str, int] = {}

    # -- helpers ------------------------------------------------------------------------
    def _root_of(self, run_id: UUID, parent_run_id: UUID | None) -> str | None:
        if parent_run_id is None:
            return None
        return self._owner.get(str(parent_run_id))

    def annotate(self, run_id: UUID | str, metadata: Mapping[str, Any]) -> bool:
        """Merge metadata into the node span that ``run_id`` belongs to; False if it is not ours."""
        with self._lock:
            span_id = self._span_of.get(str(run_id))
            opened = self._open.get(span_id) if span_id else None
            if opened is None:
                return False
            opened.span.metadata.update(metadata)
            return True

    # -- chains (graph and nodes) ----------------------------------------------------------
    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        rid = str(run_id)
        name = kwargs.get("name") or (serialized or {}).get("name") or "run"
        metadata = metadata or {}
        with self._lock:
            root = self._root_of(run_id, parent_run_id)
            if root is None:
                self._root[rid] = time.perf_counter()
                self._owner[rid] = rid
                self._seq[rid] = 0
                question = inputs.get(self.question_key) if isinstance(inputs, Mapping) else None
                run_meta = {
                    k: v for k, v in metadata.items() if not k.startswith(("langgraph_", "checkpoint_"))
                }
                start_root = (rid, str(name), None if question is None else str(question), run_meta)
            else:
                start_root = None
                self._owner[rid] = root
                parent_span = self._span_of.get(str(parent_run_id))
                if metadata.get("langgraph_node") == name and (
                    parent_span is None or parent_run_id == UUID(root)
                ):
                    self._seq[root] += 1
                    span = SpanRecord(
                        span_id=rid, run_id=root, seq=self._seq[root], node=str(name), started_at=time.time(),
                        seconds=None, status="running", llm_calls=0, prompt_tokens=0, completion_tokens=0,
                        summary="",
                    )  # fmt: skip
                    self._open[rid] = _Open(span, time.perf_counter())
                    self._span_of[rid] = rid
                elif parent_span is not None:
                    self._span_of[rid] = parent_span
        if start_root is not None:
            self.store.start_run(*start_root)

    def _close_span(self, run_id: UUID, outputs: Any, error: BaseException | None) -> SpanRecord | None:
        with self._lock:
            opened = self._open.pop(str(run_id), None)
        if opened is None:
            return None
        span = opened.span
        span.seconds = round(time.perf_counter() - opened.t0, 4)
        span.status = "error" if error is not None else "ok"
        span.error = f"{type(error).__name__}: {error}"[:500] if error is not None else None
        span.summary = summarise_value(outputs) if outputs is not None else ""
        # Annotations a node made explicitly win over what is derived from its update.
        span.metadata = {**_jsonable(node_metadata(outputs)), **span.metadata}
        self.store.write_span(span)
        return span

    def _close_root(self, run_id: UUID, outputs: Any, error: BaseException | None) -> None:
        rid = str(run_id)
        with self._lock:
            t0 = self._root.pop(rid, None)
            if t0 is None:
                return
            for k in [k for k, v in self._owner.items() if v == rid]:
                self._owner.pop(k, None)
                self._span_of.pop(k, None)
            self._seq.pop(rid, None)
        stop_reason = None
        answer = outputs.get("answer") if isinstance(outputs, Mapping) else None
        if answer is not None:
            stop_reason = getattr(answer, "stop_reason", None) or (
                answer.get("stop_reason") if isinstance(answer, Mapping) else None
            )
        if stop_reason is None and isinstance(outputs, Mapping):
            stop_reason = outputs.get("stop_reason")
        # GraphInterrupt / cancellation end the run without an error of ours: still record it.
        status = (
            "ok" if error is None else ("interrupted" if "Interrupt" in type(error).__name__ else "error")
        )
        self.store.end_run(rid, round(time.perf_counter() - t0, 4), status, stop_reason)

    def on_chain_end(
        self, outputs: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kw: Any
    ) -> None:
        self._close_span(run_id, outputs, None)
        self._close_root(run_id, outputs, None)

    def on_chain_error(
        self, error: BaseException, *, run_id: UUID, parent_run_id: UUID | None = None, **kw: Any
    ) -> None:
        self._close_span(run_id, None, error)
        self._close_root(run_id, None, error)

    # -- LLM calls, charged to the enclosing node --------------------------------------------
    def _register_child(self, run_id: UUID, parent_run_id: UUID | None) -> None:
        with self._lock:
            if parent_run_id is None:
                return
            parent = str(parent_run_id)
            if parent in self._owner:
                self._owner[str(run_id)] = self._owner[parent]
            if parent in self._span_of:
                self._span_of[str(run_id)] = self._span_of[parent]

    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kw: Any) -> None:  # fmt: skip
        self._register_child(run_id, parent_run_id)

    def on_llm_start(self, serialized: Any, prompts: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kw: Any) -> None:  # fmt: skip
        self._register_child(run_id, parent_run_id)

    def on_llm_end(
        self, response: LLMResult, *, run_id: UUID, parent_run_id: UUID | None = None, **kw: Any
    ) -> None:
        prompt, completion = _tokens_of(response)
        with self._lock:
            span_id = self._span_of.pop(str(run_id), None)
            self._owner.pop(str(run_id), None)
            opened = self._open.get(span_id) if span_id else None
            if opened is not None:
                opened.span.llm_calls += 1
                opened.span.prompt_tokens += prompt
                opened.span.completion_tokens += completion


# -- metadata derived from node updates ----------------------------------------------------------
MAX_IDS = 20


def node_metadata(update: Any) -> dict[str, Any]:
    """Useful trace metadata read off a research-graph node's partial update.

    Sub-questions, chunk ids and scores (retrieved and reranked), critic verdicts, route, stop
    reason and fallbacks. The local sink applies it to every span by itself; a node (or the
    ``timed`` wrapper) can send it to LangSmith with ``annotate(**node_metadata(update))``.
    """
    if not isinstance(update, Mapping):
        return {}
    out: dict[str, Any] = {}

    def chunks(key: str, value: Any) -> None:
        items = [c for c in value if hasattr(c, "id") and hasattr(c, "score")][:MAX_IDS]
        if items:
            out[f"{key}_ids"] = [c.id for c in items]
            out[f"{key}_scores"] = [round(float(c.score), 4) for c in items]

    if update.get("subquestions"):
        out["sub_questions"] = list(update["subquestions"])
    if isinstance(update.get("retrieved"), list):
        chunks("retrieved_chunk", update["retrieved"])
    if isinstance(update.get("context"), list):
        chunks("context_chunk", update["context"])
    critique = update.get("critique")
    if critique is not None and hasattr(critique, "claims"):
        out["critic_verdicts"] = [c.verdict for c in critique.claims]
        out["faithfulness"] = critique.faithfulness
        out["evidence_missing"] = critique.evidence_missing
    if isinstance(update.get("route"), str) and update["route"]:
        out["route"] = update["route"]
    scope = update.get("scope")
    if scope is not None and hasattr(scope, "status"):
        out["scope_status"] = scope.status
        out["scope_doc_ids"] = list(scope.doc_ids)[:MAX_IDS]
    answer = update.get("answer")
    if answer is not None and hasattr(answer, "stop_reason"):
        out["stop_reason"] = answer.stop_reason
        out["revisions"] = answer.revisions
        out["citations"] = len(answer.citations)
    if isinstance(update.get("fallbacks"), list) and update["fallbacks"]:
        out["fallbacks"] = [str(f)[:200] for f in update["fallbacks"]]
    return out


# -- annotate: what nodes call ----------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    """Metadata must survive JSON (LangSmith and SQLite): pydantic models dumped, the rest str()."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def annotate(**metadata: Any) -> None:
    """Attach metadata to the current node's run: its LangSmith run (when tracing) and local span.

    Call it from inside a node, e.g. ``annotate(sub_questions=[...], chunk_ids=[...], scores=[...])``.
    Outside a traced run it does nothing, so nodes never need to check.
    """
    if not metadata:
        return
    clean = {k: _jsonable(v) for k, v in metadata.items()}
    _annotate_langsmith(clean)
    _annotate_local(clean)


def _annotate_langsmith(metadata: dict[str, Any]) -> None:
    from langsmith.run_helpers import get_current_run_tree

    run_tree = get_current_run_tree()
    if run_tree is not None:
        run_tree.add_metadata(metadata)


def _annotate_local(metadata: dict[str, Any]) -> None:
    from langchain_core.callbacks import BaseCallbackManager
    from langchain_core.runnables.config import var_child_runnable_config

    config = var_child_runnable_config.get() or {}
    callbacks = config.get("callbacks")
    if not isinstance(callbacks, BaseCallbackManager) or callbacks.parent_run_id is None:
        return
    for handler in callbacks.handlers + callbacks.inheritable_handlers:
        if isinstance(handler, LocalTraceHandler) and handler.annotate(callbacks.parent_run_id, metadata):
            return


# -- wiring ---------------------------------------------------------------------------------
def make_local_handler(settings: Any) -> LocalTraceHandler | None:
    """The local sink's handler for these settings, or None when ``trace_local`` is off."""
    if not getattr(settings, "trace_local", False):
        return None
    return LocalTraceHandler(TraceStore(settings.traces_path))


def run_config(
    settings: Any,
    *,
    config: dict[str, Any] | None = None,
    run_name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    tags: list[str] | None = None,
) -> dict[str, Any]:
    """A RunnableConfig for one graph run: the local sink's handler (if on), run name, metadata, tags.

    Metadata given here (model names, suite names) lands on the root LangSmith run and the local run.
    LangSmith itself needs nothing: LangChain's tracer reads the ``LANGSMITH_*`` variables.
    """
    out: dict[str, Any] = dict(config or {})
    handler = make_local_handler(settings)
    if handler is not None:
        from langchain_core.callbacks import BaseCallbackManager

        existing = out.get("callbacks")
        if isinstance(existing, BaseCallbackManager):
            manager = existing.copy()
            manager.add_handler(handler, inherit=True)
            out["callbacks"] = manager
        else:
            out["callbacks"] = [*(existing or []), handler]
    if run_name:
        out["run_name"] = run_name
    if metadata:
        out["metadata"] = {**(out.get("metadata") or {}), **_jsonable(dict(metadata))}
    thread = (out.get("configurable") or {}).get("thread_id")
    if thread is not None:
        # Recorded with the run (local sink: ``RunRecord.thread_id``; LangSmith: run metadata), so
        # a traced run leads back to its conversation (`filings threads show`).
        out["metadata"] = {"thread_id": str(thread), **(out.get("metadata") or {})}
    if tags:
        out["tags"] = [*(out.get("tags") or []), *tags]
    out.setdefault("run_id", uuid.uuid4())
    return out


__all__ = [
    "LocalTraceHandler",
    "RunRecord",
    "SpanRecord",
    "TraceStore",
    "annotate",
    "make_local_handler",
    "node_metadata",
    "run_config",
    "summarise_value",
]
