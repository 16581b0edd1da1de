"""kill -9 a real `filings ingest` mid-write, then re-run it; and ingest into a real `chroma run`
server on loopback."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.config import Settings
from agent.retrieval.index import FilingIndex

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FB = "financebench-dev/pdfs"
# A one-page 8-K (9 passages, one embedding batch) and an earnings release (85 passages, two).
FILES = [f"{FB}/FOOTLOCKER_2022_8K_dated-2022-05-20.pdf", f"{FB}/JOHNSON_JOHNSON_2023Q2_EARNINGS.pdf"]


def _ingest_cmd(data: Path, folder: Path) -> list[str]:
    return [sys.executable, "-m", "agent.cli", "--data-dir", str(data), "ingest", str(folder)]


def _env() -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    env.pop("FILINGS_DATA_DIR", None)
    return env


def _pending_with_chunks(manifest: Path) -> bool:
    if not manifest.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{manifest}?mode=ro", uri=True, timeout=1)
        row = con.execute(
            "SELECT COUNT(*) FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE d.status = 'pending'"
        ).fetchone()
        con.close()
        return bool(row and row[0] > 0)
    except sqlite3.Error:
        return False


def _expected_chunks(paths: list[Path]) -> int:
    """What a clean ingest writes: the same parse + chunk path with the embedder's tokenizer."""
    from agent.models import load_sentence_transformer
    from loaders.chunking import HFTokenCounter, chunk_segments
    from loaders.parse import parse_file, sha256_file

    model = load_sentence_transformer("local:all-minilm-l6-v2")
    counter = HFTokenCounter(model.tokenizer)
    budget = min(256, model.max_seq_length - 2)
    return sum(
        len(chunk_segments(parse_file(str(p), sha256_file(p)).segments, counter, budget)) for p in paths
    )


def test_kill_9_mid_ingest_then_rerun(shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    # The larger filing first (a folder is ingested in name order): its chunks are written in
    # several embedding batches, so it stays pending with chunks for a while and the kill lands
    # mid-write. A one-batch filing commits milliseconds after its chunks, and the poll can miss it.
    copies = [
        Path(shutil.copy(shared_data / f, folder / f"{n}-{Path(f).name}"))
        for n, f in enumerate(reversed(FILES))
    ]
    data = tmp_path / "data"
    manifest = data / "index" / "manifest.sqlite"

    proc = subprocess.Popen(
        _ingest_cmd(data, folder),
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600
        while not _pending_with_chunks(manifest):
            assert proc.poll() is None, "ingest finished before it could be killed mid-write"
            assert time.monotonic() < deadline, "ingest never reached the write phase"
            time.sleep(0.1)
    finally:
        # the ingest and its parser worker, by their process group (we started both)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    idx = FilingIndex.open(Settings(data_dir=data))
    committed = {d.doc_id for d in idx.documents()}
    assert idx.manifest.leftovers(), "the kill should have left a pending document"
    assert idx.store.count() > idx.count()  # vectors of the half-written document exist ...
    for hit in idx.dense_search("sales growth earnings per share", 20) + idx.bm25_search(
        "sales earnings", 20
    ):
        assert hit.chunk.metadata.doc_id in committed  # ... but no search can see them
    idx.close()

    rerun = subprocess.run(
        _ingest_cmd(data, folder), env=_env(), capture_output=True, text=True, timeout=1200
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr

    idx = FilingIndex.open(Settings(data_dir=data))
    assert len(idx.documents()) == 2 and idx.manifest.leftovers() == []
    expected = _expected_chunks(copies)
    assert idx.count() == expected == idx.store.count()  # same as a clean ingest, no duplicates
    ids = idx.store.collection.get(include=[])["ids"]
    assert len(ids) == len(set(ids)) == expected
    idx.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path):
    chroma = Path(sys.executable).with_name("chroma")
    assert chroma.exists(), "the chroma CLI ships with chromadb"
    port = _free_port()
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )
    try:
        import chromadb

        deadline = time.monotonic() + 90
        while True:
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
                break
            except Exception:  # the server is still starting; any failure means "not yet"
                assert proc.poll() is None, "chroma server exited"
                assert time.monotonic() < deadline, "chroma server did not come up"
                time.sleep(0.5)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_chroma_server_mode(cli, chroma_server: int, small_filing: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FILINGS_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("FILINGS_CHROMA_PORT", str(chroma_server))
    data = tmp_path / "data"
    first = cli("--data-dir", data, "ingest", small_filing)
    assert first.exit_code == 0, first.output
    assert not (data / "index" / "chroma").exists()  # vectors went to the server, not the embedded store

    idx = FilingIndex.open(Settings(data_dir=data))
    assert idx.settings.chroma_host == "127.0.0.1"
    n = idx.count()
    assert n > 5 and idx.store.count() == n
    hits = idx.dense_search("shareholders voted on proposals", 3)
    assert hits and hits[0].chunk.metadata.company == "Foot Locker, Inc."
    idx.close()

    again = cli("--data-dir", data, "ingest", small_filing)
    assert again.exit_code == 0 and "skipped" in again.output
    idx = FilingIndex.open(Settings(data_dir=data))
    assert idx.store.count() == n
    idx.close()
