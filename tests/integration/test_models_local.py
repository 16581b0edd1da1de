"""The offline model stack for real: GGUF chat models through llama.cpp, sentence-transformers
embeddings, ``hf:`` local paths, and the ``filings models`` commands.

SmolLM2-135M is the fast model that really generates; the 1.5B default is exercised by a slow test.
"""

from __future__ import annotations

import asyncio
import math
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field
from typer.testing import CliRunner

from agent.chat_llamacpp import ChatLlamaCppLocal
from agent.config import Settings
from agent.local_models import REGISTRY, ensure_local_model
from agent.models import load_sentence_transformer, make_chat_model, make_cross_encoder, make_embeddings

pytestmark = pytest.mark.integration

SMOL = "local:smollm2-135m"


@pytest.fixture(scope="module")
def smol() -> ChatLlamaCppLocal:
    chat = make_chat_model(SMOL, max_tokens=48)
    assert isinstance(chat, ChatLlamaCppLocal)
    return chat


def test_smollm2_really_generates_and_reports_usage(smol: ChatLlamaCppLocal) -> None:
    reply = smol.invoke(
        [SystemMessage("Answer in one short sentence."), HumanMessage("What is the capital of France?")]
    )
    assert "paris" in reply.content.lower()
    usage = reply.usage_metadata
    assert usage is not None and usage["input_tokens"] > 10 and 0 < usage["output_tokens"] <= 48
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert reply.response_metadata["model_name"] == "smollm2-135m"


def test_shared_prompt_prefixes_are_not_reprocessed(smol: ChatLlamaCppLocal) -> None:
    # The graph relies on prefix reuse for speed: llama.cpp keeps the KV cache shared with the previous
    # call, and the RAM state cache brings back a prefix used before another prompt came in between
    # (drafter -> judge -> drafter). Count the tokens actually evaluated.
    llm = smol._get_loaded().llm
    judge = SystemMessage("You judge whether the evidence supports the claim. " * 25)
    drafter = SystemMessage("You draft cited answers about SEC filings. " * 25)
    evaluated: list[int] = []
    real_eval = llm.eval
    llm.eval = lambda tokens: (evaluated.append(len(tokens)), real_eval(tokens))[1]
    try:
        counts = []
        for system, question in [
            (drafter, "Say one word."),
            (judge, "Say two words."),
            (drafter, "Say three words."),
        ]:
            evaluated.clear()
            reply = smol.invoke([system, HumanMessage(question)], max_tokens=2)
            counts.append((sum(evaluated), reply.usage_metadata["input_tokens"]))
    finally:
        del llm.eval
    (_, _), (_, _), (revisit_evaluated, revisit_prompt) = counts
    assert revisit_prompt > 200
    assert revisit_evaluated < revisit_prompt // 4, counts


def test_forget_prompts_makes_the_next_call_pay_its_whole_prompt(smol: ChatLlamaCppLocal) -> None:
    # Measurements comparing two systems on the same prompts (evals/answer_eval.py) rely on this.
    from agent.chat_llamacpp import forget_prompts

    llm = smol._get_loaded().llm
    messages = [
        SystemMessage("You draft cited answers about SEC filings. " * 25),
        HumanMessage("Say one word."),
    ]
    evaluated: list[int] = []
    real_eval = llm.eval
    llm.eval = lambda tokens: (evaluated.append(len(tokens)), real_eval(tokens))[1]
    try:
        smol.invoke(messages, max_tokens=1)
        evaluated.clear()
        smol.invoke(messages, max_tokens=1)
        reused = sum(evaluated)
        forget_prompts()
        evaluated.clear()
        reply = smol.invoke(messages, max_tokens=1)
        paid = sum(evaluated)
    finally:
        del llm.eval
    prompt = reply.usage_metadata["input_tokens"]
    assert reused < prompt // 4 and paid >= prompt - 1, (reused, paid, prompt)


class _Figures(BaseModel):
    revenue: float
    costs: float


class _Extraction(BaseModel):
    company: str = Field(description="Company name")
    figures: _Figures
    audited: bool


