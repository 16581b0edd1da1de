"""`filings serve` with FILINGS_API_TOKEN: requests without the token are refused, and the browser
asks for it (the server's login page on the first visit, the app's own prompt when a request is
refused later) and then shows the app."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from langchain_way.servers import ServedAt, filings_serve
from playwright.sync_api import expect

from .conftest import server_env

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOKEN = "secret"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedAt]:
    # An empty data dir of its own: no index is needed to check the gate.
    data_dir = tmp_path_factory.mktemp("web-token-data")
    log_dir = tmp_path_factory.mktemp("web-token-serve")
    with filings_serve(data_dir, log_dir=log_dir, env=server_env(FILINGS_API_TOKEN=TOKEN)) as at:
        yield at


def status_of(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def search_request(url: str, token: str | None) -> urllib.request.Request:
    body = json.dumps({"metadata": {"app": "filings-web"}, "limit": 5}).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return urllib.request.Request(f"{url}/threads/search", data=body, headers=headers, method="POST")


def test_token_is_required_and_the_app_asks_for_it(guarded, page_factory):
    url = guarded.url
    for token, expected in ((None, 401), ("wrong", 401), (TOKEN, 200)):
        assert status_of(search_request(url, token)) == expected, token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        library = urllib.request.Request(f"{url}/web/api/library", headers=headers)
        assert status_of(library) == (401 if expected == 401 else 200), token
    with urllib.request.urlopen(f"{url}/web/api/config", timeout=30) as resp:
        assert json.load(resp)["auth"] is True

    page = page_factory()
    page.goto(url + "/")
    # The first visit has no token: the server's login page (or the app's prompt) asks for it.
    token_input = page.locator("#token, #token-input").first
    expect(token_input).to_be_visible()
    expect(page.locator("[data-testid=chat-view]")).not_to_be_visible()
    token_input.fill(TOKEN)
    token_input.press("Enter")
    expect(page.locator("body.ready")).to_have_count(1)
    expect(page.locator("[data-testid=chat-view]")).to_be_visible()
    expect(page.locator("[data-testid=token-prompt]")).to_be_hidden()
    expect(page.locator("#thread-list")).to_contain_text("No conversations yet.")

    # The token goes away (another browser profile, a rotated token): the app's own prompt asks
    # again, a wrong token is refused, the right one loads the library.
    page.context.clear_cookies()
    page.evaluate("localStorage.removeItem('filings_token')")
    page.click("[data-testid=nav-library]")
    prompt = page.locator("[data-testid=token-prompt]")
    expect(prompt).to_be_visible()
    expect(page.locator("[data-testid=library-view]")).not_to_be_visible()
    page.fill("[data-testid=token-input]", "wrong")
    page.press("[data-testid=token-input]", "Enter")
    expect(prompt).to_be_visible()
    expect(page.locator("#token-message")).to_contain_text("refused")
    page.fill("[data-testid=token-input]", TOKEN)
    page.press("[data-testid=token-input]", "Enter")
    expect(prompt).to_be_hidden()
    expect(page.locator("[data-testid=library-view]")).to_be_visible()
    expect(page.locator("[data-testid=library-status]")).not_to_have_text("loading…")
    assert page.evaluate("localStorage.getItem('filings_token')") == TOKEN
    assert any(c["name"] == "filings_token" for c in page.context.cookies())
