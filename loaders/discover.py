"""Which files an ingest reads, decided from the file system alone, before any file is opened.

Hostile or careless trees are the norm: symlink loops, links out of the named folder, FIFOs,
sockets and devices (opening a FIFO blocks forever, while the ingest holds the write lock),
unreadable folders, files far too large to be a filing. Each becomes one line naming the path;
the rest of the batch goes on.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from loaders.parse import SUPPORTED


@dataclass
class Problem:
    """A named path or a file found in a folder that will not be read, and why."""

    path: str
    message: str


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOENT:
        return "no such file or folder (or a dangling symlink)"
    return exc.strerror or str(exc)


def safe_resolve(path: Path) -> Path:
    """``Path.resolve`` that reports a loop as an ``OSError(ELOOP)`` (3.11 raises RuntimeError)."""
    try:
        return path.resolve(strict=True)
    except RuntimeError as exc:
        raise OSError(errno.ELOOP, "symlink loop", str(path)) from exc


def regular_file_problem(path: Path, max_bytes: int | None = None) -> str | None:
    """Why ``path`` cannot be read as a file (following links), or None. Never opens the file."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return _os_reason(exc)
    if not stat.S_ISREG(st.st_mode):
        return f"{_kind(st.st_mode)}, not a regular file: not read"
    if max_bytes is not None and st.st_size > max_bytes:
        return (
            f"file is {st.st_size / 1e6:,.1f} MB, over the per-file limit of {max_bytes / 1e6:,.0f} MB "
            "(raise it with --max-file-mb or FILINGS_MAX_FILE_MB)"
        )
    return None


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _named(raw: Path, out: Discovery) -> Path | None:
    """A path from the command line: a folder to walk (returned), a file (added), or a problem."""
    p = Path(raw).expanduser()
    try:
        st = os.stat(p)
    except OSError as exc:
        out.problems.append(Problem(str(p), _os_reason(exc)))
        return None
    if stat.S_ISDIR(st.st_mode):
        try:
            return safe_resolve(p)
        except OSError as exc:
            out.problems.append(Problem(str(p), _os_reason(exc)))
            return None
    if not stat.S_ISREG(st.st_mode):
        out.problems.append(Problem(str(p), f"{_kind(st.st_mode)}, not a regular file: not read"))
        return None
    out.files.append(safe_resolve(p))
    return None


def _walk(root: Path, out: Discovery) -> None:
    def unreadable(exc: OSError) -> None:
        out.problems.append(Problem(exc.filename or str(root), f"cannot read folder ({_os_reason(exc)})"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=unreadable):
        here = Path(dirpath)
        for d in list(dirnames):
            if d.startswith("."):
                dirnames.remove(d)
            elif (here / d).is_symlink():
                dirnames.remove(d)
                try:
                    where = "inside" if _inside(safe_resolve(here / d), root) else "outside"
                    out.warnings.append(f"{here / d}: symlinked folder ({where} {root}) not followed")
                except OSError as exc:
                    out.warnings.append(f"{here / d}: symlinked folder not followed ({_os_reason(exc)})")
        for name in sorted(filenames):
            f = here / name
            if name.startswith(".") or f.suffix.lower() not in SUPPORTED:
                continue
            if f.is_symlink():
                try:
                    target = safe_resolve(f)
                except OSError as exc:
                    out.problems.append(Problem(str(f), _os_reason(exc)))
                    continue
                if not _inside(target, root):
                    out.warnings.append(f"{f}: symlink to {target} outside {root}, skipped")
                    continue
                f = target
            try:
                mode = os.lstat(f).st_mode
            except OSError as exc:
                out.problems.append(Problem(str(f), _os_reason(exc)))
                continue
            if not stat.S_ISREG(mode):
                out.problems.append(Problem(str(f), f"{_kind(mode)}, not a regular file: not read"))
                continue
            out.files.append(f)


def discover(paths: list[Path]) -> Discovery:
    """Files to ingest (de-duplicated, in the order found), warnings, and paths that will not be read.

    Folders are walked recursively for supported files; symlinks that leave the named folder are
    skipped with a warning, symlinked folders are not followed, hidden entries are ignored.
    """
    out = Discovery()
    for raw in paths:
        root = _named(raw, out)
        if root is not None:
            _walk(root, out)
    out.files = list(dict.fromkeys(out.files))
    return out


def stale_reason(source_path: str, sha256: str) -> str | None:
    """Why the indexed text of ``source_path`` no longer matches the file on disk, or None."""
    from loaders.parse import sha256_file

    path = Path(source_path)
    if not os.path.lexists(path):
        return "file is gone (deleted or renamed): `filings ingest --prune FOLDER` removes it"
    problem = regular_file_problem(path)
    if problem:
        return problem
    try:
        current = sha256_file(path)
    except OSError as exc:
        return f"cannot read ({_os_reason(exc)})"
    return None if current == sha256 else "changed on disk since it was ingested: `filings ingest` it again"
