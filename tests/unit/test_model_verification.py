"""Local model files damaged without a new mtime are caught (issue 16, point 12): the stamp records
ctime and inode, the first check in a process reads the header and a sampled hash, a corrupt file is
reported in one line naming it and `filings models fetch --force`, and a rebuild says so.

A tiny fake model (256 KiB, registered for the test) keeps these fast.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import random
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent import local_models
from agent.cli import app
from agent.commands import _common
from agent.local_models import (
    LocalModel,
    LocalModelError,
    ensure_local_model,
    header_problem,
    sample_spans,
    status,
    verify,
)

SIZE = 256 * 1024


@dataclasses.dataclass
class Fake:
    model: LocalModel
    models_dir: Path
    source: Path

    @property
    def path(self) -> Path:
        return self.models_dir / self.model.artifact


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fake:
    data = b"GGUF" + random.Random(0).randbytes(SIZE - 4)
    source = tmp_path / "package" / "tiny.gguf"
    source.parent.mkdir()
    source.write_bytes(data)
    model = LocalModel(
        name="tiny",
        role="chat",
        description="test model",
        packages=(),
        recipe="copy",
        parts=(("tiny-dist", "tiny/tiny.gguf"),),
        artifact="tiny.gguf",
        verify_file="",
        size=SIZE,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    monkeypatch.setattr(local_models, "REGISTRY", {"tiny": model})
    monkeypatch.setattr(local_models, "package_file", lambda dist, rel: source)
    # 4 blocks of 4 KiB: the sample covers part of the file, as it does for a 1 GB model.
    monkeypatch.setattr(local_models, "SAMPLE_BLOCKS", 4)
    monkeypatch.setattr(local_models, "SAMPLE_BYTES", 4096)
    monkeypatch.setattr(local_models, "_CHECKED", set())
    monkeypatch.setattr(_common.console, "_width", 400)
    monkeypatch.setattr(_common.err_console, "_width", 400)
    return Fake(model, tmp_path / "models", source)


def flip_byte(path: Path, offset: int, *, keep_mtime: bool = True) -> None:
    """Damage one byte in place; put the mtime back as a careless copy tool or a bad disk would."""
    before = path.stat()
    with path.open("r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0xFF]))
    if keep_mtime:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert path.stat().st_mtime_ns == before.st_mtime_ns


def test_a_fresh_file_is_verified_by_stamp_and_sample(fake: Fake) -> None:
    path = ensure_local_model("tiny", fake.models_dir)
    assert path == fake.path
    stamp = json.loads((fake.models_dir / ".verified" / "tiny.json").read_text())
    assert {"size", "mtime_ns", "ctime_ns", "inode", "sha256", "sample_sha256"} <= set(stamp)
    assert verify(fake.model, fake.models_dir) == (True, "verified (stamp + sample)")
    assert verify(fake.model, fake.models_dir, deep=True) == (True, "verified (sha256)")


def test_corruption_that_keeps_the_mtime_is_detected(fake: Fake) -> None:
    path = ensure_local_model("tiny", fake.models_dir)
    middle = SIZE // 2
    assert not any(o <= middle < o + n for o, n in sample_spans(SIZE))  # only the ctime can tell
    flip_byte(path, middle)
    ok, reason = verify(fake.model, fake.models_dir)
    assert not ok and "sha256" in reason and str(path) in reason
    with pytest.raises(LocalModelError) as err:
        ensure_local_model("tiny", fake.models_dir, rebuild=False)
    message = str(err.value)
    assert "\n" not in message and str(path) in message
    assert "filings models fetch --force tiny" in message


def test_damage_with_an_unchanged_identity_is_caught_by_the_sample(
    fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ensure_local_model("tiny", fake.models_dir)
    offset, _ = sample_spans(SIZE)[1]
    flip_byte(path, offset + 10)
    # A file system whose ctime does not move (bit rot, some network mounts): the stamp still
    # matches size, mtime, ctime and inode, so only the content can tell.
    stamp_file = fake.models_dir / ".verified" / "tiny.json"
    stamp = json.loads(stamp_file.read_text())
    st = path.stat()
    stamp.update(mtime_ns=st.st_mtime_ns, ctime_ns=st.st_ctime_ns, inode=st.st_ino)
    stamp_file.write_text(json.dumps(stamp))
    monkeypatch.setattr(local_models, "_CHECKED", set())  # a new process
    ok, reason = verify(fake.model, fake.models_dir)
    assert not ok and "changed in place" in reason and str(path) in reason
    assert not stamp_file.exists()  # the next check hashes in full


def test_the_sample_is_read_once_per_process(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    ensure_local_model("tiny", fake.models_dir)
    monkeypatch.setattr(local_models, "_CHECKED", set())
    reads: list[Path] = []
    real = local_models.sample_sha256

    def counting(path: Path) -> str:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(local_models, "sample_sha256", counting)
    for _ in range(3):
        assert verify(fake.model, fake.models_dir)[0]
    assert len(reads) == 1


def test_a_corrupt_header_is_one_line_naming_the_file_and_the_fix(fake: Fake) -> None:
    path = ensure_local_model("tiny", fake.models_dir)
    with path.open("r+b") as f:
        f.write(b"XXXX")
    ok, reason = verify(fake.model, fake.models_dir)
    assert (ok, reason) == (False, f"{path} does not start with the GGUF magic bytes (corrupt header)")
    with pytest.raises(LocalModelError) as err:
        ensure_local_model("tiny", fake.models_dir, rebuild=False)
    assert str(err.value) == (
        f"local model 'tiny' failed verification: {path} does not start with the GGUF magic bytes "
        "(corrupt header); rebuild it with `filings models fetch --force tiny`"
    )
    # `models list` sees it without a stamp too (the header is always read).
    (fake.models_dir / ".verified" / "tiny.json").unlink(missing_ok=True)
    st = status("tiny", fake.models_dir)
    assert st.verified is False and "corrupt header" in st.detail and "fetch --force tiny" in st.detail


def test_a_rebuild_says_that_it_rebuilt(fake: Fake, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="agent.local_models")
    path = ensure_local_model("tiny", fake.models_dir)
    assert caplog.messages == []  # the first assembly is not a rebuild
    with path.open("r+b") as f:
        f.write(b"XXXX")
    assert ensure_local_model("tiny", fake.models_dir) == path
    assert path.read_bytes() == fake.source.read_bytes()
    assert caplog.messages == [
        f"rebuilt {path}: {path} does not start with the GGUF magic bytes (corrupt header)"
    ]


def test_safetensors_header_check(tmp_path: Path) -> None:
    header = b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
    good = tmp_path / "model.safetensors"
    good.write_bytes(struct.pack("<Q", len(header)) + header + b"\0\0\0\0")
    assert header_problem(good) is None
    bad = tmp_path / "bad" / "model.safetensors"
    bad.parent.mkdir()
    bad.write_bytes(b"\xff" * 64)
    assert "corrupt header" in (header_problem(bad) or "")
    assert header_problem(tmp_path / "modules.json") is None  # other formats are not checked


def test_models_list_reports_how_it_verified(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILINGS_MODEL_DIR", str(fake.models_dir))
    ensure_local_model("tiny", fake.models_dir)
    listed = CliRunner().invoke(app, ["models", "list"])
    assert listed.exit_code == 0 and "yes (stamp + sample)" in listed.output
    deep = CliRunner().invoke(app, ["models", "list", "--deep"])
    assert deep.exit_code == 0 and "yes (sha256)" in deep.output
    flip_byte(fake.path, SIZE // 2)
    damaged = CliRunner().invoke(app, ["models", "list"])
    assert "sha256" in damaged.output and "filings models fetch --force tiny" in damaged.output


def test_commands_that_load_a_model_report_its_error_in_one_line(
    fake: Fake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import agent.retrieval.index as index

    path = ensure_local_model("tiny", fake.models_dir)
    with path.open("r+b") as f:
        f.write(b"XXXX")

    def open_index(cls, settings):  # where `search` loads the embedding model
        return ensure_local_model("tiny", fake.models_dir, rebuild=False)

    monkeypatch.setattr(index.FilingIndex, "open", classmethod(open_index))
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "manifest.sqlite").touch()  # an index is there (no index is its own one line)
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "search", "Apple net sales 2023"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # handled, not a traceback
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: local model 'tiny' failed verification")
    assert str(path) in lines[0] and "filings models fetch --force tiny" in lines[0]
