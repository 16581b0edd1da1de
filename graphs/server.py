"""Module-level graphs for ``langgraph.json`` (``langgraph dev`` / LangGraph Server).

The server reads ``module.__dict__[name]`` after executing the file, so the lazy module
``__getattr__`` of :mod:`graphs.research` is invisible to it: the graph must be a real module
attribute. Compiling is cheap here (chat models, embeddings and the index are built on first use
by ``Resources``, from the ``FILINGS_*`` settings of the server process).
"""

from __future__ import annotations

from graphs.research import build_research_graph

graph = build_research_graph()
