"""/web/api/library: list, upload (checks before writing, all-or-nothing ingest), remove."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from agent.config import Settings
from agent.web.app import build_app

FILING = "Item 7. Management's Discussion and Analysis\n" + "Acme revenue grew 12.5% to 81,797 in 2023.\n" * 8


def _uploads(settings: Settings) -> list[Path]:
    folder = settings.data_dir / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def _ids(client: TestClient) -> list[str]:
    return [f["doc_id"] for f in client.get("/web/api/library").json()["filings"]]


def _one_line_error(response, status: int) -> str:
    assert response.status_code == status, response.text
    message = response.json()["error"]
    assert message and "\n" not in message and "Traceback" not in message
    return message


def test_library_lists_committed_filings_without_paths(client: TestClient, samples_dir: Path) -> None:
    body = client.get("/web/api/library").json()
    (filing,) = body["filings"]
    assert set(filing) == {
        "doc_id", "company", "ticker", "form_type", "period", "period_end", "pages", "chunks",
        "parser_version", "file_name", "kind",
    }  # fmt: skip
    assert filing["company"] == "Apple Inc." and filing["form_type"] == "10-Q"
    assert filing["period"] == "FY2023 Q3" and filing["kind"] == "pdf"
    assert filing["file_name"] == "2023 Q3 AAPL.pdf" and str(samples_dir) not in str(body)
    assert filing["pages"] > 20 and filing["chunks"] > 0


def test_an_empty_data_dir_lists_nothing_and_creates_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d")
    with TestClient(build_app(settings)) as c:
        assert c.get("/web/api/library").json() == {"filings": []}
    assert not settings.data_dir.exists()


def test_a_corrupt_pdf_is_refused_and_leaves_the_library_unchanged(client: TestClient, indexed) -> None:
    before = _ids(client)
    r = client.post(
        "/web/api/library", files={"file": ("broken.pdf", b"%PDF-1.4 garbage", "application/pdf")}
    )
    assert 400 <= r.status_code < 500
    _one_line_error(r, r.status_code)
    assert _ids(client) == before
    assert _uploads(indexed) == []


def test_wrong_types_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d")
    with TestClient(build_app(settings)) as c:
        for name, data in [("tool.exe", b"MZ\x90\x00binary"), ("fake.pdf", b"hello, not a pdf"),
                           ("page.html", b"%PDF-1.7 a pdf in disguise"), ("notes.txt", b"a\x00b")]:  # fmt: skip
            r = c.post("/web/api/library", files={"file": (name, data)})
            _one_line_error(r, 415)
    assert not settings.data_dir.exists()


def test_an_empty_file_is_refused(client: TestClient, indexed) -> None:
    _one_line_error(client.post("/web/api/library", files={"file": ("empty.pdf", b"")}), 400)
    assert _uploads(indexed) == []


def test_no_file_field_is_a_400(client: TestClient) -> None:
    _one_line_error(client.post("/web/api/library", data={"other": "x"}), 400)
    _one_line_error(
        client.post("/web/api/library", content=b"raw", headers={"content-type": "text/plain"}), 400
    )


def test_over_the_size_limit_is_a_413(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", max_file_mb=0.001)  # 1000 bytes
    with TestClient(build_app(settings)) as c:
        r = c.post("/web/api/library", files={"file": ("big.pdf", b"%PDF-1.4\n" + b"x" * 5000)})
        assert "limit" in _one_line_error(r, 413)
        r = c.post("/web/api/library", files={"file": ("big.pdf", b"%PDF-1.4\n" + b"x" * 200_000)})
        _one_line_error(r, 413)

        def chunked():  # no Content-Length: the body is cut off at the limit
            yield b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4\n'
            yield from (b"x" * 1000 for _ in range(200))
            yield b"\r\n--XX--\r\n"

        headers = {"content-type": "multipart/form-data; boundary=XX"}
        _one_line_error(c.post("/web/api/library", content=chunked(), headers=headers), 413)
    assert not (settings.data_dir / "uploads").exists()


def test_a_file_already_in_the_library_is_not_stored_again(client, indexed, samples_dir) -> None:
    before = _ids(client)
    data = (samples_dir / "2023 Q3 AAPL.pdf").read_bytes()
    r = client.post("/web/api/library", files={"file": ("copy of apple.pdf", data, "application/pdf")})
    assert r.status_code == 200, r.text
    assert "already in the library" in r.json()["message"]
    assert r.json()["filing"]["doc_id"] in before
    assert _ids(client) == before and _uploads(indexed) == []


def test_upload_ingests_then_delete_removes(tmp_path: Path, embedder) -> None:
    settings = Settings(data_dir=tmp_path / "d")
    with TestClient(build_app(settings, embedder)) as c:
        r = c.post("/web/api/library", files={"file": ("../../Acme 2023.txt", FILING.encode(), "text/plain")})
        assert r.status_code == 200, r.text
        filing = r.json()["filing"]
        assert filing["kind"] == "text" and filing["file_name"] == "Acme 2023.txt"
        assert r.json()["message"].startswith("ingested Acme 2023.txt: 1 pages,")
        assert [p.name for p in _uploads(settings)] == ["Acme 2023.txt"]
        assert _ids(c) == [filing["doc_id"]]
        page = c.get(
            f"/web/api/documents/{filing['doc_id']}/pages/1", params={"quote": "revenue  grew\n12.5%"}
        )
        body = page.json()
        assert body["image"] is None and body["highlights"] == [] and body["spans"]
        start, end = body["spans"][0]
        assert body["text"][start:end] == "revenue grew 12.5%"
        assert c.delete(f"/web/api/library/{filing['doc_id']}").json() == {"removed": filing["doc_id"]}
        assert _ids(c) == [] and _uploads(settings) == []
        _one_line_error(c.delete(f"/web/api/library/{filing['doc_id']}"), 404)


def test_delete_unknown_or_path_like_ids_is_a_404(client: TestClient, samples_dir: Path) -> None:
    before = _ids(client)
    for doc in ("nope", "..%2Fx", str(samples_dir / "2023 Q3 AAPL.pdf").replace("/", "%2F"), before[0][:20]):
        r = client.delete(f"/web/api/library/{doc}")
        _one_line_error(r, 404)
    assert _ids(client) == before
