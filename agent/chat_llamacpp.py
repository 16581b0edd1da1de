"""A thin LangChain chat model over ``llama_cpp.Llama``.

Why not ``langchain_community``'s ``ChatLlamaCpp``: it builds a new ``Llama`` per instance (1.1 GB
reloaded per role), does not fill ``AIMessage.usage_metadata``, takes no lock (llama.cpp contexts are
not thread-safe, and LangGraph runs parallel branches in threads) and does structured output through
tool calling. Here one ``Llama`` per (file, n_ctx, n_threads) is shared by every chat model object in
the process, so llama.cpp's prefix reuse (it keeps the KV cache of the longest common token prefix with
the previous call) works across roles that share a prompt prefix.
"""

from __future__ import annotations

import itertools
import logging
import sys
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from pydantic import ConfigDict, Field, PrivateAttr

from agent.cancellation import GenerationCancelled, iterate_cancellable, run_cancellable
from agent.models import ContextWindowExceededError, verbose
from agent.structured_output import structured_output_runnable

log = logging.getLogger(__name__)


@dataclass
class LoadedLlama:
    """A loaded model and the lock that serialises every use of its context.

    ``cancel`` is the event of the call holding the lock (None between calls): llama.cpp's abort
    callback reads it while a prompt is being processed, so a cancelled run stops within one step
    of the compute graph instead of after the whole prompt.
    """

    llm: Any
    lock: threading.Lock = field(default_factory=threading.Lock)
    cancel: threading.Event | None = None
    abort_callback: Any = None  # the ctypes callback, kept alive as long as the context

    def install_abort(self, on: bool) -> None:
        """Ask llama.cpp to poll ``cancel`` (prompt processing) or not (token by token, where the
        Python loop checks it: a callback per graph node would cost a GIL round trip each)."""
        import llama_cpp

        if on and self.abort_callback is None:
            self.abort_callback = llama_cpp.ggml_abort_callback(
                lambda _data: bool(self.cancel is not None and self.cancel.is_set())
            )
        callback = self.abort_callback if on else llama_cpp.ggml_abort_callback()
        llama_cpp.llama_set_abort_callback(self.llm._ctx.ctx, callback, None)


_LOADED: dict[tuple[str, int, int], LoadedLlama] = {}
_LOADED_GUARD = threading.Lock()

native_log = log.getChild("native")
_native_log_callback: Any = None  # the ctypes callback llama.cpp holds, kept alive for the process


def route_native_logs() -> None:
    """Send llama.cpp's own log lines to the ``agent.chat_llamacpp.native`` logger at DEBUG, and to
    stderr only with ``--verbose`` (like the transformers logs, :func:`agent.models.hf_output`).

    llama-cpp-python's callback prints every ERROR line to stderr even with ``verbose=False``, and a
    cancelled call makes llama.cpp log one ("decode: removing memory module entries ..."), which landed
    in the middle of the chat prompt. These lines are diagnostics: every failure they describe also
    reaches us as a Python exception (a failed load, a failed decode), which our code reports.
    """
    global _native_log_callback
    if _native_log_callback is not None:
        return
    import ctypes

    import llama_cpp
    import llama_cpp._logger  # installs its own callback on import: ours must come after

    @llama_cpp.llama_log_callback
    def to_logging(_level: int, text: bytes, _user_data: Any) -> None:
        line = text.decode("utf-8", "replace").rstrip()
        if line:
            native_log.debug("%s", line)
            if verbose():
                print(line, file=sys.stderr, flush=True)

    llama_cpp.llama_log_set(to_logging, ctypes.c_void_p(0))
    _native_log_callback = to_logging


def load_llama(model_path: str, n_ctx: int, n_threads: int, cache_mb: int = 0) -> LoadedLlama:
    """The process-wide ``Llama`` for this file/context/threads, loaded on first use.

    ``cache_mb`` > 0 attaches an LRU RAM cache of KV states keyed by token prefix: llama.cpp by itself
    only reuses the prefix shared with the immediately preceding call, so alternating prompts
    (drafter, judge, drafter again) would re-read their long prefixes every time. The first load
    decides the cache for the shared instance.
    """
    key = (model_path, n_ctx, n_threads)
    with _LOADED_GUARD:
        loaded = _LOADED.get(key)
        if loaded is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ImportError(
                    "local GGUF models need llama-cpp-python: pip install 'llama-cpp-python==0.3.36'"
                ) from exc
            route_native_logs()
            llm = Llama(
                model_path=model_path,
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                seed=0,
                verbose=False,
            )
            if cache_mb > 0:
                llm.set_cache(_compact_ram_cache(cache_mb * 1024 * 1024))
            loaded = _LOADED[key] = LoadedLlama(llm)
        return loaded