def test_smollm2_structured_output_follows_the_schema(smol: ChatLlamaCppLocal) -> None:
    chat = make_chat_model(SMOL, max_tokens=160)
    structured = chat.with_structured_output(_Extraction, include_raw=True)
    out = structured.invoke(
        "Extract as JSON: Contoso Ltd reported revenue of 120.5 and costs of 80.25; the figures are unaudited."
    )
    # The grammar guarantees the shape even from a 135M model; the content may be weak.
    assert out["parsing_error"] is None, out["raw"].content
    parsed = out["parsed"]
    assert isinstance(parsed, _Extraction)
    assert isinstance(parsed.figures.revenue, float)
    assert out["raw"].usage_metadata["output_tokens"] > 0


def test_streaming_yields_text_then_usage(smol: ChatLlamaCppLocal) -> None:
    chunks = list(smol.stream("What is the capital of Germany?"))
    text = "".join(str(c.content) for c in chunks)
    assert "berlin" in text.lower()
    assert sum(1 for c in chunks if c.content) > 3  # really streamed, not one final blob
    usage = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert len(usage) == 1 and usage[0]["output_tokens"] > 0 and usage[0]["input_tokens"] > 0


def test_one_llama_shared_and_safe_across_threads(smol: ChatLlamaCppLocal) -> None:
    other = make_chat_model(SMOL, max_tokens=16)
    assert other._get_loaded() is smol._get_loaded()  # one Llama (and one KV cache) per process
    prompts = ["What is the capital of Japan?", "What is the capital of Germany?"] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = [r.content.lower() for r in pool.map(other.invoke, prompts)]
    # Without the lock, concurrent use of one llama.cpp context crashes or interleaves garbage.
    assert ["tokyo" in replies[0], "berlin" in replies[1], "tokyo" in replies[2], "berlin" in replies[3]] == [
        True
    ] * 4, replies


def test_async_calls_run_concurrently_without_corruption(smol: ChatLlamaCppLocal) -> None:
    async def both() -> list[str]:
        replies = await asyncio.gather(
            smol.ainvoke("What is the capital of Germany?"), smol.ainvoke("What is the capital of Japan?")
        )
        return [str(r.content) for r in replies]

    germany, japan = asyncio.run(both())
    assert "berlin" in germany.lower() and "tokyo" in japan.lower()


def test_token_count_uses_the_model_tokenizer(smol: ChatLlamaCppLocal) -> None:
    n = smol.get_num_tokens("Net sales increased 8% to $81.8 billion.")
    assert 8 <= n <= 20


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize(("spec", "dim"), [("local:all-minilm-l6-v2", 384), ("local:all-mpnet-base-v2", 768)])
def test_local_embeddings_are_normalised_and_semantic(spec: str, dim: int) -> None:
    emb = make_embeddings(spec)
    docs = emb.embed_documents(
        [
            "Total net sales grew 8% year over year.",
            "The cat sat on the mat.",
            "Revenue increased compared with last year.",
        ]
    )
    assert len(docs) == 3 and all(len(v) == dim for v in docs)
    assert all(math.isclose(_cos(v, v), 1.0, abs_tol=1e-4) for v in docs)
    assert _cos(docs[0], docs[2]) > _cos(docs[0], docs[1]) + 0.2
    assert emb.embed_documents([]) == []
    assert load_sentence_transformer(spec) is load_sentence_transformer(spec)  # process-cached


def test_hf_paths_load_sentence_transformers_and_cross_encoders() -> None:
    folder = ensure_local_model("all-minilm-l6-v2", Settings().models_dir)
    emb = make_embeddings(f"hf:{folder}")
    assert len(emb.embed_query("10-K annual report")) == 384
    # No cross-encoder weights ship offline; a bi-encoder folder still proves the hf: path loads one
    # (with a freshly initialised classification head, so only the shape is meaningful).
    ce = make_cross_encoder(f"hf:{folder}")
    scores = ce.predict([("revenue", "net sales grew"), ("revenue", "the cat sat")])
    assert len(scores) == 2


