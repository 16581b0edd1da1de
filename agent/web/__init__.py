"""The browser front end of ``filings serve`` (issue 17).

``langgraph.json`` mounts :data:`agent.web.app.app` as the LangGraph server's custom HTTP app, so
one origin serves the page (``/``, ``/web/static/...``), the routes below and LangGraph's own
threads/runs API (which the page uses to ask the graph). The app's middleware covers every route,
LangGraph's included: an optional bearer token (``FILINGS_API_TOKEN``, :mod:`agent.web.auth`).

Routes (JSON; errors are ``{"error": "<one line>"}`` with a 4xx status):

* ``GET /web/api/config`` (public): ``{"auth", "version"}``
* ``GET|POST /web/api/library``, ``DELETE /web/api/library/{doc_id}`` (:mod:`agent.web.library`)
* ``GET /web/api/documents/{doc_id}/pages/{page}[?quote=]`` and ``.../image``
  (:mod:`agent.web.evidence`)
* ``GET /web/api/chunks/{chunk_id}`` (chunk ids contain ``:``; a path converter takes them) and
  the equivalent ``GET /web/api/chunk?id=<chunk_id>``
"""
