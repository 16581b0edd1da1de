"""The server warms the served graph's index and embedding model at start (issue 17: the first
progress line of the first question should not wait for them)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from agent.config import Settings
from agent.nodes.resources import Resources
from agent.web import app as web_app


class CountingIndex:
    def __init__(self) -> None:
        self.loaded: list[str] = []

    def documents(self) -> list[Any]:
        self.loaded.append("documents")
        return []

    @property
    def embeddings(self) -> object:
        self.loaded.append("embeddings")
        return object()


def test_warm_opens_the_index_and_loads_the_embedder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    settings.index_dir.mkdir(parents=True)
    (settings.index_dir / "manifest.sqlite").touch()
    index = CountingIndex()
    Resources(settings, index=index).warm()
    assert index.loaded == ["documents", "embeddings"]


def test_warm_creates_nothing_without_an_index(tmp_path: Path) -> None:
    Resources(Settings(data_dir=tmp_path)).warm()
    assert not any(tmp_path.iterdir())


def test_the_served_app_warms_at_start_and_tests_apps_do_not(monkeypatch, tmp_path: Path) -> None:
    calls: list[Settings] = []
    monkeypatch.setattr(web_app, "warm_up", calls.append)
    settings = Settings(data_dir=tmp_path)
    with TestClient(web_app.build_app(settings, warm=True)) as client:
        assert client.get("/web/api/config").status_code == 200  # served while it warms
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
    assert calls == [settings]
    with TestClient(web_app.build_app(settings)) as client:
        client.get("/web/api/config")
    assert calls == [settings]  # build_app() without warm=True loads nothing
