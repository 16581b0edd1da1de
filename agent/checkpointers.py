"""Checkpointer factory: where conversation threads are persisted, chosen by configuration.

``settings.checkpointer`` (env ``FILINGS_CHECKPOINTER``) selects the backend:

* ``"sqlite"`` (default) — a file at ``settings.checkpoints_path`` (under the data dir);
  ``"sqlite:///abs/path.sqlite"`` picks another file.
* ``"memory"`` — in-process only; threads vanish with the process (tests, notebooks).
* ``"postgres://user:pw@host:5432/db"`` (or ``postgresql://``) — PostgreSQL through
  ``langgraph-checkpoint-postgres`` with a connection pool, for many users and several processes.

The research graph's nodes are ``async``, so :func:`make_checkpointer` yields the async savers;
:func:`make_sync_checkpointer` exists for sync callers (``graph.invoke``). Both are context
managers because SQLite files and Postgres pools must be closed. Tables are created on entry
(``setup()`` is idempotent), so a fresh database needs no migration step.

Every saver is built with :func:`agent.state.checkpoint_serde`: restoring a thread deserializes
only the types the research graph checkpoints, so follow-ups keep working (and stay quiet) under
``LANGGRAPH_STRICT_MSGPACK=true``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from langgraph.checkpoint.base import BaseCheckpointSaver

from agent.config import Settings
from agent.state import checkpoint_serde

Kind = Literal["memory", "sqlite", "postgres"]

# A pool rather than one connection: a server runs many threads concurrently, and a single
# psycopg connection would serialise every checkpoint write behind one socket.
POOL_MAX_SIZE = 10


class CheckpointerConfigError(ValueError):
    """``settings.checkpointer`` is not a backend we know how to build."""


@dataclass(frozen=True)
class CheckpointerSpec:
    """A parsed ``settings.checkpointer`` value."""

    kind: Kind
    target: str = ""  # sqlite file path or postgres URL

    def describe(self) -> str:
        """Human-readable target with any password masked (safe for logs and errors)."""
        if self.kind == "postgres":
            return redact_url(self.target)
        return f"{self.kind}:{self.target}" if self.target else self.kind


def redact_url(url: str) -> str:
    """``postgres://u:secret@h/db`` -> ``postgres://u:***@h/db``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def parse_checkpointer(settings: Settings) -> CheckpointerSpec:
    """Validate ``settings.checkpointer`` without opening anything."""
    raw = (settings.checkpointer or "").strip()
    lowered = raw.lower()
    if lowered == "memory":
        return CheckpointerSpec("memory")
    if lowered == "sqlite":
        return CheckpointerSpec("sqlite", str(settings.checkpoints_path))
    if lowered.startswith("sqlite:///"):
        path = raw[len("sqlite:///") - 1 :]  # keep the leading '/' of the absolute path
        if not Path(path).is_absolute() or path == "/":
            raise CheckpointerConfigError(f"sqlite checkpointer needs an absolute file path, got {raw!r}")
        return CheckpointerSpec("sqlite", path)
    if lowered.startswith(("postgres://", "postgresql://")):
        if not urlsplit(raw).hostname and "host=" not in raw:
            raise CheckpointerConfigError(f"postgres checkpointer URL has no host: {redact_url(raw)!r}")
        return CheckpointerSpec("postgres", raw)
    raise CheckpointerConfigError(
        f"unknown checkpointer {redact_url(raw)!r}: expected 'sqlite', 'sqlite:///<absolute path>', "
        "'memory' or a postgres:// URL (set FILINGS_CHECKPOINTER or `checkpointer` in filings.toml)"
    )


def _postgres_import_error(exc: ImportError) -> CheckpointerConfigError:
    return CheckpointerConfigError(
        "a postgres:// checkpointer needs the 'postgres' extra: pip install 'filings-agent[postgres]' "
        f"({exc})"
    )


