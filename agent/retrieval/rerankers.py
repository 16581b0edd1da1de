"""Rerankers over fused candidates, chosen by a spec string.

* ``none``                  fusion order, truncated.
* ``local:mpnet-rescore``   all-mpnet-base-v2 (the strongest bi-encoder that exists offline)
                            re-scores the candidates; its ranking is blended with the fusion ranking
                            by reciprocal ranks, so a weak re-score cannot throw away a chunk both
                            first-stage rankers agreed on. Given the query's topic (the query without
                            the names the scope filter applies), it re-scores both and splits its
                            vote between them. Any ``local:<sentence-transformer>-rescore``
                            or ``st:<path>`` works the same way.
* ``index-rescore``         the index's own stored passage vectors re-score the candidates, blended
                            as above: only the query is encoded (~50 ms a question against mpnet's
                            10-17 s), for a fast mode; it ranks the evidence page a little lower.
* ``hf:<id or path>``       a sentence-transformers ``CrossEncoder`` (for users who have one).
* ``local:tuned/<name>``    a model ``filings tune`` made: a cross-encoder scores the candidates,
                            a tuned bi-encoder re-scores them (``local:tuned/<name>-rescore`` too).
* ``llm``                   the planner LLM judges each of the top candidates YES/NO (slow on CPU).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

from agent.config import Settings
from agent.prompts.rerank import RERANK_JUDGE
from agent.retrieval.protocols import Reranker
from agent.schemas import ScoredChunk

log = logging.getLogger(__name__)

__all__ = [
    "BiEncoderReranker",
    "CrossEncoderReranker",
    "IndexVectorReranker",
    "LLMJudgeReranker",
    "NoReranker",
    "Reranker",
    "make_reranker",
]

# Reciprocal-rank blend of the re-scores and the fusion ranking, with equal votes (RRF's own
# default: no weight fitted to a question set). The re-score's vote is split between the query and
# its topic when the caller gives one. Measured on all 49 FinanceBench-dev questions (mpnet over 30
# scoped candidates, statements promoted; benchmarks/rerank_sweep.py): the former 2:1 weights, swept
# on 12 of them, gave page R@10 0.929 / MRR 0.806; equal votes 0.929 / 0.828; with the topic's
# share 0.929 / 0.839. Nine docugami narrative questions kept their named passage (a debt note, a
# lawsuit, an acquisition) in the top 6 in 7 cases against 4.
BLEND_K = 5
RESCORE_WEIGHT = 1.0
FUSION_WEIGHT = 1.0
# Chunks are ~256-400 tokens; the head carries the table title or paragraph topic.
MAX_RERANK_CHARS = 2000
MAX_CANDIDATES = 30
MAX_SEQ_LENGTH = 256
# Passage vectors kept per reranker (768 floats each: ~3 KB, so ~12 MB in all).
PASSAGE_CACHE_SIZE = 4096


def _passage(chunk: ScoredChunk) -> str:
    meta = chunk.chunk.metadata
    head = f"{meta.section}\n" if meta.section else ""
    return (head + chunk.chunk.text)[:MAX_RERANK_CHARS]


def _ranks(scores: list[float]) -> list[int]:
    """1-based rank of each score, highest first (ties keep input order)."""
    ranks = [0] * len(scores)
    for rank, i in enumerate(sorted(range(len(scores)), key=lambda i: -scores[i]), start=1):
        ranks[i] = rank
    return ranks


def _blend(
    chunks: list[ScoredChunk],
    scores: list[list[float]],
    name: str,
    top_n: int,
    rescore_weight: float,
    fusion_weight: float,
    k: int,
) -> list[ScoredChunk]:
    """Order by ``sum_j (w_r/n)/(k+rank_j) + w_f/(k+rank_fusion)`` over the ``n`` re-score lists
    (the query's, then its topic's); fusion rank = input order."""
    share = rescore_weight / len(scores)
    ranks = [_ranks(s) for s in scores]
    blended = []
    for i, item in enumerate(chunks):
        value = sum(share / (k + r[i]) for r in ranks) + fusion_weight / (k + i + 1)
        stage = dict(item.stage_scores)
        stage[name] = float(scores[0][i])
        if len(scores) > 1:
            stage[f"{name} (topic)"] = float(scores[1][i])
        stage["rerank"] = value
        blended.append(item.model_copy(update={"score": value, "stage_scores": stage}))
    blended.sort(key=lambda c: -c.score)
    return blended[:top_n]


class NoReranker:
    """Keeps the fusion order."""

    name = "none"

    def rerank(
        self, query: str, chunks: list[ScoredChunk], top_n: int, topic: str | None = None
    ) -> list[ScoredChunk]:
        return list(chunks[:top_n])


class BiEncoderReranker:
    """A (stronger) bi-encoder re-scores candidates by cosine similarity, blended with fusion rank.

    Only the first ``max_candidates`` are re-scored (the rest keep fusion order behind them), and
    passages are cut to ``max_seq_length`` tokens. Cost: mpnet encodes ~3 passages/s on 2 idle
    cores (MODELS.md), so ~10 s for 30 candidates; far more on a loaded machine.
    """

    def __init__(
        self,
        model: Any,
        name: str,
        rescore_weight: float = RESCORE_WEIGHT,
        fusion_weight: float = FUSION_WEIGHT,
        blend_k: int = BLEND_K,
        max_candidates: int = MAX_CANDIDATES,
        max_seq_length: int | None = MAX_SEQ_LENGTH,
    ) -> None:
        self.model = model
        self.name = name
        self.rescore_weight = rescore_weight
        self.fusion_weight = fusion_weight
        self.blend_k = blend_k
        self.max_candidates = max_candidates
        self._cache: OrderedDict[tuple[str, int], Any] = OrderedDict()
        self._lock = threading.Lock()
        if max_seq_length and hasattr(model, "max_seq_length"):
            model.max_seq_length = min(model.max_seq_length or max_seq_length, max_seq_length)

    def _encode(self, texts: list[str]) -> Any:
        return self.model.encode(
            texts, batch_size=16, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
        )

    def scores(self, query: str, chunks: list[ScoredChunk]) -> list[float]:
        """Cosine similarity of the query to each candidate.

        Passage vectors are cached by chunk id and text: sub-questions and re-retrieval rounds share
        most candidates, and encoding passages is nearly all of the cost."""
        keys = [(c.id, hash(c.chunk.text)) for c in chunks]
        with self._lock:
            missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        wanted = set(missing)
        texts = {k: _passage(c) for k, c in zip(keys, chunks, strict=True) if k in wanted}
        vectors = self._encode([query] + [texts[k] for k in missing])
        with self._lock:
            for key, vector in zip(missing, vectors[1:], strict=True):
                self._cache[key] = vector
            while len(self._cache) > PASSAGE_CACHE_SIZE:
                self._cache.popitem(last=False)
            passages = [self._cache[k] for k in keys]
        return [float(v @ vectors[0]) for v in passages]

    def rerank(
        self, query: str, chunks: list[ScoredChunk], top_n: int, topic: str | None = None
    ) -> list[ScoredChunk]:
        """``topic``: the query without the scope's names (``query.topic_query``). A filer's name and
        form pull its cover, contents and certifications up in a bi-encoder's score, and its
        statement headers too; re-scored as asked and as the topic, neither wins alone."""
        if not chunks:
            return []
        head, tail = chunks[: self.max_candidates], chunks[self.max_candidates :]
        scores = [self.scores(query, head)]
        if topic and topic != query:
            scores.append(self.scores(topic, head))
        blended = _blend(
            head,
            scores,
            self.name,
            len(head),
            self.rescore_weight,
            self.fusion_weight,
            self.blend_k,
        )
        return (blended + list(tail))[:top_n]


class IndexVectorReranker(BiEncoderReranker):
    """``index-rescore``: the vectors the index stored for the candidates re-score them against the
    query (and its topic) embedded by the index's own model, blended with the fusion ranking as a
    bi-encoder's re-score. No passage is encoded, so it costs a vector read and one query encoding
    (~50 ms for 30 candidates on 2 cores, against ~10-17 s for mpnet). The first stage's dense
    score covers only the candidates it found, and ranks the query as asked; this scores every
    candidate, BM25's too, and the topic as well. FinanceBench-dev page R@10 / MRR with statements
    (README): 0.918 / 0.778, against mpnet's 0.929 / 0.839 and 0.908 / 0.755 with no re-score."""

    def __init__(self, index: Any, name: str = "index-rescore") -> None:
        super().__init__(model=None, name=name, max_seq_length=None)
        self.index = index

    def scores(self, query: str, chunks: list[ScoredChunk]) -> list[float]:
        """Cosine similarity of the query to each candidate's stored vector (-1 for a candidate
        the vector store no longer holds: it keeps its fusion vote only)."""
        import numpy as np

        # The query first: reading the index's model follows a `filings reindex` another process
        # finished, so the vectors below come from the same collection.
        q = np.asarray(self.index.embeddings.embed_query(query), dtype=float)
        read = getattr(self.index.store, "vectors", None)
        if read is None:
            raise ValueError(
                "reranker 'index-rescore' needs a vector store that returns its vectors (Chroma)"
            )
        stored = read([c.id for c in chunks])
        q /= np.linalg.norm(q) or 1.0
        out = []
        for chunk in chunks:
            vector = stored.get(chunk.id)
            if vector is None:
                out.append(-1.0)
                continue
            v = np.asarray(vector, dtype=float)
            out.append(float(v @ q / (np.linalg.norm(v) or 1.0)))
        return out


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder scores (query, passage) pairs; its order is final."""

    def __init__(self, model: Any, name: str) -> None:
        self.model = model
        self.name = name

    def rerank(
        self, query: str, chunks: list[ScoredChunk], top_n: int, topic: str | None = None
    ) -> list[ScoredChunk]:
        """Scores (query, passage) pairs; ``topic`` is not used (the pair model reads the query whole)."""
        if not chunks:
            return []
        raw = self.model.predict([(query, _passage(c)) for c in chunks], show_progress_bar=False)
        out = []
        for item, score in zip(chunks, raw, strict=True):
            stage = dict(item.stage_scores)
            stage[self.name] = float(score)
            out.append(item.model_copy(update={"score": float(score), "stage_scores": stage}))
        out.sort(key=lambda c: -c.score)
        return out[:top_n]


class LLMJudgeReranker:
    """The chat model says YES/NO per candidate; YES moves a chunk ahead, fusion order breaks ties.

    Only the first ``max_judged`` candidates are judged: each judgement is a full prompt on CPU.
    """

    name = "llm"

    def __init__(self, llm: Any, max_judged: int = 8, max_chars: int = 900) -> None:
        self.llm = llm
        self.max_judged = max_judged
        self.max_chars = max_chars

    def _judge(self, query: str, chunk: ScoredChunk) -> bool | None:
        prompt = RERANK_JUDGE.format(question=query, passage=chunk.chunk.text[: self.max_chars])
        reply = self.llm.invoke(prompt)
        text = str(getattr(reply, "content", reply)).strip().upper()
        if text.startswith("YES"):
            return True
        if text.startswith("NO"):
            return False
        return None  # unreadable reply: neither promote nor demote

    def rerank(
        self, query: str, chunks: list[ScoredChunk], top_n: int, topic: str | None = None
    ) -> list[ScoredChunk]:
        """The model judges the question as asked (``topic`` is not used)."""
        judged, rest = chunks[: self.max_judged], chunks[self.max_judged :]
        verdicts = [self._judge(query, c) for c in judged]
        weight = {True: 2.0, None: 1.0, False: 0.0}
        out = []
        for pos, (item, verdict) in enumerate(zip(judged, verdicts, strict=True)):
            stage = dict(item.stage_scores)
            stage["llm"] = weight[verdict]
            out.append((weight[verdict], -pos, item.model_copy(update={"stage_scores": stage})))
        out.sort(key=lambda t: (t[0], t[1]), reverse=True)
        ordered = [t[2] for t in out] + list(rest)
        return ordered[:top_n]


def _tuned_reranker(spec: str, settings: Settings) -> Reranker:
    """``local:tuned/<name>``: a tuned cross-encoder scores the candidates; a tuned bi-encoder
    re-scores them like ``-rescore`` does."""
    from agent.models import load_sentence_transformer, make_cross_encoder, tuned_location
    from agent.tuning.card import read_card

    folder = tuned_location(spec[len("local:") :], settings)
    card = read_card(folder)
    if card is not None and card.kind == "cross-encoder":
        return CrossEncoderReranker(make_cross_encoder(f"hf:{folder}", settings), name=spec)

    return BiEncoderReranker(load_sentence_transformer(spec, settings), name=spec)


def make_reranker(
    spec: str, settings: Settings | None = None, llm: Any | None = None, index: Any | None = None
) -> Reranker:
    """Build a reranker from its spec string (see module docstring). Models load lazily, here.
    ``index``: the open index ``index-rescore`` reads (else the settings' index is opened)."""
    spec = (spec or "none").strip()
    if spec in {"none", "fusion", ""}:
        return NoReranker()
    if spec == "index-rescore":
        if index is None:
            from agent.retrieval.index import FilingIndex

            index = FilingIndex.open(settings or Settings())
        return IndexVectorReranker(index)
    if spec == "llm":
        if llm is None:
            from agent.models import make_chat_model

            settings = settings or Settings()
            llm = make_chat_model(settings.planner_model or settings.chat_model, settings)
        return LLMJudgeReranker(llm)
    if spec.startswith("hf:"):
        if not spec[3:]:
            raise ValueError(
                "reranker 'hf:' needs a CrossEncoder model id or path, e.g. 'hf:./my-cross-encoder'"
            )
        from agent.models import make_cross_encoder

        return CrossEncoderReranker(make_cross_encoder(spec, settings), name=spec)
    if spec.startswith("local:tuned/") and not spec.endswith("-rescore"):
        return _tuned_reranker(spec, settings or Settings())
    if spec.startswith("local:") and spec.endswith("-rescore"):
        from agent.models import load_sentence_transformer

        family = spec[len("local:") : -len("-rescore")]
        model_spec = {"mpnet": "local:all-mpnet-base-v2", "minilm": "local:all-minilm-l6-v2"}.get(
            family, f"local:{family}"
        )
        return BiEncoderReranker(load_sentence_transformer(model_spec, settings), name=spec)
    if spec.startswith("st:"):
        from sentence_transformers import SentenceTransformer

        from agent.models import hf_output

        hf_output()
        return BiEncoderReranker(SentenceTransformer(spec[3:]), name=spec)
    raise ValueError(
        f"unknown reranker {spec!r}: use 'none', 'local:mpnet-rescore', 'index-rescore', "
        "'hf:<cross-encoder id or path>', "
        "'st:<sentence-transformer path>' or 'llm'"
    )
