"""The parser worker process: parses the next file while this process embeds the current one.

A worker must never outlive its ingest: a killed ``filings ingest`` (kill -9, an OOM kill, a
closed terminal) used to leave its forked parsers alive for minutes. On Linux the kernel sends
them SIGKILL when the parent dies (``PR_SET_PDEATHSIG``); everywhere, a watchdog thread exits the
worker once its parent is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from loaders.parse import Parsed, parse_file

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


def _die_with(parent: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _init_worker(parent: int) -> None:
    _die_with(parent)
    # The embedder is the bottleneck: the parser should only use the cycles it leaves idle.
    with contextlib.suppress(OSError):
        os.nice(10)


def make_pool(workers: int) -> ProcessPoolExecutor | None:
    """A parser pool started now (fork: no re-import of ``__main__``, works from any entry point)."""
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
        pool.submit(os.getpid).result(timeout=60)
        return pool
    except (OSError, ValueError, BrokenProcessPool, TimeoutError) as exc:
        log.warning("parsing in-process (no worker: %s)", exc)
        return None


def submit_parse(
    pool: ProcessPoolExecutor | None, path: Path, sha: str, max_pages: int
) -> Future[Parsed] | None:
    if pool is None:
        return None
    try:
        return pool.submit(parse_file, str(path), sha, max_pages)
    except (BrokenProcessPool, RuntimeError):
        return None


def parse_result(fut: Future[Parsed] | None, path: Path, sha: str, max_pages: int) -> Parsed:
    """The worker's result; parse here if there is no worker or it died."""
    if fut is not None:
        try:
            return fut.result()
        except BrokenProcessPool:
            log.warning("parser worker died on %s; parsing in-process", path)
    return parse_file(str(path), sha, max_pages)
