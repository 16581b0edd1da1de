"""FILINGS_API_TOKEN: every route needs it (LangGraph's, merged into the app, included) but /ok,
/web/api/config and the login script; `filings serve` refuses a public host without it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from agent.web.app import build_app

TOKEN = "s3cret-token"


@pytest.fixture
def locked(monkeypatch: pytest.MonkeyPatch, indexed) -> TestClient:
    monkeypatch.setenv("FILINGS_API_TOKEN", TOKEN)
    app = build_app(indexed)

    async def threads(request):  # stands in for LangGraph's API, merged after the app's routes
        return JSONResponse([{"thread_id": "t1"}])

    app.router.routes += [Route("/threads/search", threads, methods=["POST"]), Route("/ok", threads)]
    return TestClient(app)


def test_without_a_token_everything_is_open(client: TestClient) -> None:
    assert client.get("/web/api/library").status_code == 200
    assert client.get("/web/api/config").json()["auth"] is False


def test_the_token_is_required_by_header_or_cookie(locked: TestClient) -> None:
    r = locked.get("/web/api/library")
    assert r.status_code == 401 and r.json() == {"error": "token required"}
    assert locked.get("/web/api/library", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert locked.get("/web/api/library", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert locked.get("/web/api/library", cookies={"filings_token": TOKEN}).status_code == 200
    assert locked.get("/web/api/library", cookies={"filings_token": "nope"}).status_code == 401
    assert locked.post("/web/api/library", files={"file": ("a.pdf", b"%PDF-1.4 x")}).status_code == 401


def test_the_token_covers_the_langgraph_api_but_not_ok(locked: TestClient) -> None:
    assert locked.post("/threads/search", json={}).status_code == 401
    ok = locked.post("/threads/search", json={}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    assert locked.get("/ok").status_code == 200
    assert "content-security-policy" not in ok.headers  # the app's headers stay off the API


def test_a_browser_navigation_gets_a_login_page(locked: TestClient) -> None:
    r = locked.get("/", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("text/html")
    assert "<form" in r.text and '<script src="/web/static/login.js"' in r.text
    assert "<script>" not in r.text  # no inline script: the CSP forbids it
    assert "script-src 'self'" in r.headers["content-security-policy"]
    js = locked.get("/web/static/login.js")
    assert js.status_code == 200 and "document.cookie" in js.text
    assert locked.get("/web/static/app.js").status_code == 401
    ok = locked.get("/", cookies={"filings_token": TOKEN}, headers={"Accept": "text/html"})
    assert ok.status_code == 200


def test_config_is_public(locked: TestClient) -> None:
    from agent import __version__

    assert locked.get("/web/api/config").json() == {"auth": True, "version": __version__}


def test_serve_refuses_a_public_host_without_a_token(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from agent.cli import app

    def no_server(*args, **kwargs):
        raise AssertionError("the server must not start")

    monkeypatch.setattr(subprocess, "call", no_server)
    monkeypatch.delenv("FILINGS_API_TOKEN", raising=False)
    for host in ("0.0.0.0", "192.168.1.5", "::"):
        result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "serve", "--host", host])
        assert result.exit_code == 2, result.output
        (line,) = result.output.strip().splitlines()
        assert "FILINGS_API_TOKEN" in line and host in line


def test_serve_allows_loopback_or_a_token() -> None:
    from agent.commands.serve import exposure_problem

    assert exposure_problem("127.0.0.1", {}) is None
    assert exposure_problem("localhost", {}) is None
    assert exposure_problem("::1", {}) is None
    assert exposure_problem("0.0.0.0", {"FILINGS_API_TOKEN": "x"}) is None
    assert exposure_problem("0.0.0.0", {"FILINGS_API_TOKEN": "  "}) is not None


def test_the_served_config_mounts_the_web_app(tmp_path: Path) -> None:
    from agent.commands.serve import REPO_CONFIG, server_config

    path, _, variable = server_config()["http"]["app"].rpartition(":")
    assert Path(path) == REPO_CONFIG.parent / "agent" / "web" / "app.py" and variable == "app"
    assert json.loads(REPO_CONFIG.read_text())["http"] == {"app": "./agent/web/app.py:app"}
    assert server_config(tmp_path / "missing.json")["http"] == {"app": "agent.web.app:app"}
