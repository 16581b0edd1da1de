"""A scripted RAGAS judge: answers each ragas prompt with valid JSON computed from its input.

It recognises the prompt by the output schema ragas embeds in it and decides verdicts with a
transparent rule (a statement is supported when every figure in it occurs in the context), so a
test can hand-check the resulting scores. ``malformed`` makes it reply garbage for chosen schemas.
"""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")


def figures(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUM.findall(text)}


def supported(statement: str, context: str) -> int:
    return int(figures(statement) <= figures(context))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


class ScriptedJudge(BaseChatModel):
    malformed: tuple[str, ...] = ()
    _calls: list[str] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted-judge"

    @property
    def calls(self) -> list[str]:
        return self._calls

    def _reply(self, prompt: str) -> str:
        line = prompt.split("as specified in JSON Schema:\n", 1)[1].split("\n", 1)[0]
        schema = json.JSONDecoder().raw_decode(line)[0].get("title", "")
        self._calls.append(schema)
        if schema in self.malformed:
            return "I think the answer is fine."
        if "input: " not in prompt or schema == "StringIO":
            return "unexpected prompt"  # e.g. ragas' output-fixing prompt: stay unhelpful
        data = json.loads(prompt.rsplit("input: ", 1)[1].rsplit("Output:", 1)[0])
        if schema == "StatementGeneratorOutput":
            return json.dumps({"statements": sentences(data["answer"])})
        if schema == "ClaimDecompositionOutput":
            return json.dumps({"claims": sentences(data["response"])})
        if schema == "NLIStatementOutput":
            ctx = data["context"]
            return json.dumps(
                {
                    "statements": [
                        {"statement": s, "reason": "figures", "verdict": supported(s, ctx)}
                        for s in data["statements"]
                    ]
                }
            )
        if schema == "ResponseRelevanceOutput":
            return json.dumps({"question": data["response"], "noncommittal": 0})
        if schema == "Verification":
            return json.dumps(
                {
                    "reason": "figures",
                    "verdict": int(bool(figures(data["answer"]) & figures(data["context"]))),
                }
            )
        if schema == "ContextRecallClassifications":
            return json.dumps(
                {
                    "classifications": [
                        {"statement": s, "reason": "figures", "attributed": supported(s, data["context"])}
                        for s in sentences(data["answer"])
                    ]
                }
            )
        return "unexpected prompt"  # e.g. ragas' output-fixing prompt: stay unhelpful

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        prompt = "\n".join(str(m.content) for m in messages)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._reply(prompt)))])