def test_models_cli_fetch_and_list(tmp_path: Path) -> None:
    from agent.cli import app

    runner = CliRunner()
    env = {"FILINGS_MODEL_DIR": str(tmp_path / "models"), "COLUMNS": "200"}
    fetched = runner.invoke(app, ["models", "fetch", "smollm2-135m", "all-minilm-l6-v2"], env=env)
    assert fetched.exit_code == 0, fetched.output
    assert (tmp_path / "models" / REGISTRY["smollm2-135m"].artifact).stat().st_size == REGISTRY[
        "smollm2-135m"
    ].size
    again = runner.invoke(app, ["models", "fetch", "local:smollm2-135m"], env=env)
    assert again.exit_code == 0 and "local:smollm2-135m" in again.output
    listed = runner.invoke(app, ["models", "list"], env=env)
    assert listed.exit_code == 0
    row = next(line for line in listed.output.splitlines() if "local:smollm2-135m" in line)
    assert row.count("yes") == 3  # packages, assembled, verified
    bad = runner.invoke(app, ["models", "fetch", "gpt-5"], env=env)
    assert bad.exit_code == 2 and "unknown local model" in bad.output


@pytest.mark.slow
def test_hf_gguf_path_runs_through_transformers() -> None:
    path = ensure_local_model("smollm2-135m", Settings().models_dir)
    chat = make_chat_model(f"hf:{path}", max_tokens=12)
    reply = chat.invoke("What is the capital of France?")
    assert "paris" in reply.content.lower()
    assert reply.usage_metadata["input_tokens"] > 5

    async def cancelled_after(seconds: float) -> float:
        long = make_chat_model(f"hf:{path}", max_tokens=2000)
        task = asyncio.ensure_future(long.ainvoke("Count from 1 to 1000, one number per line."))
        await asyncio.sleep(seconds)
        assert not task.done()
        start = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        lock = long._bundle[2]  # held while transformers generates
        assert await asyncio.to_thread(lock.acquire, True, 60)
        lock.release()
        return time.monotonic() - start

    # A cancelled run stops generating at the next token (issue 15, point 4).
    assert asyncio.run(cancelled_after(3)) < 3


class _CitedAnswer(BaseModel):
    answer: str = Field(description="One sentence answering the question from the sources.")
    citations: list[str] = Field(description="Ids of the sources used, e.g. S2.")


@pytest.mark.slow
def test_default_1_5b_gives_a_cited_structured_answer() -> None:
    chat = make_chat_model("local:qwen2.5-coder-1.5b", max_tokens=120)
    structured = chat.with_structured_output(_CitedAnswer, include_raw=True)
    out = structured.invoke(
        [
            SystemMessage("Answer only from the sources. Cite the id of every source you use."),
            HumanMessage(
                "Sources:\n[S1] Fabrikam Inc. had 3,200 employees at year end.\n"
                "[S2] Fabrikam Inc. reported total revenue of $4,512 million for fiscal 2031, "
                "up from $4,100 million in fiscal 2030.\n\n"
                "Question: What was Fabrikam's total revenue in fiscal 2031?"
            ),
        ]
    )
    assert out["parsing_error"] is None, out["raw"].content
    parsed = out["parsed"]
    assert "4,512" in parsed.answer or "4512" in parsed.answer
    assert "S2" in parsed.citations
    assert out["raw"].usage_metadata["input_tokens"] > 50


def test_prompt_longer_than_the_context_window_raises_a_typed_error() -> None:
    from agent.models import ContextWindowExceededError

    chat = make_chat_model(SMOL, Settings(n_ctx=256), max_tokens=8)
    too_long = "Revenue grew in every segment. " * 200
    with pytest.raises(ContextWindowExceededError, match="FILINGS_N_CTX"):
        chat.invoke(too_long)
    with pytest.raises(ContextWindowExceededError):
        list(chat.stream(too_long))
    assert "berlin" in chat.invoke("What is the capital of Germany?").content.lower()  # still usable


def test_hf_name_that_is_neither_path_nor_cached_fails_clearly(tmp_path: Path) -> None:
    # Imports torch + sentence-transformers (~10 s), hence here rather than in the unit tests.
    missing = tmp_path / "no-such-model"
    with pytest.raises(OSError, match=r"hf:.*no-such-model is not a local model folder/file"):
        make_embeddings(f"hf:{missing}")
    with pytest.raises(OSError, match="HF_HUB_OFFLINE is set"):
        make_cross_encoder("hf:filings-agent-tests/not-a-real-cross-encoder")