@asynccontextmanager
async def make_checkpointer(
    settings: Settings, *, connect_timeout: float = 15.0
) -> AsyncIterator[BaseCheckpointSaver]:
    """Open the configured async checkpointer; use as ``async with make_checkpointer(s) as cp``.

    Pass the result to ``build_research_graph(checkpointer=cp)`` / ``graph.compile(checkpointer=cp)``
    and run with ``ainvoke``/``astream`` and a ``thread_id`` to continue conversations.
    """
    spec = parse_checkpointer(settings)
    if spec.kind == "memory":
        from langgraph.checkpoint.memory import InMemorySaver

        yield InMemorySaver(serde=checkpoint_serde())
    elif spec.kind == "sqlite":
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        Path(spec.target).parent.mkdir(parents=True, exist_ok=True)
        # Not ``from_conn_string``: it takes no serializer.
        import aiosqlite

        async with aiosqlite.connect(spec.target) as conn:
            saver = AsyncSqliteSaver(conn, serde=checkpoint_serde())
            await saver.setup()
            yield saver
    else:
        try:
            from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
            from psycopg.rows import dict_row
            from psycopg_pool import AsyncConnectionPool
        except ImportError as exc:
            raise _postgres_import_error(exc) from exc

        # These connection kwargs are what AsyncPostgresSaver itself uses: autocommit for its
        # own transaction handling, no server-side prepared statements (breaks behind pgbouncer).
        pool = AsyncConnectionPool(
            conninfo=spec.target,
            min_size=1,
            max_size=POOL_MAX_SIZE,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=False,
        )
        await _open_pool(pool, spec, connect_timeout)
        try:
            pg_saver = AsyncPostgresSaver(pool, serde=checkpoint_serde())  # type: ignore[arg-type]
            await pg_saver.setup()
            yield pg_saver
        finally:
            await pool.close()


async def _open_pool(pool: object, spec: CheckpointerSpec, timeout: float) -> None:
    from psycopg_pool import PoolTimeout

    try:
        await pool.open(wait=True, timeout=timeout)  # type: ignore[attr-defined]
    except PoolTimeout as exc:
        await pool.close()  # type: ignore[attr-defined]
        raise ConnectionError(f"cannot connect to the postgres checkpointer at {spec.describe()}") from exc


@contextmanager
def make_sync_checkpointer(
    settings: Settings, *, connect_timeout: float = 15.0
) -> Iterator[BaseCheckpointSaver]:
    """Sync twin of :func:`make_checkpointer`, for ``graph.invoke`` / ``graph.stream`` callers."""
    spec = parse_checkpointer(settings)
    if spec.kind == "memory":
        from langgraph.checkpoint.memory import InMemorySaver

        yield InMemorySaver(serde=checkpoint_serde())
    elif spec.kind == "sqlite":
        from langgraph.checkpoint.sqlite import SqliteSaver

        Path(spec.target).parent.mkdir(parents=True, exist_ok=True)
        # Not ``from_conn_string``: it takes no serializer. Same connection options as it uses.
        with closing(sqlite3.connect(spec.target, check_same_thread=False)) as conn:
            sync_saver = SqliteSaver(conn, serde=checkpoint_serde())
            sync_saver.setup()
            yield sync_saver
    else:
        try:
            from langgraph.checkpoint.postgres import PostgresSaver
            from psycopg.rows import dict_row
            from psycopg_pool import ConnectionPool, PoolTimeout
        except ImportError as exc:
            raise _postgres_import_error(exc) from exc

        pool = ConnectionPool(
            conninfo=spec.target,
            min_size=1,
            max_size=POOL_MAX_SIZE,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=False,
        )
        try:
            pool.open(wait=True, timeout=connect_timeout)
        except PoolTimeout as exc:
            pool.close()
            raise ConnectionError(
                f"cannot connect to the postgres checkpointer at {spec.describe()}"
            ) from exc
        try:
            pg_saver = PostgresSaver(pool, serde=checkpoint_serde())  # type: ignore[arg-type]
            pg_saver.setup()
            yield pg_saver
        finally:
            pool.close()
