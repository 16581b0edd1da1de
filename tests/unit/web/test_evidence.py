"""/web/api/documents/.../pages/N (JSON, highlight boxes), .../image (PNG), /web/api/chunks,
static files; nothing outside the index or the static folder is reachable."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from agent.retrieval.manifest import Manifest
from agent.web.evidence import find_spans


def _income_statement_row(indexed, doc_id: str) -> tuple[int, str]:
    """The 'Total net sales' row as a chunk holds it (layout text), and its 1-based page."""
    manifest = Manifest(indexed.index_dir / "manifest.sqlite")
    try:
        for chunk in manifest.get_chunks([f"{doc_id}::{i}" for i in range(200)]).values():
            m = re.search(r"Total net sales[^\n]*\d[^\n]*", chunk.text)
            if m:
                return chunk.metadata.page_number, m.group(0)
    finally:
        manifest.close()
    raise AssertionError("no chunk holds the Total net sales row")


def test_a_pdf_page_with_a_quoted_row_has_highlight_boxes(client: TestClient, indexed, apple_id) -> None:
    page, row = _income_statement_row(indexed, apple_id)
    r = client.get(f"/web/api/documents/{apple_id}/pages/{page}", params={"quote": row})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "pdf" and body["page"] == page and body["pages"] > page
    assert body["file_name"] == "2023 Q3 AAPL.pdf" and body["text"] is None and body["spans"] == []
    assert body["image"] == f"/web/api/documents/{apple_id}/pages/{page}/image"
    assert (body["width"], body["height"]) == (612.0, 792.0)
    assert body["section"] and "Item 1" in body["section"] and body["item"] == "1"
    assert body["highlights"]
    for box in body["highlights"]:
        assert set(box) == {"x", "y", "w", "h"}
        assert all(0 <= box[k] <= 1 for k in box) and box["w"] > 0 and box["h"] > 0
        assert box["x"] + box["w"] <= 1.0001 and box["y"] + box["h"] <= 1.0001


def test_a_quote_not_on_the_page_falls_back_to_its_figures(client, indexed, apple_id) -> None:
    page, _row = _income_statement_row(indexed, apple_id)
    quote = "Our total net sales were 81,797 million in the quarter, said nobody on this page"
    figures = client.get(f"/web/api/documents/{apple_id}/pages/{page}", params={"quote": quote}).json()
    assert 1 <= len(figures["highlights"]) <= 3  # "81,797" (wherever it is printed)
    nothing = client.get(f"/web/api/documents/{apple_id}/pages/{page}", params={"quote": "zebra unicorn"})
    assert nothing.status_code == 200 and nothing.json()["highlights"] == []


def test_the_page_image_is_a_png(client: TestClient, apple_id: str) -> None:
    r = client.get(f"/web/api/documents/{apple_id}/pages/1/image")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert client.get(f"/web/api/documents/{apple_id}/pages/1/image").content == r.content


def test_unknown_documents_and_pages_are_404(client: TestClient, apple_id: str) -> None:
    for url in (
        f"/web/api/documents/{apple_id}/pages/0",
        f"/web/api/documents/{apple_id}/pages/999",
        f"/web/api/documents/{apple_id}/pages/999/image",
        "/web/api/documents/nope/pages/1",
        "/web/api/documents/..%2Fx/pages/1",
        "/web/api/documents/%2E%2E/pages/1",
        "/web/api/documents/..%2F..%2Fpyproject.toml/pages/1/image",
    ):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "error" in r.json()


def test_chunks_by_path_or_query(client: TestClient, apple_id: str) -> None:
    chunk_id = f"{apple_id}::3"
    by_path = client.get(f"/web/api/chunks/{chunk_id}").json()
    assert by_path == client.get("/web/api/chunk", params={"id": chunk_id}).json()
    assert by_path["chunk_id"] == chunk_id and by_path["doc_id"] == apple_id
    assert by_path["company"] == "Apple Inc." and by_path["period"] == "FY2023 Q3"
    assert by_path["page"] >= 1 and by_path["text"]
    assert client.get(f"/web/api/chunks/{apple_id}::9999").status_code == 404
    assert client.get("/web/api/chunk").status_code == 400


def test_static_files_stay_inside_the_static_folder(client: TestClient) -> None:
    for url in (
        "/web/static/../../pyproject.toml",
        "/web/static/..%2F..%2F..%2Fpyproject.toml",
        "/web/static/%2e%2e/app.py",
        "/web/static/%2e%2e/%2e%2e/config.py",
        "/web/static/",
    ):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "[project]" not in r.text and "import" not in r.text


def test_root_and_static_files_carry_the_security_headers(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-cache"
    js = client.get("/web/static/login.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "filings_token" in js.text


def test_find_spans_ignores_whitespace_case_and_hyphenation() -> None:
    text = "Net sales:\r\nTotal  net sales 81,797 82,959\r\nthe finan-\r\ncial statements"
    (span,) = find_spans(text, "total net sales 81,797\n82,959")
    assert text[span[0] : span[1]] == "Total  net sales 81,797 82,959"
    (span,) = find_spans(text, "financial statements")
    assert text[span[0] : span[1]] == "finan-\r\ncial statements"
    assert find_spans(text, "") == [] and find_spans(text, "not here at all") == []