def _compact_ram_cache(capacity_bytes: int) -> Any:
    """A ``LlamaRAMCache`` that does not keep a copy of the logits buffer with every state.

    ``Llama.save_state`` copies ``n_batch x n_vocab`` float logits (311 MB for Qwen2.5's 152k vocab)
    that ``cache_size`` does not count, so a "512 MB" cache could hold gigabytes. ``load_state``
    never needs them: it marks the context for re-evaluation, and the last prompt token is decoded
    again before sampling. One row is kept so that its broadcast assignment still works.
    """
    from llama_cpp import LlamaRAMCache

    class CompactRAMCache(LlamaRAMCache):
        def __setitem__(self, key: Any, value: Any) -> None:
            value.scores = value.scores[-1:].copy()
            super().__setitem__(key, value)

    return CompactRAMCache(capacity_bytes=capacity_bytes)


def forget_prompts() -> None:
    """Empty every loaded model's prompt-prefix reuse (its last prompt and the RAM cache), so the
    next call pays its full prompt: for measurements that compare systems on the same prompts."""
    with _LOADED_GUARD:
        loaded = list(_LOADED.values())
    for entry in loaded:
        with entry.lock:
            entry.llm.reset()
            cache = getattr(entry.llm, "cache", None)
            if cache is not None and hasattr(cache, "cache_state"):
                cache.cache_state.clear()


def unload_all() -> None:
    """Drop every cached ``Llama`` (tests and benchmarks that measure loading)."""
    with _LOADED_GUARD:
        _LOADED.clear()


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and part.get("type") == "text":
            parts.append(str(part.get("text", "")))
    return "".join(parts)


