"""Hostile file systems through the real `filings ingest`: one clear line per bad path naming
it, the good files indexed, nothing stale or duplicated, no traceback, no hang."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from hostile_cli import FILINGS, TEXT_FILING, run

from agent.config import Settings
from agent.retrieval.index import FilingIndex

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RECIPE = (
    "<html><body>"
    + "<p>Whisk the eggs with sugar until pale, then fold in the flour.</p>" * 20
    + "</body></html>"
)


def _index_state(data: Path) -> tuple[dict[str, int], list[str]]:
    """committed file name -> chunks, every chunk text; asserts manifest, Chroma and leftovers agree."""
    index = FilingIndex.open(Settings(data_dir=data))
    try:
        docs = {Path(d.source_path).name: d.chunks for d in index.documents()}
        texts = [t for _c, t, _m in index.manifest.committed_chunks()]
        assert index.count() == sum(docs.values()) == index.store.count() == len(texts)
        assert index.manifest.leftovers() == []
    finally:
        index.close()
    return docs, texts


def test_a_hostile_folder_is_reported_file_by_file_and_the_rest_ingested(
    good_filing: Path, tmp_path: Path
) -> None:
    folder = good_filing.parent
    os.symlink(folder / "b.pdf", folder / "a.pdf")  # a loop of two links
    os.symlink(folder / "a.pdf", folder / "b.pdf")
    os.symlink(folder, folder / "again")  # a folder link back into the tree
    os.mkfifo(folder / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.htm"))
    with (folder / "dump.txt").open("wb") as fh:
        fh.truncate(200_000_000)  # a 200 MB file (sparse: creating it costs nothing)
    (folder / "euro.txt").write_bytes(
        (TEXT_FILING + "Sales in Europe reached € 412 million at Société Générale.\n").encode("cp1252")
    )
    (folder / "recipes.htm").write_text(RECIPE)
    data = tmp_path / "data"
    try:
        result = run("--data-dir", data, "ingest", folder, timeout=400)
    finally:
        sock.close()
    assert result.code == 1, result.text
    expected = {
        "a.pdf": "symlink loop",
        "b.pdf": "symlink loop",
        "pipe.txt": "a FIFO, not a regular file",
        "sock.htm": "a socket, not a regular file",
        "dump.txt": "over the per-file limit of 100 MB",
        "recipes.htm": "does not look like a filing",
    }
    for name, cause in expected.items():
        mine = [ln for ln in result.lines_naming(name) if "failed" in ln]
        assert len(mine) == 1, (name, result.text)
        assert cause in mine[0], (name, mine[0])
    assert any("again" in ln and "not followed" in ln for ln in result.text.splitlines()), result.text
    docs, texts = _index_state(data)
    assert set(docs) == {good_filing.name, "euro.txt"}
    assert any("€ 412 million" in t and "Société Générale" in t for t in texts)  # no U+FFFD
    assert not any("\ufffd" in t for t in texts)
    # --force keeps the page that is not a filing, and says so; the size limit is a flag.
    forced = run("--data-dir", data, "ingest", "--force", folder / "recipes.htm")
    assert forced.code == 0 and "kept because of --force" in forced.text, forced.text
    small = run("--data-dir", data, "ingest", "--max-file-mb", "0.01", folder / "euro.txt", good_filing)
    assert small.code == 1 and "over the per-file limit of 0 MB" in small.text, small.text


def test_stale_text_is_dropped_listed_and_pruned(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT_FILING.replace("ACME", "ALPHA"))
    (folder / "b.txt").write_text(TEXT_FILING.replace("ACME", "BRAVO"))
    (folder / "c.txt").write_text(TEXT_FILING.replace("ACME", "CHARLIE"))
    data = tmp_path / "data"
    assert run("--data-dir", data, "ingest", folder).code == 0
    (folder / "a.txt").write_bytes((folder / "b.txt").read_bytes())  # overwritten with b's bytes
    (folder / "c.txt").rename(folder / "c-renamed.txt")
    again = run("--data-dir", data, "ingest", folder)
    assert again.code == 0, again.text
    assert "older version" in again.lines_naming("a.txt")[0]
    _docs, texts = _index_state(data)
    assert not any("ALPHA" in t for t in texts)  # a.txt's old text is no longer searchable
    stale = run("--data-dir", data, "docs", "list", "--stale", "--json")
    listed = json.loads(stale.out)
    assert [Path(d["source_path"]).name for d in listed] == ["c.txt"] and "gone" in listed[0]["stale"]
    pruned = run("--data-dir", data, "ingest", "--prune", folder)
    assert pruned.code == 0 and len([ln for ln in pruned.lines_naming("c.txt") if "removed" in ln]) == 1
    docs, texts = _index_state(data)
    assert set(docs) == {"b.txt", "c-renamed.txt"}
    assert (
        sum("CHARLIE" in t for t in texts) >= 1
        and json.loads(run("--data-dir", data, "docs", "list", "--stale", "--json").out) == []
    )


def _no_dac(tmp_root: Path) -> list[str]:
    """Run as this user but bound by file permissions (root bypasses them otherwise)."""
    if os.geteuid() != 0:
        return []
    return [
        "setpriv",
        "--bounding-set=-dac_override,-dac_read_search",
        "--inh-caps=-dac_override,-dac_read_search",
    ]


def test_unreadable_paths_are_per_file_errors(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "good.txt").write_text(TEXT_FILING)
    (folder / "locked" / "hidden.txt").write_text(TEXT_FILING.replace("ACME", "HIDDEN"))
    secret = tmp_path / "secret.txt"
    secret.write_text(TEXT_FILING.replace("ACME", "SECRET"))
    (folder / "locked").chmod(0)
    secret.chmod(0)
    data = tmp_path / "data"
    try:
        result = run("--data-dir", data, "ingest", folder, secret, prefix=_no_dac(tmp_path))
    finally:
        (folder / "locked").chmod(0o755)
        secret.chmod(0o644)
    assert result.code == 1, result.text
    assert (
        len([ln for ln in result.lines_naming("locked") if "cannot read folder (permission denied)" in ln])
        == 1
    )
    assert len([ln for ln in result.lines_naming("secret.txt") if "Permission denied" in ln]) == 1, (
        result.text
    )
    assert set(_index_state(data)[0]) == {"good.txt"}


def test_parse_workers_die_with_a_killed_ingest(shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("AMCOR_2023Q2_10Q.pdf", "AMAZON_2019_10K.pdf", "ADOBE_2022_10K.pdf", "NETFLIX_2017_10K.pdf"):
        (folder / name).write_bytes((shared_data / "financebench-dev" / "pdfs" / name).read_bytes())
    proc = subprocess.Popen(
        [FILINGS, "--data-dir", str(tmp_path / "data"), "ingest", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 120
        workers: list[psutil.Process] = []
        while time.monotonic() < deadline and not workers:
            workers = parent.children(recursive=True)
            time.sleep(0.2)
        assert workers, "the ingest never started a parser worker"
        time.sleep(3)  # let the worker start parsing
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        _gone, alive = psutil.wait_procs(workers, timeout=10)
        assert alive == [], f"workers outlived the killed ingest: {alive}"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_two_ingests_on_a_fresh_data_dir_never_crash(tmp_path: Path) -> None:
    filing = tmp_path / "acme.txt"
    filing.write_text(TEXT_FILING)
    for trial in range(3):
        data = tmp_path / f"data{trial}"
        cmd = [FILINGS, "--data-dir", str(data), "ingest", str(filing)]
        procs = [
            subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
        ]
        outs = [(p.wait(300), *p.communicate()) for p in procs]
        for code, out, err in outs:
            assert "Traceback" not in out + err and "already exists" not in out + err, out + err
            assert code == 0 or (code == 3 and "another process is writing" in err), (code, out, err)
        assert any(code == 0 for code, _o, _e in outs)
        assert set(_index_state(data)[0]) == {"acme.txt"}
