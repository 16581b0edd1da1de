"""The web app of ``filings serve``: ``langgraph.json`` names this module's ``app`` as the LangGraph
server's custom HTTP app (``"http": {"app": "./agent/web/app.py:app"}``), so its routes sit beside
LangGraph's threads/runs API on one origin and its middleware (:class:`agent.web.auth.TokenGate`)
wraps every route, LangGraph's included.

Importing this module is cheap: settings are read, and the embedding model loaded, on first use.
Routes are listed in :mod:`agent.web`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import mimetypes
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from agent.config import Settings
from agent.web import evidence, library
from agent.web.auth import LOGIN_JS, TokenGate, api_token
from agent.web.library import WebError

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
NO_CACHE = {"Cache-Control": "no-cache"}
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}
PLACEHOLDER = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>filings</title>"
    "<p>The web front end is not installed (agent/web/static/index.html is missing).</p></html>"
)
MULTIPART_SLACK = 1 << 16  # bytes of multipart framing allowed over the file size limit


class LazyEmbeddings:
    """The index's embedding model (the recorded one unless the settings name one), loaded on
    first use and kept for later uploads; loaded again if `filings reindex` changed it."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._model: Any = None
        self._spec = ""
        self._lock = threading.Lock()

    def _load(self) -> Any:
        from agent.retrieval.index import effective_embeddings_model

        spec = effective_embeddings_model(self._settings)
        with self._lock:
            if self._model is None or spec != self._spec:
                from agent.models import make_embeddings

                self._model, self._spec = make_embeddings(spec, self._settings), spec
        return self._model

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._load(), name)


class WebState:
    def __init__(self, settings: Settings | None, embeddings: Embeddings | None) -> None:
        self._settings = settings
        self._embeddings = embeddings
        self.write_lock = asyncio.Lock()  # uploads and removals, one at a time

    @functools.cached_property
    def settings(self) -> Settings:
        return self._settings or Settings()

    @functools.cached_property
    def embeddings(self) -> Any:
        return self._embeddings or LazyEmbeddings(self.settings)


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": library.one_line(message)}, status_code=status)


Handler = Callable[[Request], Awaitable[Response]]


