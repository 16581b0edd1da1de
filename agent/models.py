"""Model strings -> LangChain objects. The ONLY place providers are named.

Model strings are ``<provider>:<model>``:

============================  ====================================================================
``local:<name>``              offline models from PyPI packages (see ``agent.local_models.REGISTRY``):
                              chat ``qwen2.5-coder-1.5b`` (default), ``qwen2.5-coder-0.5b``,
                              ``smollm2-135m`` via llama.cpp; embeddings ``all-minilm-l6-v2``
                              (default), ``all-mpnet-base-v2`` via sentence-transformers.
``local:tuned/<name>``        a model ``filings tune`` adapted to this data dir's filings
                              (embeddings, or reranker when it is a cross-encoder).
``openai:<model>``            OpenAI, or any OpenAI-compatible server (vLLM, TGI,
``openai:<model>@<base_url>`` ``python -m llama_cpp.server``): the base URL comes from the
                              ``@http(s)://...`` suffix, else ``settings.openai_base_url``.
``anthropic:<model>``         Anthropic (``ANTHROPIC_API_KEY``).
``ollama:<model>[@<url>]``    an Ollama server (default ``http://localhost:11434``).
``hf:<hub id or path>``       transformers (chat), sentence-transformers (embeddings) or a
                              CrossEncoder (rerankers); hub ids need the hub, local paths do not.
``<other>:<model>``           chat only: any other provider LangChain's ``init_chat_model`` knows
                              (``google_genai:gemini-2.5-flash``, ``mistralai:...``, ``groq:...``);
                              a missing integration package is reported as ``pip install langchain-X``.
============================  ====================================================================

Heavy libraries are imported inside the factories, never at module import.
"""

from __future__ import annotations

import importlib
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.config import Settings
from agent.local_models import REGISTRY, LocalModelError, ensure_local_model, get_local_model


class ContextWindowExceededError(ValueError):
    """The prompt does not fit the model's context window; the nodes shorten it and retry."""


# How providers say a prompt is over the model's window (llama.cpp, OpenAI and compatible servers,
# Anthropic, Gemini, Ollama). Provider knowledge stays here: callers catch one error type.
_CONTEXT_OVERFLOW = re.compile(
    r"exceed context window|context_length_exceeded|maximum context length|context window"
    r"|prompt is too long|input token count .* exceeds|exceeds? the (?:model's )?context",
    re.I,
)


def context_overflow(exc: BaseException) -> ContextWindowExceededError | None:
    """``exc`` as a :class:`ContextWindowExceededError` when a provider raised it for an over-long
    prompt (any exception type: SDKs differ), else None."""
    if isinstance(exc, ContextWindowExceededError):
        return exc
    if _CONTEXT_OVERFLOW.search(str(exc)):
        return ContextWindowExceededError(f"{type(exc).__name__}: {exc}"[:300])
    return None


if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage
    from sentence_transformers import CrossEncoder, SentenceTransformer

    from agent.tuning.card import Kind

CHAT_PROVIDERS = ("local", "openai", "anthropic", "ollama", "hf")
EMBEDDING_PROVIDERS = ("local", "openai", "ollama", "hf")

# pip requirement that provides each optional provider module
_PROVIDER_PACKAGES = {
    "langchain_openai": "langchain-openai",
    "langchain_anthropic": "langchain-anthropic",
    "langchain_ollama": "langchain-ollama",
    "llama_cpp": "llama-cpp-python==0.3.36",
    "sentence_transformers": "sentence-transformers",
    "transformers": "transformers",
}


VERBOSE_ENV = "FILINGS_VERBOSE"


# Characters per token assumed for a model that cannot count its own tokens offline: table text
# and figures run about 3 with common tokenizers (many split digits one by one), so the estimate
# errs on the long side.
CHARS_PER_TOKEN = 3


