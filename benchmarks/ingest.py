"""Ingestion throughput on real filings versus the physical bound (embedding alone).

Ingests FILES (default: every PDF of ../shared/data/financebench-dev) into a temporary index
with the real pipeline (parser worker process overlapping the embedder), then embeds exactly the
same chunk texts again with the embedder alone, and prints pages/s, chunks/s, embedding-only
chunks/s, their ratio (target >= 0.8) and peak RSS. The embedding model is loaded once, before
timing, and shared by both runs.

    python benchmarks/ingest.py [--limit N] [--only NAME_PART ...] [--data DIR] [--embeddings local:all-minilm-l6-v2]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "financebench-dev" / "pdfs"


def _peak_rss_mb() -> tuple[float, float]:
    """(this process, largest child) peak RSS in MiB (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of filings")
    parser.add_argument("--limit", type=int, default=0, help="only the first N files (sorted by name)")
    parser.add_argument("--only", nargs="*", default=[], help="only files whose name contains one of these")
    parser.add_argument("--embeddings", default="local:all-minilm-l6-v2")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    from agent.config import Settings
    from agent.models import make_embeddings
    from agent.retrieval.manifest import Manifest
    from loaders.parse import SUPPORTED
    from loaders.pipeline import EMBED_BATCH, ingest_paths

    files = sorted(p for p in args.data.iterdir() if p.suffix.lower() in SUPPORTED)
    if args.only:
        files = [p for p in files if any(s in p.name for s in args.only)]
    if args.limit:
        files = files[: args.limit]
    if not files:
        print(f"no filings under {args.data}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp), embeddings_model=args.embeddings)
        t0 = time.perf_counter()
        embeddings = make_embeddings(args.embeddings, settings)
        embeddings.embed_documents(["warm-up"])
        load_s = time.perf_counter() - t0

        report = ingest_paths(files, settings, embeddings=embeddings)
        failed = [r for r in report.results if r.status == "failed"]
        for r in failed:
            print(f"failed: {r.path}: {r.message}", file=sys.stderr)

        manifest = Manifest(settings.index_dir / "manifest.sqlite")
        texts = [text for _, text, _ in manifest.committed_chunks()]
        manifest.close()

        t1 = time.perf_counter()
        for i in range(0, len(texts), EMBED_BATCH):
            embeddings.embed_documents(texts[i : i + EMBED_BATCH])
        embed_only_s = time.perf_counter() - t1

    own_rss, child_rss = _peak_rss_mb()
    pipeline_cps = report.chunks / report.seconds
    embed_cps = len(texts) / embed_only_s
    print(f"files: {len(files)} ({report.ingested} ingested, {len(failed)} failed) from {args.data}")
    print(f"embedding model: {args.embeddings} (load {load_s:.1f} s, not timed below)")
    print(f"pages: {report.pages}   chunks: {report.chunks}   pipeline wall time: {report.seconds:.1f} s")
    print(f"  of which embedding inside the pipeline: {report.embed_seconds:.1f} s")
    print(f"pipeline pages/s:          {report.pages / report.seconds:8.2f}")
    print(f"pipeline chunks/s:         {pipeline_cps:8.2f}")
    print(
        f"embedding-only chunks/s:   {embed_cps:8.2f}   (same {len(texts)} chunk texts, batches of {EMBED_BATCH})"
    )
    print(f"ratio pipeline/embedding:  {pipeline_cps / embed_cps:8.2f}   (target >= 0.80)")
    print(f"peak RSS: main {own_rss:.0f} MiB, parser worker {child_rss:.0f} MiB")
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
