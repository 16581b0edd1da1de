"""Embedding way 3: the retriever on its own, in your own LCEL chain.

``FilingsRetriever`` is a LangChain ``BaseRetriever`` over the hybrid stack (dense + BM25 fused,
scope resolved from the question and applied as a hard filter, optional rerank). Here it feeds a
plain prompt | model | parser chain — no research graph, no critic.

    python examples/lcel_retriever_app.py --data-dir .data "Apple net sales three months ended July 1, 2023"
"""

from __future__ import annotations

import argparse
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableParallel, RunnablePassthrough

from agent.config import Settings
from agent.retrieval.hybrid import HybridRetriever
from agent.retrieval.index import FilingIndex
from agent.retrieval.langchain import FilingsRetriever, format_docs
from agent.retrieval.rerankers import make_reranker

PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "system",
            "Answer from the numbered passages only and cite them as [n]. If they do not say, say so.",
        ),
        ("human", "Passages:\n{context}\n\nQuestion: {question}"),
    ]
)


def make_filings_retriever(settings: Settings, k: int = 4, rerank: bool = False) -> FilingsRetriever:
    """The index of ``settings`` behind a LangChain retriever returning ``k`` documents."""
    index = FilingIndex.open(settings)
    reranker = make_reranker(settings.reranker_model, settings) if rerank else None
    hybrid = HybridRetriever(index, settings.context(), reranker)
    return FilingsRetriever(hybrid=hybrid, search_kwargs={"k": k, "rerank": rerank})


def make_answer_model(settings: Settings) -> BaseChatModel:
    """The chat model of ``settings``, capped like the research graph's drafter (no runaway answers)."""
    from agent.models import make_chat_model

    return make_chat_model(settings.chat_model, settings, max_tokens=settings.context().max_answer_tokens)


def build_chain(retriever: Runnable, model: BaseChatModel) -> Runnable:
    """question -> {"docs": [Document], "question": str, "answer": str}."""
    answer = (
        {"context": lambda x: format_docs(x["docs"]), "question": lambda x: x["question"]}
        | PROMPT
        | model
        | StrOutputParser()
    )
    return RunnableParallel(docs=retriever, question=RunnablePassthrough()).assign(answer=answer)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("question")
    parser.add_argument("--data-dir")
    parser.add_argument("--k", type=int, default=4)
    args = parser.parse_args(argv)
    settings = Settings.load(data_dir=args.data_dir)
    chain = build_chain(make_filings_retriever(settings, k=args.k), make_answer_model(settings))
    result = chain.invoke(args.question)
    print(result["answer"])
    for n, doc in enumerate(result["docs"], start=1):
        m = doc.metadata
        print(f"[{n}] {m.get('company')} {m.get('form_type')} {m.get('period')}, page {m.get('page_number')}")
    return result


if __name__ == "__main__":
    main()
