"""An OpenAI-compatible model server instead of in-process llama.cpp, by configuration only."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage

from agent.config import Settings
from agent.local_models import ensure_local_model
from agent.models import make_chat_model

from .servers import llama_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def smollm_server(tmp_path_factory):
    """A real ``python -m llama_cpp.server`` serving SmolLM2-135M (the GGUF from its PyPI package)."""
    gguf = ensure_local_model("smollm2-135m", Settings().models_dir)
    with llama_server(gguf, alias="smollm2", log_dir=tmp_path_factory.mktemp("llama")) as base_url:
        yield base_url


def test_chat_model_reaches_the_server_through_settings(smollm_server, monkeypatch):
    monkeypatch.setenv("FILINGS_OPENAI_BASE_URL", smollm_server)
    model = make_chat_model("openai:smollm2", Settings(), max_tokens=16)
    reply = model.invoke("Name one fruit.")
    assert isinstance(reply, AIMessage)
    assert reply.content.strip()
    # The reply came from the loopback server: it echoes the alias we served under.
    assert reply.response_metadata["model_name"] == "smollm2"
    assert reply.usage_metadata["output_tokens"] > 0
