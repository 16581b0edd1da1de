"""Chroma vector store behind a small Protocol.

We always hand Chroma precomputed vectors (``embedding_function=None``): chromadb 1.5.9 otherwise
downloads its default ONNX model, which breaks offline use and would silently embed with a model
other than ours.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from agent.config import Settings

# Fields whose stored values are ints; filter values are coerced so that "2022" matches 2022.
INT_FIELDS = frozenset({"fiscal_year", "fiscal_quarter", "page", "chunk_index"})
BOOL_FIELDS = frozenset({"is_table"})


class VectorStore(Protocol):
    """What the index needs from a vector store."""

    def add(
        self, ids: list[str], embeddings: list[list[float]], texts: list[str], metadatas: list[dict[str, Any]]
    ) -> None: ...

    def query(
        self, embedding: list[float], k: int, where: dict[str, Any] | None
    ) -> list[tuple[str, float]]: ...

    def delete_doc(self, doc_id: str) -> None: ...

    def count(self) -> int: ...

    def doc_ids(self) -> set[str]: ...


def coerce_value(field: str, value: Any) -> Any:
    """Bring a filter value to the type it is stored with (Chroma compares types strictly)."""
    if field in INT_FIELDS:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(f"filter field {field!r} expects integers, got {value!r}") from None
    if field in BOOL_FIELDS:
        return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
    return str(value)


def chroma_where(filter: Mapping[str, Sequence[Any]]) -> dict[str, Any] | None:
    """Translate a non-empty MetadataFilter (AND across fields, OR within) into a Chroma ``where``."""
    clauses = [{field: {"$in": [coerce_value(field, v) for v in values]}} for field, values in filter.items()]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaStore:
    """Chroma collection in cosine space; embedded PersistentClient or HttpClient to a server."""

    # Chroma rejects very large single writes; stay well below its max batch size.
    _WRITE_BATCH = 2000

    def __init__(self, settings: Settings, collection: str | None = None) -> None:
        """Open ``collection`` (default ``settings.collection``); the index passes the one its
        manifest names active (a re-embedded index lives in a collection of its own)."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_host:
            self.client: Any = chromadb.HttpClient(
                host=settings.chroma_host,
                port=settings.chroma_port,
                ssl=settings.chroma_ssl,
                settings=chroma_settings,
            )
        else:
            path = settings.index_dir / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        self.use(collection or settings.collection)

    def use(self, name: str) -> None:
        """Point this store at collection ``name`` (created if missing)."""
        if len(name) < 3:
            raise ValueError(f"Chroma collection names need >= 3 characters, got {name!r}")
        self.name = name
        self.collection = self.client.get_or_create_collection(
            name=name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
        )

    def sibling(self, name: str) -> ChromaStore:
        """Another collection on the same client (a re-embedding's target)."""
        other = object.__new__(ChromaStore)
        other.client = self.client
        other.use(name)
        return other

    def drop_collection(self, name: str) -> None:
        """Delete collection ``name`` if it exists."""
        from chromadb.errors import NotFoundError

        with contextlib.suppress(NotFoundError):
            self.client.delete_collection(name=name)

    def texts(self, ids: list[str]) -> dict[str, str]:
        """The stored text of those of ``ids`` present in the collection."""
        res = self.collection.get(ids=ids, include=["documents"])
        return dict(zip(res["ids"], res.get("documents") or [""] * len(res["ids"]), strict=True))

    def vectors(self, ids: list[str]) -> dict[str, list[float]]:
        """The stored vectors of those of ``ids`` present in the collection."""
        res = self.collection.get(ids=ids, include=["embeddings"])
        found = res.get("embeddings")
        if found is None:
            return {}
        return {i: list(map(float, v)) for i, v in zip(res["ids"], found, strict=True)}

    def add(
        self, ids: list[str], embeddings: list[list[float]], texts: list[str], metadatas: list[dict[str, Any]]
    ) -> None:
        """Upsert so that a re-run after a crash overwrites instead of failing on existing ids."""
        for i in range(0, len(ids), self._WRITE_BATCH):
            j = i + self._WRITE_BATCH
            self.collection.upsert(
                ids=ids[i:j], embeddings=embeddings[i:j], documents=texts[i:j], metadatas=metadatas[i:j]
            )

    def query(self, embedding: list[float], k: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """Top-k ids with cosine similarity (1 - distance), best first."""
        if k <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[embedding], n_results=k, where=where, include=["distances"]
        )
        ids = res["ids"][0] if res["ids"] else []
        dists = res["distances"][0] if res.get("distances") else [0.0] * len(ids)
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]

    def delete_doc(self, doc_id: str) -> None:
        self.collection.delete(where={"doc_id": doc_id})

    def count(self) -> int:
        return int(self.collection.count())

    def doc_ids(self) -> set[str]:
        """Every doc_id present in the collection (used to purge leftovers of crashed ingests)."""
        out: set[str] = set()
        offset, page = 0, 5000
        while True:
            res = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            metas = res.get("metadatas") or []
            out.update(str(m.get("doc_id")) for m in metas if m)
            if len(metas) < page:
                return out
            offset += page

    def ids(self) -> set[str]:
        """Every id in the collection."""
        out: set[str] = set()
        offset, page = 0, 5000
        while True:
            res = self.collection.get(include=[], limit=page, offset=offset)
            out.update(res["ids"])
            if len(res["ids"]) < page:
                return out
            offset += page

    def delete_ids(self, ids: list[str]) -> None:
        for i in range(0, len(ids), self._WRITE_BATCH):
            self.collection.delete(ids=ids[i : i + self._WRITE_BATCH])
