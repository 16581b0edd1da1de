"""``with_structured_output`` for chat models that take a JSON schema as ``response_format``.

The local chat models turn the schema into a grammar (llama.cpp) or a prompt instruction
(transformers), so structured output does not depend on tool-calling support that small models lack.
"""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.output_parsers import BaseOutputParser
from langchain_core.runnables import Runnable, RunnableLambda
from langchain_core.utils.function_calling import convert_to_json_schema
from pydantic import BaseModel, ValidationError

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def extract_json(text: str) -> Any:
    """Parse the first JSON object/array in ``text`` (tolerates code fences and chatter around it,
    and raw line breaks or tabs inside strings, which small models write).

    Kept by hand: langchain-core's ``parse_json_markdown`` finds no JSON after leading chatter and
    completes a truncated reply (a cut-off list would validate as a short one); json-repair turns
    two objects into a list and no JSON into ``''``.
    """
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder(strict=False)
    for cand in candidates:
        for start, ch in enumerate(cand):
            if ch in "{[":
                try:
                    value, _ = decoder.raw_decode(cand[start:])
                    return value
                except json.JSONDecodeError:
                    continue
    raise OutputParserException(f"no JSON object in model output: {text[:200]!r}", llm_output=text)


class SchemaOutputParser(BaseOutputParser[Any]):
    """Parse a model reply into a pydantic object (or a dict for a JSON-schema dict)."""

    pydantic_model: type[BaseModel] | None = None

    def parse(self, text: str) -> Any:
        value = extract_json(text)
        if self.pydantic_model is None:
            return value
        try:
            return self.pydantic_model.model_validate(value)
        except ValidationError as exc:
            raise OutputParserException(
                f"model output does not match {self.pydantic_model.__name__}: {exc}", llm_output=text
            ) from exc

    @property
    def _type(self) -> str:
        return "schema_output_parser"


def _is_pydantic_class(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseModel)


def structured_output_runnable(
    model: Runnable[LanguageModelInput, BaseMessage],
    schema: dict[str, Any] | type,
    *,
    include_raw: bool = False,
) -> Runnable[LanguageModelInput, Any]:
    """``model`` bound to a JSON-schema ``response_format``, piped into a parser.

    Same contract as LangChain's ``with_structured_output``: with ``include_raw`` the result is
    ``{"raw", "parsed", "parsing_error"}`` and a malformed reply never raises.
    """
    if isinstance(schema, dict) and "title" not in schema and ("properties" in schema or "type" in schema):
        json_schema = dict(schema)  # already a JSON schema; LangChain's converter insists on a title
    else:
        json_schema = convert_to_json_schema(schema)
    bound = model.bind(
        response_format={"type": "json_object", "schema": json_schema},
        ls_structured_output_format={"kwargs": {"method": "json_schema"}, "schema": json_schema},
    )
    parser = SchemaOutputParser(pydantic_model=schema if _is_pydantic_class(schema) else None)  # type: ignore[arg-type]
    if not include_raw:
        return bound | parser

    def _parse(raw: BaseMessage) -> dict[str, Any]:
        try:
            return {"raw": raw, "parsed": parser.invoke(raw), "parsing_error": None}
        except OutputParserException as exc:
            return {"raw": raw, "parsed": None, "parsing_error": exc}

    return bound | RunnableLambda(_parse)
