"""SQLite manifest: the source of truth for which documents are committed, and their chunks.

Chroma and BM25 are derived views. A document's typed facts (table cells, iXBRL tags) live in the
``facts`` table beside its chunks and follow the same rules: written while the document is
pending, visible once it is committed, gone with it. A document is visible to searches only once its row is
``committed``; a crash mid-ingest leaves a ``pending`` row (or an entry in ``purge``) whose
leftovers are removed by :meth:`Manifest.leftovers` + the index on the next open-for-write.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.schemas import Chunk, ChunkMetadata, Fact, FilingFields, StatementKind, period_label

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'committed')),
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_path ON documents(source_path);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    chunk_index INTEGER NOT NULL,
    text TEXT NOT NULL,
    meta TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS facts (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    page INTEGER NOT NULL,
    statement TEXT NOT NULL,
    label TEXT NOT NULL,
    period_end TEXT,
    fiscal_year INTEGER,
    fact TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS facts_doc ON facts(doc_id);
CREATE TABLE IF NOT EXISTS purge (doc_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class DocumentRecord(FilingFields):
    """One document in the manifest (``documents()`` returns committed ones only)."""

    doc_id: str
    source_path: str
    sha256: str
    pages: int = 0
    chunks: int = 0
    facts: int = 0  # typed facts stored with it (table cells, iXBRL tags)
    ingested_at: str = ""
    field_sources: dict[str, str] = field(default_factory=dict)
    parser_version: int = 0  # loaders.parse.PARSER_VERSION that extracted it (0: before versions)
    facts_version: int = 0  # loaders.parse.FACTS_VERSION that read its facts (0: before facts)

    @property
    def period_label(self) -> str:
        return period_label(self.fiscal_year, self.fiscal_quarter)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> DocumentRecord:
        data = json.loads(raw)
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Manifest:
    """Thin wrapper over one SQLite file; every write is its own transaction."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # WAL lets searches in other processes read while an ingest writes.
        self.conn = sqlite3.connect(str(path), timeout=60, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SCHEMA)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- reads ----------------------------------------------------------------------------
    def generation(self) -> int:
        row = self.conn.execute("SELECT value FROM kv WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def committed(self) -> list[DocumentRecord]:
        rows = self.conn.execute(
            "SELECT record FROM documents WHERE status='committed' ORDER BY source_path, doc_id"
        ).fetchall()
        return [DocumentRecord.from_json(r[0]) for r in rows]

    def committed_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT doc_id FROM documents WHERE status='committed'")}

    def find(self, doc_id: str) -> tuple[DocumentRecord, str] | None:
        row = self.conn.execute("SELECT record, status FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return (DocumentRecord.from_json(row[0]), row[1]) if row else None

    def by_path(self, source_path: str) -> list[tuple[DocumentRecord, str]]:
        rows = self.conn.execute("SELECT record, status FROM documents WHERE source_path=?", (source_path,))
        return [(DocumentRecord.from_json(r[0]), r[1]) for r in rows]

    def leftovers(self) -> list[str]:
        """doc_ids whose derived data must be purged: pending documents and queued purges."""
        pending = [r[0] for r in self.conn.execute("SELECT doc_id FROM documents WHERE status='pending'")]
        queued = [r[0] for r in self.conn.execute("SELECT doc_id FROM purge")]
        return list(dict.fromkeys(pending + queued))

    def get_kv(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM kv WHERE key=?", (key,)).fetchone()
        return str(row[0]) if row else None

    def embeddings_record(self) -> tuple[str, int] | None:
        """(model string, vector dimension) the index's vectors were made with; None if unrecorded."""
        model, dim = self.get_kv("embeddings_model"), self.get_kv("embeddings_dim")
        return (model, int(dim)) if model and dim else None

    def has_chunks(self) -> bool:
        """Whether any chunk row exists (committed or pending)."""
        return self.conn.execute("SELECT 1 FROM chunks LIMIT 1").fetchone() is not None

    def added_vectors(self) -> list[tuple[str, str, int]]:
        """(collection, model string, dimension) of each vector set added beside the index's own
        (``filings reindex --add``), in the order they were added."""
        return [(c, m, int(d)) for c, m, d in json.loads(self.get_kv("added_vectors") or "[]")]

    def retired_collections(self) -> list[str]:
        """Vector collections replaced by a re-embedding, still to be deleted."""
        return list(json.loads(self.get_kv("retired_collections") or "[]"))

    def committed_chunks(self) -> Iterator[tuple[str, str, str]]:
        """(id, text, meta json) of every committed chunk, in a stable order."""
        yield from self.conn.execute(
            "SELECT c.id, c.text, c.meta FROM chunks c JOIN documents d ON d.doc_id = c.doc_id "
            "WHERE d.status='committed' ORDER BY c.doc_id, c.chunk_index"
        )

    def get_chunks(self, ids: list[str]) -> dict[str, Chunk]:
        out: dict[str, Chunk] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            rows = self.conn.execute(
                f"SELECT c.id, c.text, c.meta FROM chunks c JOIN documents d ON d.doc_id = c.doc_id "
                f"WHERE d.status='committed' AND c.id IN ({marks})",
                part,
            )
            for cid, text, meta in rows:
                out[cid] = Chunk(id=cid, text=text, metadata=ChunkMetadata.model_validate_json(meta))
        return out

    def count_committed_chunks(self) -> int:
        row = self.conn.execute(
            "SELECT COUNT(*) FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE d.status='committed'"
        ).fetchone()
        return int(row[0])

    def facts(
        self,
        doc_ids: list[str] | None = None,
        statement: StatementKind | None = None,
        fiscal_year: int | None = None,
    ) -> list[Fact]:
        """Facts of committed documents (all, or of ``doc_ids``), in document and page order."""
        where = ["d.status='committed'"]
        args: list[Any] = []
        if doc_ids is not None:
            if not doc_ids:
                return []
            where.append(f"f.doc_id IN ({','.join('?' * len(doc_ids))})")
            args += doc_ids
        if statement is not None:
            where.append("f.statement=?")
            args.append(statement)
        if fiscal_year is not None:
            where.append("f.fiscal_year=?")
            args.append(fiscal_year)
        rows = self.conn.execute(
            "SELECT f.fact FROM facts f JOIN documents d ON d.doc_id = f.doc_id "
            f"WHERE {' AND '.join(where)} ORDER BY f.doc_id, f.page, f.rowid",
            args,
        )
        return [Fact.model_validate_json(r[0]) for r in rows]

    def count_facts(self, doc_id: str) -> int:
        row = self.conn.execute("SELECT COUNT(*) FROM facts WHERE doc_id=?", (doc_id,)).fetchone()
        return int(row[0])

    # --- writes ---------------------------------------------------------------------------
    def _bump(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO kv(key, value) VALUES('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def begin_document(self, record: DocumentRecord) -> None:
        """Mark a document pending (invisible) before any of its chunks are written."""
        with self.transaction() as conn:
            prior = conn.execute("SELECT status FROM documents WHERE doc_id=?", (record.doc_id,)).fetchone()
            conn.execute(
                "INSERT OR REPLACE INTO documents(doc_id, source_path, sha256, status, record) "
                "VALUES(?,?,?,'pending',?)",
                (record.doc_id, record.source_path, record.sha256, record.to_json()),
            )
            conn.execute("DELETE FROM chunks WHERE doc_id=?", (record.doc_id,))
            conn.execute("DELETE FROM facts WHERE doc_id=?", (record.doc_id,))
            if prior and prior[0] == "committed":
                self._bump(conn)

    def add_chunks(self, chunks: list[Chunk]) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO chunks(id, doc_id, chunk_index, text, meta) VALUES(?,?,?,?,?)",
                [
                    (c.id, c.metadata.doc_id, c.metadata.chunk_index, c.text, c.metadata.model_dump_json())
                    for c in chunks
                ],
            )

    def add_facts(self, facts: list[Fact]) -> None:
        """Store a pending document's facts (invisible until the document is committed)."""
        with self.transaction() as conn:
            self._insert_facts(conn, facts)

    @staticmethod
    def _insert_facts(conn: sqlite3.Connection, facts: list[Fact]) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO facts(id, doc_id, page, statement, label, period_end, fiscal_year, fact) "
            "VALUES(?,?,?,?,?,?,?,?)",
            [
                (
                    f.id,
                    f.doc_id,
                    f.page,
                    f.statement,
                    f.label,
                    f.period.end,
                    f.period.fiscal_year,
                    f.model_dump_json(exclude_defaults=True),
                )
                for f in facts
            ],
        )

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        """A committed document's chunks, in order."""
        rows = self.conn.execute(
            "SELECT c.id, c.text, c.meta FROM chunks c JOIN documents d ON d.doc_id = c.doc_id "
            "WHERE d.status='committed' AND c.doc_id=? ORDER BY c.chunk_index",
            (doc_id,),
        )
        return [
            Chunk(id=cid, text=text, metadata=ChunkMetadata.model_validate_json(meta))
            for cid, text, meta in rows
        ]

    def replace_facts(self, record: DocumentRecord, facts: list[Fact]) -> None:
        """Swap a committed document's facts for ``facts`` (read by a newer fact reader) and store
        its updated record, in one transaction: searches see the old facts or the new, never none."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM facts WHERE doc_id=?", (record.doc_id,))
            self._insert_facts(conn, facts)
            conn.execute("UPDATE documents SET record=? WHERE doc_id=?", (record.to_json(), record.doc_id))

    def commit_document(self, record: DocumentRecord, replaces: list[str]) -> None:
        """Atomically make ``record`` visible and retire the documents it replaces."""
        with self.transaction() as conn:
            for old in replaces:
                if old == record.doc_id:
                    continue
                conn.execute("DELETE FROM documents WHERE doc_id=?", (old,))
                conn.execute("DELETE FROM chunks WHERE doc_id=?", (old,))
                conn.execute("DELETE FROM facts WHERE doc_id=?", (old,))
                conn.execute("INSERT OR IGNORE INTO purge(doc_id) VALUES(?)", (old,))
            conn.execute(
                "UPDATE documents SET status='committed', record=?, source_path=?, sha256=? WHERE doc_id=?",
                (record.to_json(), record.source_path, record.sha256, record.doc_id),
            )
            self._bump(conn)

    def drop_document(self, doc_id: str) -> None:
        """Forget a document; its vectors are queued for purging."""
        with self.transaction() as conn:
            prior = conn.execute("SELECT status FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
            conn.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
            conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
            conn.execute("DELETE FROM facts WHERE doc_id=?", (doc_id,))
            conn.execute("INSERT OR IGNORE INTO purge(doc_id) VALUES(?)", (doc_id,))
            if prior and prior[0] == "committed":
                self._bump(conn)

    def set_kv(self, key: str, value: str | None) -> None:
        """Set (``None``: remove) one kv entry."""
        with self.transaction() as conn:
            _put(conn, key, value)

    def record_embeddings(self, model: str, dim: int) -> None:
        """Record which model (and vector size) made the index's vectors."""
        with self.transaction() as conn:
            _put(conn, "embeddings_model", model)
            _put(conn, "embeddings_dim", str(dim))

    def retire_collections(self, names: list[str]) -> None:
        """Queue vector collections for deletion (see :meth:`retired_collections`)."""
        with self.transaction() as conn:
            _retire(conn, names)

    def collection_deleted(self, name: str) -> None:
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM kv WHERE key='retired_collections'").fetchone()
            left = [n for n in json.loads(row[0] if row else "[]") if n != name]
            _put(conn, "retired_collections", json.dumps(left) if left else None)

    def switch_collection(self, collection: str, model: str, dim: int, old: str) -> None:
        """Make ``collection`` (vectors by ``model``) the active one and queue ``old`` for deletion,
        in one transaction: readers see the old collection and model or the new ones, never a mix."""
        with self.transaction() as conn:
            _put(conn, "collection", collection)
            _put(conn, "embeddings_model", model)
            _put(conn, "embeddings_dim", str(dim))
            _put(conn, "reindex_target", None)
            _retire(conn, [old])

    def add_vectors(self, collection: str, model: str, dim: int) -> None:
        """Make ``collection`` (vectors by ``model``) searched beside the index's own, in one
        transaction; an earlier set of the same model is replaced and its collection retired."""
        with self.transaction() as conn:
            added = _added(conn)
            _retire(conn, [c for c, m, _ in added if m == model and c != collection])
            added = [[c, m, d] for c, m, d in added if m != model] + [[collection, model, dim]]
            _put(conn, "added_vectors", json.dumps(added))
            _put(conn, "reindex_target", None)

    def remove_vectors(self, model: str) -> str | None:
        """Stop searching the vectors ``model`` added and retire their collection (returned; None
        when no such set was added)."""
        with self.transaction() as conn:
            added = _added(conn)
            gone = [c for c, m, _ in added if m == model]
            left = [[c, m, d] for c, m, d in added if m != model]
            _put(conn, "added_vectors", json.dumps(left) if left else None)
            _retire(conn, gone)
        return gone[0] if gone else None

    def purged(self, doc_id: str) -> None:
        """The vectors of ``doc_id`` are gone from the store."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM purge WHERE doc_id=?", (doc_id,))
            row = conn.execute("SELECT status FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
            if row and row[0] == "pending":
                conn.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
                conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
                conn.execute("DELETE FROM facts WHERE doc_id=?", (doc_id,))


def _put(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM kv WHERE key=?", (key,))
    else:
        conn.execute("INSERT OR REPLACE INTO kv(key, value) VALUES(?,?)", (key, value))


def _added(conn: sqlite3.Connection) -> list[list[Any]]:
    """The added vector sets as stored: [collection, model, dimension] each."""
    row = conn.execute("SELECT value FROM kv WHERE key='added_vectors'").fetchone()
    return list(json.loads(row[0] if row else "[]"))


def _retire(conn: sqlite3.Connection, names: list[str]) -> None:
    row = conn.execute("SELECT value FROM kv WHERE key='retired_collections'").fetchone()
    queued = list(dict.fromkeys([*json.loads(row[0] if row else "[]"), *names]))
    _put(conn, "retired_collections", json.dumps(queued) if queued else None)


def record_dict(record: DocumentRecord) -> dict[str, Any]:
    return asdict(record)
