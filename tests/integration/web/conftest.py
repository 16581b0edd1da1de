"""Fixtures for the browser tests: an index of the bundled samples, `filings serve` on it, and
Debian's chromium driven by Playwright (its own browser download is not used)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_way.servers import ServedAt, filings_serve

CHROMIUM = "/usr/bin/chromium"


def server_env(**extra: str) -> dict[str, str]:
    """The server's environment: offline, no tracing, none of the developer's FILINGS_* settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LANGSMITH_") and not (k.startswith("FILINGS_") and k != "FILINGS_MODEL_DIR")
    }
    env.update({"LANGSMITH_TRACING": "false", "LANGCHAIN_TRACING_V2": "false", "HF_HUB_OFFLINE": "1"})
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def web_index_dir(tmp_path_factory: pytest.TempPathFactory, samples_index_dir: Path) -> Path:
    """A private copy of the session's index of the bundled samples (two Apple 10-Qs, the Amazon
    FY2022 10-K): uploads go into it, so the shared index stays as built."""
    target = tmp_path_factory.mktemp("web-index")
    shutil.copytree(samples_index_dir, target, dirs_exist_ok=True)
    return target


@pytest.fixture(scope="module")
def served(web_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedAt]:
    with filings_serve(web_index_dir, log_dir=tmp_path_factory.mktemp("web-serve"), env=server_env()) as at:
        yield at


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $FILINGS_ARTIFACTS, else a pytest temp dir."""
    wanted = os.environ.get("FILINGS_ARTIFACTS")
    path = Path(wanted) if wanted else tmp_path_factory.mktemp("web-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run .ci/install-system-deps.sh (Debian package chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


# Records Content-Security-Policy violations (an inline script or handler the app would need).
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def page_factory(browser: Any) -> Iterator[Callable[..., Any]]:
    """New pages in fresh contexts (1280x800); page errors fail the test at teardown."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, **options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(CSP_WATCH)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def wait_for(page: Any, script: str, *, timeout: float = 30.0, arg: Any = None) -> Any:
    """Polls ``page.evaluate(script)`` until truthy (wait_for_function evaluates strings in the
    page, which the app's CSP forbids)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout:.0f} s: {script}")
        time.sleep(0.1)
