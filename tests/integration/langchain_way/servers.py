"""Real servers on loopback for the scale-out tests: PostgreSQL (Debian package), the llama.cpp
OpenAI-compatible server, Chroma and ``langgraph dev``. Each starts in a temp dir, waits until it
answers, and is stopped by its own pid at teardown."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class ServedAt:
    url: str
    session: int  # the server's session id (its processes and their children)
    log: Path


def session_cpu_seconds(session: int) -> float:
    """User + system CPU seconds of every live process in ``session`` (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            raw = Path(stat).read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        if int(fields[3]) == session:  # field 6 of stat: the session id
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    probe: Callable[[], bool], *, timeout: float, proc: subprocess.Popen | None, what: str, log: Path
):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode} before it was ready:\n{_tail(log)}")
        if probe():
            return
        time.sleep(0.5)
    pytest.fail(f"{what} not ready after {timeout:.0f} s:\n{_tail(log)}")


def http_ok(url: str) -> Callable[[], bool]:
    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return bool(200 <= resp.status < 300)
        except OSError:
            return False

    return probe


def _tail(log: Path, n: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


@contextlib.contextmanager
def background(cmd: list[str], *, log: Path, env: dict[str, str] | None = None, cwd: Path | None = None):
    """Start ``cmd`` in its own process group; stop that group (and only it) on exit."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


# --- PostgreSQL --------------------------------------------------------------------------------


def _pg_bindir() -> Path:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not candidates:
        pytest.fail(
            "PostgreSQL server binaries not found: run .ci/install-system-deps.sh (apt package postgresql)"
        )
    return Path(candidates[-1]).parent


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on 127.0.0.1; yields its connection URL."""
    bindir = _pg_bindir()
    # Not tmp_path: PostgreSQL refuses to run as root, and the postgres user cannot enter
    # pytest's 0700 root-owned tmp dirs.
    root = Path(tempfile.mkdtemp(prefix="filings-pg-"))
    data, log = root / "data", root / "server.log"
    prefix: list[str] = []
    if os.geteuid() == 0:
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres", "postgres")
    os.chmod(root, 0o700)
    port = free_port()
    run = {"check": True, "capture_output": True, "timeout": 120}
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "filings",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        **run,
    )
    # -F: no fsync (a test cluster); -k: sockets in our dir, not /var/run/postgresql.
    opts = f"-h 127.0.0.1 -p {port} -k {root} -F"
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log), "-w", "start"], **run
    )
    try:
        yield f"postgresql://filings@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


# --- llama.cpp OpenAI-compatible server ----------------------------------------------------------


@contextlib.contextmanager
def llama_server(model_path: Path, *, alias: str, log_dir: Path, n_ctx: int = 4096) -> Iterator[str]:
    """``python -m llama_cpp.server`` on loopback; yields its OpenAI base URL (``.../v1``)."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model_path), "--model_alias", alias,
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(n_ctx), "--n_threads", "2",
    ]  # fmt: skip
    log = log_dir / "llama-server.log"
    with background(cmd, log=log) as proc:
        base = f"http://127.0.0.1:{port}/v1"
        wait_until(http_ok(f"{base}/models"), timeout=120, proc=proc, what="llama_cpp.server", log=log)
        yield base


# --- Chroma server -------------------------------------------------------------------------------


@contextlib.contextmanager
def chroma_server(path: Path, *, log_dir: Path) -> Iterator[tuple[str, int]]:
    """``chroma run`` on loopback over ``path``; yields (host, port)."""
    port = free_port()
    exe = VENV_BIN / "chroma"
    cmd = [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    log = log_dir / "chroma.log"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with background(cmd, log=log, env=env) as proc:
        url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
        wait_until(http_ok(url), timeout=60, proc=proc, what="chroma run", log=log)
        yield "127.0.0.1", port


# --- langgraph dev -------------------------------------------------------------------------------


@contextlib.contextmanager
def filings_serve(data_dir: Path, *, log_dir: Path, env: dict[str, str]) -> Iterator[ServedAt]:
    """``filings serve`` (which runs ``langgraph dev``) on loopback; yields its URL and session."""
    port = free_port()
    cmd = [str(VENV_BIN / "filings"), "--data-dir", str(data_dir), "serve", "--port", str(port)]
    log = log_dir / "langgraph-dev.log"
    with background(cmd, log=log, env=env) as proc:
        url = f"http://127.0.0.1:{port}"
        wait_until(
            http_ok(f"{url}/ok"), timeout=180, proc=proc, what="filings serve (langgraph dev)", log=log
        )
        yield ServedAt(url=url, session=proc.pid, log=log)
