"""A cancelled call stops llama.cpp (issue 15, point 4): during prompt processing (the abort
callback) and between generated tokens, for ``ainvoke`` and ``astream``; the model is released
and the next call gives the same output as before."""

from __future__ import annotations

import asyncio
import time

import pytest
from langchain_core.messages import HumanMessage

from agent.chat_llamacpp import ChatLlamaCppLocal
from agent.models import make_chat_model

pytestmark = pytest.mark.integration

LONG = [
    HumanMessage("Revenue grew in fiscal 2023 across all segments. " * 150 + "\nSummarise in one sentence.")
]
COUNT = [HumanMessage("Count from 1 to 200, one number per line.")]


@pytest.fixture(scope="module")
def qwen() -> ChatLlamaCppLocal:
    chat = make_chat_model("local:qwen2.5-coder-1.5b", max_tokens=400)
    assert isinstance(chat, ChatLlamaCppLocal)
    return chat


async def _released_after_cancel(model: ChatLlamaCppLocal, task: asyncio.Task, delay: float) -> float:
    """Cancel ``task`` after ``delay`` s; seconds until the model's lock is free again."""
    await asyncio.sleep(delay)
    assert not task.done(), "the call finished before it could be cancelled"
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    loaded = model._get_loaded()
    assert await asyncio.to_thread(loaded.lock.acquire, True, 30), "the model was never released"
    loaded.lock.release()
    return time.monotonic() - start


async def test_cancel_stops_prompt_processing_and_generation(
    qwen: ChatLlamaCppLocal, capfd: pytest.CaptureFixture[str]
) -> None:
    before = (await qwen.ainvoke(COUNT, max_tokens=12)).content

    # ~1.7k prompt tokens take tens of seconds on 2 cores: cancelled after 2 s, inside the prompt.
    capfd.readouterr()
    seconds = await _released_after_cancel(qwen, asyncio.ensure_future(qwen.ainvoke(LONG, max_tokens=64)), 2)
    assert seconds < 3, f"prompt processing went on {seconds:.1f} s after the cancel"
    # llama.cpp logs the aborted decode as an error; it must not reach the user's terminal (it broke
    # the chat prompt): its native log lines go to Python logging.
    assert capfd.readouterr().err == ""

    # A short prompt, then 400 tokens of counting: cancelled while it generates.
    seconds = await _released_after_cancel(qwen, asyncio.ensure_future(qwen.ainvoke(COUNT)), 6)
    assert seconds < 3, f"generation went on {seconds:.1f} s after the cancel"

    first_token = asyncio.Event()

    async def consume() -> None:
        async for chunk in qwen.astream(COUNT):
            if chunk.content:
                first_token.set()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(first_token.wait(), 60)
    seconds = await _released_after_cancel(qwen, task, 1)
    assert seconds < 3, f"streaming went on {seconds:.1f} s after the cancel"

    # Nothing of the aborted calls leaks into the next one.
    after = await qwen.ainvoke(COUNT, max_tokens=12)
    assert after.content == before
    assert after.usage_metadata and after.usage_metadata["input_tokens"] > 10
