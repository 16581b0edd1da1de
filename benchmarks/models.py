"""Throughput of the offline models on this machine.

For each local chat model: load time, prompt tok/s, generation tok/s, the speed-up when a second
call shares a long prompt prefix (llama.cpp KV reuse), and peak RSS. For each embedding model:
load time, chunks/s on 256-token chunks of a real bundled filing, and peak RSS.

Each model runs in its own subprocess so that peak RSS is per model. Run when the machine is quiet:
everything here is CPU-bound.

    python benchmarks/models.py [--chat NAME ...] [--embeddings NAME ...] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

CHAT = ["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m"]
EMBEDDINGS = ["all-minilm-l6-v2", "all-mpnet-base-v2"]


def filing_text() -> str:
    """Text of a real bundled 10-Q (Apple, Q3 2023)."""
    from pypdf import PdfReader

    from loaders.samples import sample_dir

    reader = PdfReader(str(sample_dir() / "2023 Q3 AAPL.pdf"))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def bench_chat(name: str, threads: int, prompt_tokens: int = 1000, gen_tokens: int = 128) -> dict[str, float]:
    import llama_cpp
    from langchain_core.messages import HumanMessage, SystemMessage

    from agent.config import Settings
    from agent.models import make_chat_model

    settings = Settings(n_threads=threads)
    t0 = time.perf_counter()
    chat = make_chat_model(f"local:{name}", settings, max_tokens=gen_tokens)
    llm = chat._get_loaded().llm  # type: ignore[attr-defined]
    load_s = time.perf_counter() - t0

    ids = llm.tokenize(filing_text().encode(), add_bos=False)[:prompt_tokens]
    context = llm.detokenize(ids).decode("utf-8", errors="ignore")
    system = SystemMessage("You summarise SEC filings.\n\nFiling excerpt:\n" + context)
    ctx = llm._ctx.ctx

    def run(question: str, max_tokens: int) -> tuple[float, dict[str, float]]:
        llama_cpp.llama_perf_context_reset(ctx)
        t = time.perf_counter()
        chat.invoke([system, HumanMessage(question)], max_tokens=max_tokens)
        wall = time.perf_counter() - t
        perf = llama_cpp.llama_perf_context(ctx)
        return wall, {
            "p_ms": perf.t_p_eval_ms,
            "n_p": perf.n_p_eval,
            "g_ms": perf.t_eval_ms,
            "n_g": perf.n_eval,
        }

    llm.reset()
    cold_wall, first = run("Summarise the excerpt in detail.", gen_tokens)
    warm_wall, _ = run("List the main risks named in the excerpt.", 1)
    llm.reset()
    cold_one_wall, _ = run("List the main risks named in the excerpt.", 1)
    return {
        "load_s": load_s,
        "prompt_tokens": first["n_p"],
        "prompt_tok_s": first["n_p"] / (first["p_ms"] / 1000) if first["p_ms"] else 0.0,
        "gen_tokens": first["n_g"],
        "gen_tok_s": first["n_g"] / (first["g_ms"] / 1000) if first["g_ms"] else 0.0,
        "first_token_cold_s": cold_one_wall,
        "first_token_shared_prefix_s": warm_wall,
        "peak_rss_mb": _peak_rss_mb(),
        "call_s": cold_wall,
    }


def bench_embeddings(name: str, n_chunks: int = 96, batch_size: int = 32) -> dict[str, float]:
    from agent.models import load_sentence_transformer, make_embeddings

    t0 = time.perf_counter()
    model = load_sentence_transformer(f"local:{name}")
    emb = make_embeddings(f"local:{name}")
    load_s = time.perf_counter() - t0
    tok = model.tokenizer
    ids = tok(filing_text(), add_special_tokens=False)["input_ids"]
    # 254 word pieces + [CLS]/[SEP] = 256 tokens per chunk, under both models' 384/512 limits.
    chunks = [tok.decode(ids[i : i + 254]) for i in range(0, len(ids) - 254, 254)]
    while len(chunks) < n_chunks:
        chunks = chunks + chunks
    chunks = chunks[:n_chunks]
    emb.embed_documents(chunks[:batch_size])  # warm-up
    t = time.perf_counter()
    emb.batch_size = batch_size  # type: ignore[attr-defined]
    emb.embed_documents(chunks)
    secs = time.perf_counter() - t
    return {
        "load_s": load_s,
        "chunks": len(chunks),
        "chunks_s": len(chunks) / secs,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _worker(kind: str, name: str, threads: int) -> None:
    result = bench_chat(name, threads) if kind == "chat" else bench_embeddings(name)
    print("RESULT " + json.dumps(result))


def _spawn(kind: str, name: str, threads: int) -> dict[str, float] | str:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", kind, name, "--threads", str(threads)],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    return (proc.stderr.strip().splitlines() or ["no output"])[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chat", nargs="*", default=CHAT)
    parser.add_argument("--embeddings", nargs="*", default=EMBEDDINGS)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "NAME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker[0], args.worker[1], args.threads)
        return

    load1, load5, _ = os.getloadavg()
    print(
        f"llama.cpp threads: {args.threads}; each model in its own process; CPUs: {os.cpu_count()}; "
        f"load average at start: {load1:.1f} (1 min) {load5:.1f} (5 min) — figures drop when the machine is busy"
    )
    print()
    head = (
        f"{'chat model':<22}{'load s':>8}{'prompt tok':>11}{'prompt tok/s':>13}{'gen tok/s':>10}"
        f"{'1st tok cold s':>15}{'1st tok shared-prefix s':>24}{'peak RSS MB':>12}"
    )
    print(head)
    print("-" * len(head))
    for name in args.chat:
        r = _spawn("chat", name, args.threads)
        if isinstance(r, str):
            print(f"{name:<22} FAILED: {r}")
            continue
        print(
            f"{name:<22}{r['load_s']:>8.1f}{r['prompt_tokens']:>11.0f}{r['prompt_tok_s']:>13.1f}{r['gen_tok_s']:>10.1f}"
            f"{r['first_token_cold_s']:>15.2f}{r['first_token_shared_prefix_s']:>24.2f}{r['peak_rss_mb']:>12.0f}"
        )
    print()
    head = f"{'embedding model':<22}{'load s':>8}{'chunks':>8}{'chunks/s (256 tok)':>20}{'peak RSS MB':>12}"
    print(head)
    print("-" * len(head))
    for name in args.embeddings:
        r = _spawn("embeddings", name, args.threads)
        if isinstance(r, str):
            print(f"{name:<22} FAILED: {r}")
            continue
        print(
            f"{name:<22}{r['load_s']:>8.1f}{r['chunks']:>8.0f}{r['chunks_s']:>20.1f}{r['peak_rss_mb']:>12.0f}"
        )


if __name__ == "__main__":
    main()
