"""Stopping a local model when the run that called it is cancelled.

LangGraph cancels a run (``runs.cancel`` on the server, Ctrl-C in ``filings chat``) by cancelling
its asyncio task; a model generating in a worker thread would not notice and would keep a core busy
until its answer is done. Local chat models therefore generate through :func:`run_cancellable`:
the thread gets a :class:`threading.Event` that the awaiting side sets when it is cancelled, and
checks it between tokens (and llama.cpp between the steps of prompt processing).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


class GenerationCancelled(Exception):
    """The caller cancelled the generation; the model stopped early and its output is discarded."""


def check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise GenerationCancelled("generation cancelled")


async def run_cancellable(fn: Callable[[threading.Event], T]) -> T:
    """``fn(cancel)`` in a worker thread; cancelling the awaiting task sets ``cancel``."""
    cancel = threading.Event()
    try:
        return await asyncio.to_thread(fn, cancel)
    except asyncio.CancelledError:
        cancel.set()
        raise


async def iterate_cancellable(make: Callable[[threading.Event], Iterator[T]]) -> AsyncIterator[T]:
    """Items of the iterator ``make(cancel)`` produced in a worker thread, as an async iterator.

    Closing the async iterator early or cancelling its consumer sets ``cancel``; the thread stops
    at its next check and the iterator is closed there (releasing whatever it holds).
    """
    cancel = threading.Event()
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def produce() -> None:
        iterator = make(cancel)
        try:
            for item in iterator:
                loop.call_soon_threadsafe(queue.put_nowait, ("item", item))
                if cancel.is_set():
                    break
        except BaseException as exc:  # handed to the consumer
            loop.call_soon_threadsafe(queue.put_nowait, ("error", exc))
            return
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()
        loop.call_soon_threadsafe(queue.put_nowait, ("done", None))

    worker = asyncio.ensure_future(asyncio.to_thread(produce))
    try:
        while True:
            kind, value = await queue.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                break
    finally:
        cancel.set()  # no-op when the thread already finished
        if worker.done():
            worker.result()
