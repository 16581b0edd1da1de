"""Retrieval models adapted to the user's own filings, offline (``filings tune``).

One module per step:

* :mod:`agent.tuning.split`     documents split into train and held-out sets (never a query of a
                                 held-out document in training);
* :mod:`agent.tuning.queries`   training queries written from the index's structure, with no LLM:
                                 statement rows with their period, Items and headings, table titles,
                                 defined terms, in keyword and question styles;
* :mod:`agent.tuning.llm_queries` optional questions written by the planner model for a budgeted
                                 sample of passages (structured output);
* :mod:`agent.tuning.negatives` hard negatives mined with the index's current vectors (same filing,
                                 obvious false negatives removed);
* :mod:`agent.tuning.train`     fine-tuning on CPU with sentence-transformers' trainers: a bi-encoder
                                 (full or LoRA) and optionally a cross-encoder reranker;
* :mod:`agent.tuning.evaluate`  before/after ranking metrics on the held-out queries;
* :mod:`agent.tuning.card`      where tuned models live (``<data_dir>/tuned/<name>``) and their card;
* :mod:`agent.tuning.run`       the whole flow, as the CLI runs it.

A tuned model is used by its model string ``local:tuned/<name>`` (embeddings or reranker).
"""