def guarded(handler: Handler) -> Handler:
    """WebError -> its status and one line; anything else -> 500 and one line, never a traceback."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except WebError as exc:
            return error(exc.status, exc.message)
        except Exception as exc:
            return error(500, f"internal error ({type(exc).__name__}: {exc})")

    return wrapped


def state(request: Request) -> WebState:
    return request.app.state.web


# --- static files ------------------------------------------------------------------------------
def static_response(path: Path) -> Response:
    media = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media, headers=NO_CACHE)


async def index_page(request: Request) -> Response:
    page = STATIC_DIR / "index.html"
    if page.is_file():
        return static_response(page)
    return Response(PLACEHOLDER, media_type="text/html; charset=utf-8", headers=NO_CACHE)


async def login_js(request: Request) -> Response:
    own = STATIC_DIR / "login.js"
    if own.is_file():
        return static_response(own)
    return Response(LOGIN_JS, media_type=TYPES[".js"], headers=NO_CACHE)


@guarded
async def static_file(request: Request) -> Response:
    wanted = request.path_params["path"]
    root = STATIC_DIR.resolve()
    try:
        path = (root / wanted).resolve()
    except (OSError, ValueError):
        raise WebError(404, "not found") from None
    if not path.is_relative_to(root) or path == root or not path.is_file():
        raise WebError(404, f"no static file {wanted!r}")
    return static_response(path)


# --- API ---------------------------------------------------------------------------------------
async def config(request: Request) -> Response:
    from agent import __version__

    return JSONResponse({"auth": api_token() is not None, "version": __version__})


@guarded
async def list_library(request: Request) -> Response:
    filings = await run_in_threadpool(library.library, state(request).settings)
    return JSONResponse({"filings": filings})


@guarded
async def upload(request: Request) -> Response:
    web = state(request)
    settings = web.settings
    limit = int(settings.max_file_mb * 1e6)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_SLACK:
        raise WebError(413, f"upload is over the {settings.max_file_mb:g} MB limit")
    file = await _one_file(_limited(request, limit + MULTIPART_SLACK))
    try:
        async with web.write_lock:
            done = await run_in_threadpool(
                library.ingest_upload,
                settings,
                file.filename or "",
                file.file,
                file.size if file.size is not None else _size(file),
                web.embeddings,
            )
    finally:
        await file.close()
    return JSONResponse({"filing": done.filing, "message": done.message})


class _TooLarge(Exception):
    pass


def _limited(request: Request, cap: int) -> Request:
    """The request with a body that stops at ``cap`` bytes (chunked uploads have no length)."""
    seen = 0

    async def receive() -> Any:
        nonlocal seen
        message = await request.receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise _TooLarge
        return message

    return Request(request.scope, receive)


async def _one_file(request: Request) -> UploadFile:
    from starlette.formparsers import MultiPartException

    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise WebError(400, "send the file as multipart/form-data in the field 'file'")
    try:
        form = await request.form(max_files=1, max_fields=20)
    except _TooLarge:
        raise WebError(413, "upload is over the size limit") from None
    except MultiPartException as exc:
        raise WebError(400, f"bad upload: {exc.message}") from None
    files = [v for v in form.getlist("file") if isinstance(v, UploadFile)]
    if len(files) != 1:
        raise WebError(400, "send exactly one file in the field 'file'")
    return files[0]


def _size(file: UploadFile) -> int:
    file.file.seek(0, 2)
    size = file.file.tell()
    file.file.seek(0)
    return size


@guarded
async def remove(request: Request) -> Response:
    web = state(request)
    doc_id = request.path_params["doc_id"]
    async with web.write_lock:
        removed = await run_in_threadpool(library.remove_document, web.settings, doc_id)
    return JSONResponse({"removed": removed.doc_id})


@guarded
async def page(request: Request) -> Response:
    p = request.path_params
    quote = request.query_params.get("quote")
    body = await run_in_threadpool(evidence.page_json, state(request).settings, p["doc_id"], p["page"], quote)
    return JSONResponse(body)


@guarded
async def page_image(request: Request) -> Response:
    p = request.path_params
    png = await run_in_threadpool(evidence.page_png, state(request).settings, p["doc_id"], p["page"])
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})


@guarded
async def chunk(request: Request) -> Response:
    chunk_id = request.path_params.get("chunk_id") or request.query_params.get("id") or ""
    if not chunk_id:
        raise WebError(400, "give a chunk id: /web/api/chunk?id=<chunk id>")
    return JSONResponse(await run_in_threadpool(evidence.chunk_json, state(request).settings, chunk_id))


async def not_found(request: Request) -> Response:
    return error(404, f"no route {request.url.path}")


ANY = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def warm_up(settings: Settings) -> None:
    """The research graph's index and embedding model, loaded before the first question (the
    graph's ``Resources`` for these settings are the process-wide ones the served graph uses)."""
    from agent.nodes.resources import resources_for

    started = time.perf_counter()
    try:
        resources_for(settings).warm()
    except Exception as exc:  # a broken index is reported by the first question, not at start
        log.warning("warming the index failed: %s", library.one_line(exc))
        return
    log.info("index and embedding model ready in %.1f s", time.perf_counter() - started)


@contextlib.asynccontextmanager
async def warm_lifespan(app: Starlette) -> AsyncIterator[None]:
    """LangGraph's server runs this app's lifespan: start the warm-up, never wait for it."""
    task = asyncio.get_running_loop().run_in_executor(None, warm_up, app.state.web.settings)
    yield
    task.cancel()


def build_app(
    settings: Settings | None = None, embeddings: Embeddings | None = None, *, warm: bool = False
) -> Starlette:
    """The web app; ``settings`` default to the server process's (``FILINGS_*``, read on first use).
    ``warm``: load the index and embedding model in the background when the server starts."""
    routes = [
        Route("/", index_page, methods=["GET"]),
        Route("/web/static/login.js", login_js, methods=["GET"]),
        Route("/web/static/{path:path}", static_file, methods=["GET"]),
        Route("/web/api/config", config, methods=["GET"]),
        Route("/web/api/library", list_library, methods=["GET"]),
        Route("/web/api/library", upload, methods=["POST"]),
        Route("/web/api/library/{doc_id}", remove, methods=["DELETE"]),
        Route("/web/api/documents/{doc_id}/pages/{page:int}", page, methods=["GET"]),
        Route("/web/api/documents/{doc_id}/pages/{page:int}/image", page_image, methods=["GET"]),
        Route("/web/api/chunks/{chunk_id:path}", chunk, methods=["GET"]),
        Route("/web/api/chunk", chunk, methods=["GET"]),
        Route("/web/{rest:path}", not_found, methods=ANY),
    ]
    app = Starlette(
        routes=routes, middleware=[Middleware(TokenGate)], lifespan=warm_lifespan if warm else None
    )
    app.state.web = WebState(settings, embeddings)
    return app


app = build_app(warm=True)
