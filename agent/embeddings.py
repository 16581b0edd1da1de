"""LangChain ``Embeddings`` over a loaded SentenceTransformer (batched, L2-normalised)."""

from __future__ import annotations

from typing import Any

from langchain_core.embeddings import Embeddings


class SentenceTransformerEmbeddings(Embeddings):
    """Encode with a shared SentenceTransformer; vectors are unit length, so cosine == dot product."""

    def __init__(self, model: Any, name: str = "", batch_size: int = 32) -> None:
        self.model = model  # exposed for token-aware chunking (model.tokenizer)
        self.name = name
        self.batch_size = batch_size

    @property
    def dimension(self) -> int:
        # sentence-transformers 6 renamed it (the old name warns); 5 has only the old one.
        size = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        dim = size()
        return int(dim) if dim is not None else len(self.embed_query("x"))

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]
