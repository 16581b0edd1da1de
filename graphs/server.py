"""Module-level graphs for ``langgraph.json`` (``langgraph dev`` / LangGraph Server).

The server reads ``module.__dict__[name]`` after executing the file, so the lazy module
``__getattr__`` of :mod:`graphs.research` is invisible to it: the graph must be a real module
attribute. Compiling is cheap here (chat models, embeddings and the index are built on first use
by ``Resources``, from the ``FILINGS_*`` settings of the server process, which also give every
run's default models: see :func:`build_server_graph`).
"""

from __future__ import annotations

from typing import Any

from agent.config import Settings
from graphs.research import build_research_graph


def build_server_graph(settings: Settings | None = None) -> Any:
    """The research graph as served: a run's context defaults to the server process's settings.

    ``Settings()`` here is env > TOML file > defaults, as for the CLI (``filings serve`` hands its
    ``--data-dir`` / ``--config`` down as ``FILINGS_DATA_DIR`` / ``FILINGS_CONFIG``). Context keys
    an assistant or a run sends still win over these defaults.
    """
    settings = settings or Settings()
    graph = build_research_graph(settings=settings)
    return graph.copy({"context_schema": settings.context_schema()})


graph = build_server_graph()
