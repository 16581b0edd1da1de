"""The local trace sink's SQLite file: graph runs and their node spans, read back by
``filings trace list|show`` and written by :class:`agent.tracing.LocalTraceHandler`."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    name TEXT,
    started_at REAL NOT NULL,
    seconds REAL,
    question TEXT,
    stop_reason TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    llm_calls INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS spans (
    span_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    node TEXT NOT NULL,
    started_at REAL NOT NULL,
    seconds REAL,
    status TEXT NOT NULL DEFAULT 'running',
    llm_calls INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    summary TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    error TEXT
);
CREATE INDEX IF NOT EXISTS spans_run ON spans(run_id, seq);
"""

SUMMARY_CHARS = 240


def _json(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


def summarise_value(value: Any, limit: int = SUMMARY_CHARS) -> str:
    """A short human summary of a node's input or update: keys with sizes or clipped values."""
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, Mapping):
        parts = []
        for k, v in value.items():
            if isinstance(v, list | tuple | set | dict):
                parts.append(f"{k}: {len(v)} item{'s' if len(v) != 1 else ''}")
            elif hasattr(v, "model_dump"):
                parts.append(f"{k}: {type(v).__name__}")
            else:
                text = " ".join(str(v).split())
                parts.append(f"{k}: {text[:60]}{'…' if len(text) > 60 else ''}")
        out = "; ".join(parts)
    else:
        out = " ".join(str(value).split())
    return out if len(out) <= limit else out[: limit - 1] + "…"


@dataclass
class RunRecord:
    run_id: str
    name: str
    started_at: float
    seconds: float | None
    question: str | None
    stop_reason: str | None
    status: str
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    metadata: dict[str, Any] = field(default_factory=dict)
    # The conversation the run belongs to: LangChain copies ``configurable.thread_id`` into the
    # run's metadata, which the sink stores; None for runs without a thread (and old rows).
    thread_id: str | None = None


@dataclass
class SpanRecord:
    span_id: str
    run_id: str
    seq: int
    node: str
    started_at: float
    seconds: float | None
    status: str
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    summary: str
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


class TraceStore:
    """The SQLite file behind the local sink. One short-lived connection per operation, so several
    processes (CLI, server, eval runs) can share the file safely."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        if write:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise FileNotFoundError(
                f"no trace store at {self.path} (no run has been traced with this data dir)"
            )
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            if write:
                conn.executescript(_SCHEMA)
            yield conn
            conn.commit()
        finally:
            conn.close()

    # -- writes (used by the handler) ------------------------------------------------------
    def start_run(self, run_id: str, name: str, question: str | None, metadata: dict[str, Any]) -> None:
        with self._connect(write=True) as c:
            c.execute(
                "INSERT OR REPLACE INTO runs(run_id, name, started_at, question, metadata) VALUES (?,?,?,?,?)",
                (run_id, name, time.time(), question, _json(metadata)),
            )

    def end_run(self, run_id: str, seconds: float, status: str, stop_reason: str | None) -> None:
        with self._connect(write=True) as c:
            c.execute(
                """UPDATE runs SET seconds=?, status=?, stop_reason=?,
                   llm_calls=(SELECT COALESCE(SUM(llm_calls),0) FROM spans WHERE run_id=?),
                   prompt_tokens=(SELECT COALESCE(SUM(prompt_tokens),0) FROM spans WHERE run_id=?),
                   completion_tokens=(SELECT COALESCE(SUM(completion_tokens),0) FROM spans WHERE run_id=?)
                   WHERE run_id=?""",
                (seconds, status, stop_reason, run_id, run_id, run_id, run_id),
            )

    def write_span(self, span: SpanRecord) -> None:
        with self._connect(write=True) as c:
            c.execute(
                """INSERT OR REPLACE INTO spans(span_id, run_id, seq, node, started_at, seconds, status,
                   llm_calls, prompt_tokens, completion_tokens, summary, metadata, error)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (
                    span.span_id, span.run_id, span.seq, span.node, span.started_at, span.seconds, span.status,
                    span.llm_calls, span.prompt_tokens, span.completion_tokens, span.summary,
                    _json(span.metadata), span.error,
                ),
            )  # fmt: skip

    # -- reads (used by `filings trace`) ---------------------------------------------------
    def list_runs(self, limit: int = 20) -> list[RunRecord]:
        """Most recent runs first."""
        with self._connect(write=False) as c:
            rows = c.execute(
                """SELECT run_id, name, started_at, seconds, question, stop_reason, status, llm_calls,
                   prompt_tokens, completion_tokens, metadata FROM runs ORDER BY started_at DESC LIMIT ?""",
                (limit,),
            ).fetchall()
        return [_run_record(r) for r in rows]

    def get_run(self, run_id: str) -> tuple[RunRecord, list[SpanRecord]]:
        """One run and its spans in execution order; a unique id prefix is enough."""
        with self._connect(write=False) as c:
            rows = c.execute(
                """SELECT run_id, name, started_at, seconds, question, stop_reason, status, llm_calls,
                   prompt_tokens, completion_tokens, metadata FROM runs WHERE run_id LIKE ? LIMIT 2""",
                (run_id + "%",),
            ).fetchall()
            if not rows:
                raise KeyError(f"no traced run with id {run_id!r}")
            if len(rows) > 1:
                raise KeyError(f"run id prefix {run_id!r} is ambiguous")
            run = _run_record(rows[0])
            spans = c.execute(
                """SELECT span_id, run_id, seq, node, started_at, seconds, status, llm_calls, prompt_tokens,
                   completion_tokens, summary, metadata, error FROM spans WHERE run_id=? ORDER BY seq""",
                (run.run_id,),
            ).fetchall()
        return run, [_span_record(s) for s in spans]


def _run_record(r: Any) -> RunRecord:
    metadata = json.loads(r[10])
    thread = metadata.get("thread_id") if isinstance(metadata, dict) else None
    return RunRecord(
        run_id=r[0], name=r[1], started_at=r[2], seconds=r[3], question=r[4], stop_reason=r[5], status=r[6],
        llm_calls=r[7], prompt_tokens=r[8], completion_tokens=r[9], metadata=metadata,
        thread_id=None if thread is None else str(thread),
    )  # fmt: skip


def _span_record(s: Any) -> SpanRecord:
    return SpanRecord(
        span_id=s[0], run_id=s[1], seq=s[2], node=s[3], started_at=s[4], seconds=s[5], status=s[6],
        llm_calls=s[7], prompt_tokens=s[8], completion_tokens=s[9], summary=s[10],
        metadata=json.loads(s[11]), error=s[12],
    )  # fmt: skip
