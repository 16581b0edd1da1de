"""The optional bearer token of ``filings serve`` and the web app's security headers.

``FILINGS_API_TOKEN`` (environment of the server process): when set, every request — the web app's
routes and LangGraph's own API (/threads, /runs, /assistants, /docs ...), since this middleware sits
on the custom app that wraps them all — needs ``Authorization: Bearer <token>`` or a cookie
``filings_token=<token>`` (so ``<img>`` tags work). Public: ``/ok`` (health checks),
``/web/api/config`` and the login script. A browser navigation without a token gets a small page
asking for it; anything else gets ``401 {"error": "token required"}``.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote

TOKEN_ENV = "FILINGS_API_TOKEN"
COOKIE = "filings_token"
PUBLIC_PATHS = frozenset({"/ok", "/web/api/config", "/web/static/login.js"})

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]

LOGIN_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>filings: token required</title>
<script src="/web/static/login.js" defer></script>
</head>
<body>
<h1>Token required</h1>
<p>This server needs its access token (<code>FILINGS_API_TOKEN</code>).</p>
<form id="login">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Continue</button>
</form>
</body>
</html>
"""

# Served at /web/static/login.js unless agent/web/static/login.js exists (then that file is).
LOGIN_JS = """document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("login");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = document.getElementById("token").value.trim();
    if (!token) return;
    document.cookie = "filings_token=" + encodeURIComponent(token) + "; path=/; SameSite=Strict";
    window.location.reload();
  });
});
"""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def api_token(environ: MutableMapping[str, str] | None = None) -> str | None:
    """The token the server requires, or None (unset or blank)."""
    value = (os.environ if environ is None else environ).get(TOKEN_ENV, "").strip()
    return value or None


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server reachable from this machine only."""
    if host.strip().lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return unquote(value.strip().strip('"'))
    return None


def presented_token(scope: Scope) -> str | None:
    headers = _headers(scope)
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return _cookie(headers.get("cookie", ""), COOKIE)


def token_ok(scope: Scope, expected: str) -> bool:
    given = presented_token(scope)
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def is_web_path(path: str) -> bool:
    return path == "/" or path.startswith("/web/")


def _wants_html(scope: Scope) -> bool:
    return scope.get("method") == "GET" and "text/html" in _headers(scope).get("accept", "")


class TokenGate:
    """ASGI middleware: the token check on every route (when a token is set) and the security
    headers on the web app's own responses (``/`` and ``/web/...``)."""

    def __init__(self, app: ASGIApp, token: str | Callable[[], str | None] | None = api_token) -> None:
        self.app = app
        self._token = token

    def token(self) -> str | None:
        return self._token() if callable(self._token) else self._token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        expected = self.token()
        if expected and not self._public(scope, path) and not token_ok(scope, expected):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await self._refuse(scope, send)
            return
        if scope["type"] == "http" and is_web_path(path):
            send = _with_security_headers(send)
        await self.app(scope, receive, send)

    @staticmethod
    def _public(scope: Scope, path: str) -> bool:
        if path in PUBLIC_PATHS:
            return True
        # A CORS preflight carries no credentials by design; the CORS middleware answers it.
        return scope.get("method") == "OPTIONS" and "access-control-request-method" in _headers(scope)

    @staticmethod
    async def _refuse(scope: Scope, send: Send) -> None:
        if _wants_html(scope):
            body, ctype = LOGIN_PAGE.encode(), b"text/html; charset=utf-8"
        else:
            body, ctype = json.dumps({"error": "token required"}).encode(), b"application/json"
        headers = [
            (b"content-type", ctype),
            (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", b'Bearer realm="filings"'),
            (b"cache-control", b"no-store"),
            *SECURITY_HEADERS,
        ]
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _with_security_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {k.lower() for k, _ in message.get("headers", [])}
            extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return wrapped