def to_chat_dicts(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """OpenAI-style role/content dicts that llama.cpp's chat templates understand."""
    out: list[dict[str, str]] = []
    for m in messages:
        if isinstance(m, SystemMessage):
            role = "system"
        elif isinstance(m, HumanMessage):
            role = "user"
        elif isinstance(m, AIMessage):
            role = "assistant"
        elif isinstance(m, ToolMessage):
            # Small local models have no tool role in their templates; show the result as user text.
            role = "user"
        else:
            role = "user"
        out.append({"role": role, "content": _content_text(m.content)})
    return out


def _reraise_context_overflow(exc: ValueError, n_ctx: int) -> None:
    # llama.cpp signals an over-long prompt with a bare ValueError; give callers a type to catch.
    if "exceed context window" in str(exc):
        raise ContextWindowExceededError(
            f"{exc}; shorten the prompt (fewer/shorter chunks) or raise FILINGS_N_CTX (now {n_ctx})"
        ) from exc


def _usage(usage: dict[str, int] | None) -> UsageMetadata | None:
    if not usage:
        return None
    prompt = int(usage.get("prompt_tokens", 0))
    completion = int(usage.get("completion_tokens", 0))
    return UsageMetadata(input_tokens=prompt, output_tokens=completion, total_tokens=prompt + completion)


class ChatLlamaCppLocal(BaseChatModel):
    """Chat model over a local GGUF file, greedy by default, structured output by JSON-schema grammar."""

    # A misspelt option (``max_token=``) must fail loudly, not be dropped.
    model_config = ConfigDict(extra="forbid")
    # agent.models.prompt_tokens asks the model itself: its tokenizer is local.
    counts_own_tokens: ClassVar[bool] = True

    model_path: str = Field(description="Path of the verified GGUF file.")
    model_name: str = Field(default="local", description="Name reported in response metadata.")
    n_ctx: int = 4096
    n_threads: int = 2
    cache_mb: int = Field(default=512, description="RAM cache of prompt-prefix KV states (0: off).")
    temperature: float = 0.0
    top_p: float = 1.0
    repeat_penalty: float = 1.0
    max_tokens: int | None = 512
    seed: int = 0
    stop: list[str] | None = None

    _loaded: LoadedLlama | None = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "n_ctx": self.n_ctx, "temperature": self.temperature}

    def _get_loaded(self) -> LoadedLlama:
        if self._loaded is None:
            self._loaded = load_llama(self.model_path, self.n_ctx, self.n_threads, self.cache_mb)
        return self._loaded

    def _params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "repeat_penalty": self.repeat_penalty,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "stop": stop if stop is not None else self.stop,
        }
        for key in (
            "temperature",
            "top_p",
            "max_tokens",
            "response_format",
            "grammar",
            "seed",
            "repeat_penalty",
        ):
            if key in kwargs:
                params[key] = kwargs[key]
        return params

    def _completion(
        self, messages: list[BaseMessage], params: dict[str, Any], cancel: threading.Event | None
    ) -> Iterator[ChatGenerationChunk]:
        """Token chunks, then one empty chunk with usage; stops at a set ``cancel``
        (:class:`GenerationCancelled`), checked during prompt processing and between tokens."""
        loaded = self._get_loaded()
        chat = to_chat_dicts(messages)
        with loaded.lock:
            loaded.cancel = cancel
            loaded.install_abort(cancel is not None)
            stream = None
            try:
                n_completion = 0
                finish_reason = None
                try:
                    stream = loaded.llm.create_chat_completion(messages=chat, stream=True, **params)
                    first = next(stream, None)  # the prompt is processed here
                except ValueError as exc:
                    _reraise_context_overflow(exc, self.n_ctx)
                    raise
                except RuntimeError:
                    if cancel is not None and cancel.is_set():  # llama_decode aborted
                        raise GenerationCancelled("generation cancelled during the prompt") from None
                    raise
                loaded.install_abort(False)
                parts = [] if first is None else itertools.chain([first], stream)
                for part in parts:
                    if cancel is not None and cancel.is_set():
                        raise GenerationCancelled("generation cancelled")
                    choice = part["choices"][0]
                    delta = choice.get("delta", {}).get("content") or ""
                    finish_reason = choice.get("finish_reason") or finish_reason
                    if delta:
                        n_completion += 1
                        yield ChatGenerationChunk(message=AIMessageChunk(content=delta))
                # llama.cpp's context now holds prompt + completion; the difference is the prompt.
                n_prompt = max(int(loaded.llm.n_tokens) - n_completion, 0)
            except GenerationCancelled:
                # The context may hold a half-processed prompt: the next call starts afresh.
                loaded.llm.reset()
                raise
            finally:
                if stream is not None:
                    stream.close()
                loaded.install_abort(False)
                loaded.cancel = None
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata=UsageMetadata(
                    input_tokens=n_prompt, output_tokens=n_completion, total_tokens=n_prompt + n_completion
                ),
                response_metadata={"model_name": self.model_name, "finish_reason": finish_reason},
            )
        )

    def _collect(
        self, messages: list[BaseMessage], params: dict[str, Any], cancel: threading.Event | None
    ) -> ChatResult:
        chunks = list(self._completion(messages, params, cancel))
        last = chunks[-1].message
        assert isinstance(last, AIMessageChunk)
        message = AIMessage(
            content="".join(str(c.message.content) for c in chunks),
            usage_metadata=last.usage_metadata,
            response_metadata=dict(last.response_metadata),
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._collect(messages, self._params(stop, kwargs), None)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        """As ``_generate`` in a worker thread; cancelling the awaiting task stops llama.cpp."""
        params = self._params(stop, kwargs)
        return await run_cancellable(lambda cancel: self._collect(messages, params, cancel))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self._completion(messages, self._params(stop, kwargs), None):
            if run_manager and chunk.message.content:
                run_manager.on_llm_new_token(str(chunk.message.content), chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        params = self._params(stop, kwargs)
        async for chunk in iterate_cancellable(lambda cancel: self._completion(messages, params, cancel)):
            if run_manager and chunk.message.content:
                await run_manager.on_llm_new_token(str(chunk.message.content), chunk=chunk)
            yield chunk

    def get_num_tokens(self, text: str) -> int:
        """Token count with the model's own tokenizer (loads the model)."""
        loaded = self._get_loaded()
        with loaded.lock:
            return len(loaded.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        include_raw: bool = False,
        method: str = "json_schema",
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """Constrain decoding with a grammar built from the JSON schema of ``schema``.

        ``method`` is accepted for API compatibility; only ``json_schema`` (grammar) is used.
        """
        if kwargs:
            raise ValueError(f"unsupported with_structured_output arguments: {sorted(kwargs)}")
        return structured_output_runnable(self, schema, include_raw=include_raw)