def prompt_tokens(model: Any, messages: Sequence[BaseMessage]) -> int:
    """Tokens of ``messages`` as ``model`` reads them: the model's own tokenizer for a local model
    that has one loaded (``counts_own_tokens``), else an estimate from the length. LangChain's
    default counter would fetch a tokenizer from the hub, so it is never called here."""
    text = "\n".join(str(m.content) for m in messages)
    if getattr(model, "counts_own_tokens", False):
        return int(model.get_num_tokens(text))
    return -(-len(text) // CHARS_PER_TOKEN)


def verbose() -> bool:
    """``filings --verbose`` (or FILINGS_VERBOSE=1): show the libraries' own progress bars and logs."""
    return os.environ.get(VERBOSE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def hf_output() -> None:
    """Call before loading a transformers model: its progress bars ('Loading weights', hub downloads)
    and info/warning logs are off unless :func:`verbose`, so a user sees only our own output."""
    from transformers.utils import logging as hf_logging

    if verbose():
        hf_logging.enable_progress_bar()
        hf_logging.set_verbosity_warning()
    else:
        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()


class ModelSpecError(ValueError):
    """A model string that cannot be resolved (bad syntax, unknown provider or name)."""


class MissingProviderError(ImportError):
    """An optional provider package is not installed; the message names what to pip install."""


def parse_spec(
    spec: str, allowed: tuple[str, ...] = CHAT_PROVIDERS, *, others: bool = False
) -> tuple[str, str]:
    """Split ``provider:model`` and check the provider; raises :class:`ModelSpecError`.

    With ``others`` a provider outside ``allowed`` is returned too (LangChain decides about it).
    """
    if not isinstance(spec, str) or ":" not in spec:
        raise ModelSpecError(
            f"model string {spec!r} must look like '<provider>:<model>' with provider one of {', '.join(allowed)}"
        )
    provider, _, name = spec.partition(":")
    provider = provider.strip().lower()
    name = name.strip()
    if provider not in allowed and not (others and provider):
        raise ModelSpecError(
            f"unknown provider {provider!r} in {spec!r}; expected one of {', '.join(allowed)}"
        )
    if not name:
        raise ModelSpecError(f"model string {spec!r} names no model after '{provider}:'")
    return provider, name


def split_base_url(name: str) -> tuple[str, str | None]:
    """``model@http://host:port/v1`` -> (model, url); a bare ``@`` without http(s) stays in the name."""
    model, sep, url = name.rpartition("@")
    if sep and url.startswith(("http://", "https://")) and model:
        return model, url
    return name, None


def _require(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = _PROVIDER_PACKAGES.get(module, module)
        raise MissingProviderError(
            f"this model string needs the optional package {package!r}: pip install '{package}'"
        ) from exc


TUNED_PREFIX = "tuned/"


def tuned_location(name: str, settings: Settings, kind: Kind | None = None) -> Path:
    """The folder of ``local:tuned/<name>`` (made by ``filings tune`` under the data dir)."""
    from agent.tuning.card import TunedModelError, tuned_path

    try:
        return tuned_path(settings.data_dir, name[len(TUNED_PREFIX) :], kind)
    except TunedModelError as exc:
        raise ModelSpecError(str(exc)) from None


def _local(name: str, role: str, settings: Settings) -> Path:
    if name.startswith(TUNED_PREFIX):
        return tuned_location(name, settings, "bi-encoder")
    try:
        model = get_local_model(name)
    except LocalModelError:
        known = sorted(n for n, m in REGISTRY.items() if m.role == role)
        raise ModelSpecError(f"unknown local {role} model {name!r}; known: {', '.join(known)}") from None
    if model.role != role:
        raise ModelSpecError(f"local:{name} is a {model.role} model, not a {role} model")
    return ensure_local_model(name, settings.models_dir)


def _placeholder_key(base_url: str | None, kw: dict[str, Any]) -> None:
    """Self-hosted OpenAI-compatible servers usually ignore the key, but the client insists on one."""
    if base_url and "api_key" not in kw and not os.environ.get("OPENAI_API_KEY"):
        kw["api_key"] = "not-needed"


# --- chat ---------------------------------------------------------------------------------------


def make_chat_model(spec: str, settings: Settings | None = None, **kw: Any) -> BaseChatModel:
    """A LangChain chat model for ``spec``; ``kw`` go to the provider class (e.g. ``max_tokens``).

    Local models are verified (and assembled from their packages if needed) here, but the GGUF is
    loaded on first use and then shared by every chat model of the process.
    """
    settings = settings or Settings()
    provider, name = parse_spec(spec, CHAT_PROVIDERS, others=True)
    if provider not in CHAT_PROVIDERS:
        return _langchain_chat_model(spec, provider, name, kw)
    if provider == "local":
        path = _local(name, "chat", settings)
        _require("llama_cpp")
        from agent.chat_llamacpp import ChatLlamaCppLocal

        kw.setdefault("n_ctx", settings.n_ctx)
        kw.setdefault("n_threads", settings.n_threads)
        kw.setdefault("cache_mb", settings.llm_cache_mb)
        return ChatLlamaCppLocal(model_path=str(path), model_name=name, **kw)
    if provider == "openai":
        model, url = split_base_url(name)
        mod = _require("langchain_openai")
        url = kw.pop("base_url", None) or url or settings.openai_base_url
        _placeholder_key(url, kw)
        kw.setdefault("temperature", 0)
        return mod.ChatOpenAI(model=model, base_url=url, **kw)
    if provider == "anthropic":
        mod = _require("langchain_anthropic")
        kw.setdefault("temperature", 0)
        return mod.ChatAnthropic(model=name, **kw)
    if provider == "ollama":
        model, url = split_base_url(name)
        mod = _require("langchain_ollama")
        if url:
            kw.setdefault("base_url", url)
        kw.setdefault("temperature", 0)
        return mod.ChatOllama(model=model, **kw)
    # hf
    _require("transformers")
    hf_output()
    from agent.chat_hf import ChatTransformers

    return ChatTransformers.from_model_id(name, **kw)


def _langchain_chat_model(spec: str, provider: str, name: str, kw: dict[str, Any]) -> BaseChatModel:
    """Any other provider through LangChain's ``init_chat_model``, with our one-line errors."""
    from langchain.chat_models import init_chat_model

    kw.setdefault("temperature", 0)
    try:
        return init_chat_model(name, model_provider=provider, **kw)
    except ImportError as exc:  # "... Please install it with `pip install langchain-groq`"
        found = re.search(r"pip install ([\w.\[\]-]+)", str(exc))
        package = found.group(1) if found else f"langchain-{provider.replace('_', '-')}"
        raise MissingProviderError(
            f"this model string needs the optional package {package!r}: pip install '{package}'"
        ) from exc
    except ValueError as exc:
        message = str(exc)
        if not message.startswith("Unsupported provider"):
            raise
        supported = message.rpartition(":")[2].strip()
        raise ModelSpecError(
            f"unknown provider {provider!r} in {spec!r}; expected one of {', '.join(CHAT_PROVIDERS)}"
            f" or a provider of LangChain's init_chat_model ({supported})"
        ) from None


# --- embeddings ---------------------------------------------------------------------------------

_ST_CACHE: dict[tuple[str, str], SentenceTransformer] = {}
_ST_GUARD = threading.Lock()


def st_location(spec: str, settings: Settings) -> str:
    """Where a ``local:``/``hf:`` sentence-transformers model loads from (a folder or a hub id)."""
    provider, name = parse_spec(spec, ("local", "hf"))
    if provider == "local":
        return str(_local(name, "embeddings", settings))
    return name


def hf_load_error(name: str, exc: OSError) -> OSError:
    """A clear error for an ``hf:`` model that is neither a local path nor reachable on the hub."""
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
    hint = " (HF_HUB_OFFLINE is set, so only the local hub cache is searched)" if offline else ""
    return OSError(
        f"hf:{name} is not a local model folder/file and could not be loaded from the hub{hint}: {exc}"
    )


def _adapted(location: str, settings: Settings) -> SentenceTransformer | None:
    """A tuned LoRA model (``filings tune --lora``): its base with the adapter merged in."""
    from agent.tuning.card import read_card
    from agent.tuning.lora import has_adapter, load_with_adapter

    folder = Path(location)
    if not has_adapter(folder):
        return None
    card = read_card(folder)
    if card is None:
        raise ModelSpecError(f"{folder} holds a LoRA adapter but no card naming its base model")
    return load_with_adapter(st_location(card.base_model, settings), folder)


def load_sentence_transformer(spec: str, settings: Settings | None = None) -> SentenceTransformer:
    """A process-cached SentenceTransformer for ``local:<name>`` or ``hf:<id or path>``."""
    settings = settings or Settings()
    location = st_location(spec, settings)
    key = (location, "cpu")
    with _ST_GUARD:
        model = _ST_CACHE.get(key)
        if model is None:
            st = _require("sentence_transformers")
            hf_output()
            try:
                model = _ST_CACHE[key] = _adapted(location, settings) or st.SentenceTransformer(
                    location, device="cpu"
                )
            except OSError as exc:
                raise hf_load_error(location, exc) from exc
        return model


def make_embeddings(spec: str, settings: Settings | None = None) -> Embeddings:
    """LangChain ``Embeddings`` for ``spec``; local/hf ones encode in batches and L2-normalise."""
    settings = settings or Settings()
    provider, name = parse_spec(spec, EMBEDDING_PROVIDERS)
    if provider in ("local", "hf"):
        from agent.embeddings import SentenceTransformerEmbeddings

        return SentenceTransformerEmbeddings(model=load_sentence_transformer(spec, settings), name=spec)
    if provider == "openai":
        model, url = split_base_url(name)
        mod = _require("langchain_openai")
        url = url or settings.openai_base_url
        kw: dict[str, Any] = {}
        _placeholder_key(url, kw)
        return mod.OpenAIEmbeddings(model=model, base_url=url, **kw)
    model, url = split_base_url(name)
    mod = _require("langchain_ollama")
    return mod.OllamaEmbeddings(model=model, **({"base_url": url} if url else {}))


def make_cross_encoder(spec: str, settings: Settings | None = None, **kw: Any) -> CrossEncoder:
    """A sentence-transformers CrossEncoder for ``hf:<id or path>`` (no such model ships offline)."""
    _, name = parse_spec(spec, ("hf",))
    st = _require("sentence_transformers")
    hf_output()
    kw.setdefault("device", "cpu")
    try:
        return st.CrossEncoder(name, **kw)
    except OSError as exc:
        raise hf_load_error(name, exc) from exc
