"""``hf:<hub id or path>`` chat models: transformers causal LMs behind a LangChain chat model.

A path to a ``.gguf`` file is loaded through transformers' GGUF support (dequantised to fp32, needs
the ``gguf`` package): slow, but a fallback that needs no compiler. Structured output has no grammar
here: the JSON schema goes into the system prompt and the reply is parsed leniently.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from pydantic import PrivateAttr

from agent.cancellation import GenerationCancelled, run_cancellable
from agent.chat_llamacpp import to_chat_dicts
from agent.structured_output import structured_output_runnable

_LOADED: dict[str, tuple[Any, Any, threading.Lock]] = {}
_GUARD = threading.Lock()


def _load(model_id: str) -> tuple[Any, Any, threading.Lock]:
    with _GUARD:
        if model_id not in _LOADED:
            from transformers import AutoModelForCausalLM, AutoTokenizer

            path = Path(model_id).expanduser()
            if path.suffix == ".gguf":
                try:
                    import gguf  # noqa: F401
                except ImportError as exc:
                    raise ImportError(
                        "hf: with a .gguf file needs the 'gguf' package: pip install gguf"
                    ) from exc
                if not path.is_file():
                    raise FileNotFoundError(f"hf: GGUF file not found: {path}")
                tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
                model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name)
            else:
                try:
                    tok = AutoTokenizer.from_pretrained(model_id)
                    model = AutoModelForCausalLM.from_pretrained(model_id)
                except OSError as exc:
                    from agent.models import hf_load_error

                    raise hf_load_error(model_id, exc) from exc
            model.eval()
            _LOADED[model_id] = (tok, model, threading.Lock())
        return _LOADED[model_id]


class ChatTransformers(BaseChatModel):
    """Greedy chat generation with a transformers causal LM and its chat template."""

    model_id: str
    max_tokens: int = 512
    _bundle: tuple[Any, Any, threading.Lock] | None = PrivateAttr(default=None)

    @classmethod
    def from_model_id(cls, model_id: str, **kw: Any) -> ChatTransformers:
        """Build (and load) the model for a hub id, a local folder or a local ``.gguf`` file."""
        chat = cls(model_id=model_id, **kw)
        chat._bundle = _load(model_id)
        return chat

    @property
    def _llm_type(self) -> str:
        return "transformers-chat"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._generate_until(messages, stop, None, kwargs)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        """In a worker thread; cancelling the awaiting task stops generation at the next token."""
        return await run_cancellable(lambda cancel: self._generate_until(messages, stop, cancel, kwargs))

    def _generate_until(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        cancel: threading.Event | None,
        kwargs: dict[str, Any],
    ) -> ChatResult:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        class Cancelled(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kw: Any) -> bool:
                return bool(cancel is not None and cancel.is_set())

        tok, model, lock = self._bundle or _load(self.model_id)
        fmt = kwargs.get("response_format") or {}
        if fmt.get("schema"):
            messages = [
                SystemMessage(
                    "Reply with only one JSON object that validates against this JSON schema:\n"
                    + json.dumps(fmt["schema"])
                ),
                *messages,
            ]
        ids = tok.apply_chat_template(
            to_chat_dicts(messages), add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        max_new = int(kwargs.get("max_tokens") or self.max_tokens)
        with lock, torch.inference_mode():
            out = model.generate(
                **ids,
                max_new_tokens=max_new,
                do_sample=False,
                pad_token_id=tok.eos_token_id,
                stopping_criteria=StoppingCriteriaList([Cancelled()]),
            )
        if cancel is not None and cancel.is_set():
            raise GenerationCancelled("generation cancelled")
        n_prompt = int(ids["input_ids"].shape[1])
        new_tokens = out[0][n_prompt:]
        text = tok.decode(new_tokens, skip_special_tokens=True)
        for s in stop or []:
            text = text.split(s, 1)[0]
        n_out = int(new_tokens.shape[0])
        message = AIMessage(
            content=text,
            usage_metadata=UsageMetadata(
                input_tokens=n_prompt, output_tokens=n_out, total_tokens=n_prompt + n_out
            ),
            response_metadata={"model_name": self.model_id},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def with_structured_output(
        self, schema: dict[str, Any] | type, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[LanguageModelInput, Any]:
        """Schema in the prompt, lenient JSON parsing of the reply (no grammar in transformers)."""
        return structured_output_runnable(self, schema, include_raw=include_raw)
