"""Calling chat models from nodes: usage accounting, runaway guards, never crashing on bad output."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import BaseModel, ValidationError

from agent.models import context_overflow
from agent.schemas import Usage

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

# Errors a model call can raise because the model misbehaved, as opposed to our own bugs.
MODEL_OUTPUT_ERRORS = (OutputParserException, ValidationError, ValueError)


def usage_of(message: Any) -> Usage:
    """One call's usage; token counts when the provider reports them."""
    meta = getattr(message, "usage_metadata", None) or {}
    return Usage(
        llm_calls=1,
        prompt_tokens=int(meta.get("input_tokens", 0) or 0),
        completion_tokens=int(meta.get("output_tokens", 0) or 0),
    )


def text_of(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)


async def generate_text(
    model: BaseChatModel,
    messages: list[BaseMessage],
    max_tokens: int,
    *,
    temperature: float | None = None,
    seed: int | None = None,
) -> tuple[str, Usage]:
    """Plain-text completion capped at ``max_tokens`` (optionally sampled)."""
    kwargs: dict[str, Any] = {"max_tokens": max_tokens}
    if temperature is not None:
        kwargs["temperature"] = temperature
    if seed is not None:
        kwargs["seed"] = seed
    try:
        reply = await model.ainvoke(messages, **kwargs)
    except Exception as exc:
        overflow = context_overflow(exc)
        if overflow is None or overflow is exc:
            raise
        raise overflow from exc
    return text_of(reply).strip(), usage_of(reply)


async def generate_structured(
    model: BaseChatModel, schema: type[M], messages: list[BaseMessage]
) -> tuple[M | None, Usage, str]:
    """Structured output; returns (parsed or None, usage, error text). Malformed replies never raise."""
    runnable = model.with_structured_output(schema, include_raw=True)
    try:
        result = await runnable.ainvoke(messages)
    except MODEL_OUTPUT_ERRORS as exc:
        return None, Usage(llm_calls=1), f"{type(exc).__name__}: {exc}"[:200]
    raw = result.get("raw") if isinstance(result, dict) else None
    usage = usage_of(raw) if raw is not None else Usage(llm_calls=1)
    parsed = result.get("parsed") if isinstance(result, dict) else result
    if isinstance(parsed, dict):
        try:
            parsed = schema.model_validate(parsed)
        except ValidationError as exc:
            return None, usage, f"ValidationError: {exc}"[:200]
    if not isinstance(parsed, schema):
        error = result.get("parsing_error") if isinstance(result, dict) else None
        return None, usage, f"unparseable structured output: {error}"[:200]
    return parsed, usage, ""


def budget_left(calls_so_far: int, max_calls: int) -> int:
    return max(0, max_calls - calls_so_far)


__all__ = ["AIMessage", "budget_left", "generate_structured", "generate_text", "usage_of"]
