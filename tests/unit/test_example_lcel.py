"""The LCEL example caps its chat model like the research graph does (issue 15, point 12)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

import agent.models
from agent.config import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lcel_retriever_app.py"


def test_the_lcel_example_sets_max_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("filings_examples_lcel_unit", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)

    calls: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(agent.models, "make_chat_model", lambda s, settings=None, **kw: calls.append((s, kw)))
    settings = Settings(data_dir=tmp_path)
    module.make_answer_model(settings)
    assert calls == [(settings.chat_model, {"max_tokens": settings.context().max_answer_tokens})]
