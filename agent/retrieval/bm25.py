"""BM25 over the committed chunks (bm25s + PyStemmer), persisted beside Chroma.

The index is rebuilt from the manifest whenever the manifest's generation changes, so it can
never disagree with what is committed. Filtering happens *before* top-k through a score mask,
so k hits come back whenever k matching chunks exist.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_STOPWORDS = "en"


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str], stemmer: Any) -> list[list[str]]:
    """Lower-cased, stop-worded, stemmed tokens (same path for corpus and queries)."""
    import bm25s

    out = bm25s.tokenize(texts, stopwords=_STOPWORDS, stemmer=stemmer, return_ids=False, show_progress=False)
    return [list(t) for t in out]


class BM25Index:
    """An immutable bm25s index over ``ids`` with per-chunk metadata for filtering."""

    def __init__(self, ids: list[str], metas: list[dict[str, Any]], retriever: Any, stemmer: Any) -> None:
        self.ids = ids
        self.metas = metas
        self.retriever = retriever
        self.stemmer = stemmer
        self._columns: dict[str, np.ndarray] = {}
        self._doc_codes: tuple[dict[str, int], np.ndarray] | None = None

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, dict[str, Any]]]) -> BM25Index:
        import bm25s

        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        for cid, text, meta in rows:
            ids.append(cid)
            texts.append(text)
            metas.append(meta)
        stemmer = _stemmer()
        retriever = None
        if ids:
            retriever = bm25s.BM25()
            corpus = bm25s.tokenize(texts, stopwords=_STOPWORDS, stemmer=stemmer, show_progress=False)
            retriever.index(corpus, show_progress=False)
        return cls(ids, metas, retriever, stemmer)

    def save(self, path: Path, generation: int) -> None:
        """Write to a temp dir and rename, so a crash never leaves a half-saved index."""
        # pid-suffixed: two reader processes may rebuild the same generation at once
        tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.retriever is not None:
            self.retriever.save(str(tmp / "bm25s"), show_progress=False)
        (tmp / "chunks.json").write_text(
            json.dumps({"generation": generation, "ids": self.ids, "metas": self.metas})
        )
        old = path.with_name(f"{path.name}.old{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        if path.exists():
            path.rename(old)
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, path: Path, generation: int) -> BM25Index | None:
        """The saved index if it was built for ``generation``, else None (caller rebuilds)."""
        import bm25s

        try:
            data = json.loads((path / "chunks.json").read_text())
        except (OSError, ValueError):
            return None
        if data.get("generation") != generation:
            return None
        retriever = None
        if data["ids"]:
            try:
                retriever = bm25s.BM25.load(str(path / "bm25s"), show_progress=False)
            except (OSError, ValueError) as exc:
                log.warning("BM25 index at %s unreadable (%s); rebuilding", path, exc)
                return None
        return cls(data["ids"], data["metas"], retriever, _stemmer())

    def _column(self, field: str) -> np.ndarray:
        col = self._columns.get(field)
        if col is None:
            col = np.array([m.get(field) for m in self.metas], dtype=object)
            self._columns[field] = col
        return col

    def _docs_mask(self, allowed_docs: set[str]) -> np.ndarray:
        """Chunks of ``allowed_docs``, through integer document codes built once: ``np.isin`` over an
        object column costs ~0.8 s per query at 100k chunks and hundreds of documents."""
        if self._doc_codes is None:
            names, codes = np.unique(self._column("doc_id").astype(str), return_inverse=True)
            self._doc_codes = ({str(n): i for i, n in enumerate(names)}, codes)
        index, codes = self._doc_codes
        wanted = np.zeros(len(index) + 1, dtype=bool)
        wanted[[index[d] for d in allowed_docs if d in index]] = True
        return wanted[codes]

    def mask(self, filter: dict[str, list[Any]] | None, allowed_docs: set[str] | None) -> np.ndarray:
        """Boolean mask of chunks passing the filter (AND across fields, OR within)."""
        from agent.retrieval.store import coerce_value

        keep = np.ones(len(self.ids), dtype=bool)
        if allowed_docs is not None:
            keep &= self._docs_mask(allowed_docs)
        for field, values in (filter or {}).items():
            wanted = {coerce_value(field, v) for v in values}
            keep &= np.array([v in wanted for v in self._column(field)], dtype=bool)
        return keep

    def search(self, query: str, k: int, mask: np.ndarray) -> list[tuple[str, float]]:
        """Top-k (id, score) among masked chunks with a positive score, best first."""
        if self.retriever is None or k <= 0 or not mask.any():
            return []
        vocab = self.retriever.vocab_dict
        tokens = [t for t in tokenize([query], self.stemmer)[0] if t in vocab]
        if not tokens:
            return []
        scores = np.asarray(self.retriever.get_scores(tokens), dtype=np.float64)
        scores = np.where(mask, scores, -np.inf)
        n_pos = int((scores > 0).sum())
        k = min(k, n_pos)
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top]
