"""Machine-readable (--json) and narrow-terminal output of the CLI (issue 15, point 10).

Lists print one JSON array of objects, single results (search, trace show, eval run) one JSON
object; only JSON types, filing text kept as data (escaped, never raw escape sequences). Tables and
listings stay readable at 80 columns: ids, paths and hashes are cut with an ellipsis, not folded a
word per line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.commands import _common
from agent.retrieval.manifest import DocumentRecord
from agent.schemas import Chunk, ChunkMetadata, Scope, ScoredChunk

ESC = "\x1b[2J\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07 \x9b31mred \u202eevil"
RAW = ["\x1b", "\x07", "\x9b", "\u202e"]
NARROW = {"COLUMNS": "80"}
LONG_ID = "sha256:" + "ab12" * 16
LONG_PATH = "/home/analyst/filings/archive/2023/quarterly/apple-inc-10-q-fiscal-2023-q3-final.pdf"
PASSAGE = (
    "Total net sales decreased 1 percent or $1.2 billion during the third quarter of 2023 compared "
    "to the same quarter in 2022, driven by lower net sales of Mac and iPad, partially offset by "
    "higher net sales of Services and iPhone. "
) * 2


@pytest.fixture(autouse=True)
def natural_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """The consoles measure the terminal (COLUMNS) per call, as they do outside the tests."""
    monkeypatch.setattr(_common.console, "_width", None)
    monkeypatch.setattr(_common.err_console, "_width", None)


def invoke(args: list[str], **env: str) -> Any:
    return CliRunner().invoke(app, args, env={**NARROW, **env})


def assert_no_raw_escapes(out: str) -> None:
    for bad in RAW:
        assert bad not in out, f"{bad!r} reached the terminal: {out!r}"


def assert_no_word_per_line(out: str) -> None:
    """A table squeezed into 80 columns folds its cells into runs of one- or two-word lines."""
    lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
    short = [ln for ln in lines if len(ln) <= 12]
    assert len(short) <= 3, out
    assert all(len(ln) <= 80 for ln in out.splitlines()), out


# -- search ------------------------------------------------------------------------------------
def _chunk(n: int, text: str = PASSAGE) -> ScoredChunk:
    meta = ChunkMetadata(
        doc_id=LONG_ID,
        source_path=LONG_PATH,
        company="Apple Inc.",
        form_type="10-Q",
        fiscal_year=2023,
        fiscal_quarter=3,
        page=11,
        item="2",
    )
    return ScoredChunk(
        chunk=Chunk(id=f"{LONG_ID}::{n}", text=text, metadata=meta),
        score=1.0 / n,
        stage_scores={"rrf": 0.03, "dense": float("nan")},
    )


@pytest.fixture
def fake_search(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """`filings search` over a fake index and retriever; returns the settings each run used."""
    import agent.commands.ask as ask
    import agent.retrieval.hybrid as hybrid
    import agent.retrieval.index as index
    import agent.retrieval.rerankers as rerankers
    import agent.retrieval.scope as scope_mod

    seen: list[Any] = []
    record = DocumentRecord(doc_id=LONG_ID, source_path=LONG_PATH, sha256="x", company="Apple Inc.")

    class FakeIndex:
        def documents(self) -> list[DocumentRecord]:
            return [record]

    class FakeReranker:
        name = "none"

    class FakeHybrid:
        def __init__(self, *args: Any) -> None:
            pass

        def search(self, question: str, scope: Scope) -> list[ScoredChunk]:
            return [_chunk(1), _chunk(2, f"Revenue was $5 million. {ESC}")]

        def rerank(
            self, question: str, hits: list[ScoredChunk], top_n: int, scope: Scope | None = None
        ) -> list[ScoredChunk]:
            return hits[:top_n]

    def fake_open(cls: Any, settings: Any) -> FakeIndex:
        seen.append(settings)
        return FakeIndex()

    scope = Scope(companies=["Apple Inc."], fiscal_years=[2023], status="ok", reason="matched Apple")
    monkeypatch.setattr(index.FilingIndex, "open", classmethod(fake_open))
    monkeypatch.setattr(ask, "require_index", lambda settings: None)
    monkeypatch.setattr(rerankers, "make_reranker", lambda spec, settings, **_: FakeReranker())
    monkeypatch.setattr(hybrid, "HybridRetriever", FakeHybrid)
    monkeypatch.setattr(scope_mod, "resolve_scope", lambda question, documents: scope)
    return seen


def test_search_at_80_columns_keeps_passages_as_paragraphs(tmp_path: Path, fake_search: list[Any]) -> None:
    result = invoke(["--data-dir", str(tmp_path), "search", "Apple net sales Q3 2023"])
    assert result.exit_code == 0, result.output
    assert_no_word_per_line(result.output)
    assert_no_raw_escapes(result.output)
    # The passage reads as prose: its words stay together on lines.
    assert "Total net sales decreased 1 percent" in result.output
    assert "Revenue was $5 million." in result.output
    header = next(ln for ln in result.output.splitlines() if ln.startswith("[1]"))
    assert "Apple Inc." in header and "page 12" in header and "score 1.0000" in header


def test_search_json_is_one_object_of_json_types(tmp_path: Path, fake_search: list[Any]) -> None:
    result = invoke(["--data-dir", str(tmp_path), "search", "Apple net sales Q3 2023", "--json"])
    assert result.exit_code == 0, result.output
    assert_no_raw_escapes(result.output)
    data = json.loads(result.output)  # strict: NaN would be 'NaN', which is not JSON
    assert set(data) == {"scope", "reranker", "chunks"}
    assert data["scope"]["status"] == "ok" and data["reranker"] == "none"
    first, second = data["chunks"]
    assert first["chunk"]["metadata"]["source_path"] == LONG_PATH
    assert first["stage_scores"] == {"rrf": 0.03, "dense": None}
    assert second["chunk"]["text"] == f"Revenue was $5 million. {ESC}"  # the filing's text, as data
    assert "NaN" not in result.output


def test_search_model_flags_reach_the_settings(tmp_path: Path, fake_search: list[Any]) -> None:
    result = invoke(
        ["--data-dir", str(tmp_path), "search", "Apple net sales Q3 2023", "--json",
         "--embeddings-model", "hf:sentence-transformers/all-mpnet-base-v2", "--reranker-model", "none",
         "--planner-model", "openai:gpt-4o-mini"],
        FILINGS_PLANNER_MODEL="local:smollm2-135m",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [settings] = fake_search
    assert settings.embeddings_model == "hf:sentence-transformers/all-mpnet-base-v2"
    assert settings.reranker_model == "none"
    assert settings.planner_model == "openai:gpt-4o-mini"  # the flag wins over the environment


@pytest.mark.parametrize("flag", [["--embeddings-model", "nonsense"], ["--planner-model", "local:nope"]])
def test_search_bad_model_string_is_one_line(tmp_path: Path, fake_search: list[Any], flag: list[str]) -> None:
    result = invoke(["--data-dir", str(tmp_path), "search", "Apple net sales", *flag])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert next(ln for ln in result.output.splitlines() if ln.strip()).startswith("error: ")
    assert not fake_search  # refused before the index was opened


# -- docs list ---------------------------------------------------------------------------------
@pytest.fixture
def fake_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import agent.retrieval.manifest as manifest

    records = [
        DocumentRecord(
            doc_id=LONG_ID, source_path=LONG_PATH, sha256="ab12" * 16, company=f"Apple Inc. {ESC}",
            form_type="10-Q", fiscal_year=2023, fiscal_quarter=3, period_end="2023-07-01", pages=28,
            chunks=140,
        ),
        DocumentRecord(
            doc_id="0001018724-23-000004", source_path="/filings/amzn-2022.htm", sha256="cd34" * 16,
            company="Amazon.com, Inc.", form_type="10-K", fiscal_year=2022, period_end="2022-12-31",
            pages=92, chunks=610,
        ),
    ]  # fmt: skip

    class FakeManifest:
        def __init__(self, path: Path) -> None:
            pass

        def committed(self) -> list[DocumentRecord]:
            return records

        def close(self) -> None:
            pass

    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "manifest.sqlite").touch()
    monkeypatch.setattr(manifest, "Manifest", FakeManifest)
    return tmp_path


def test_docs_list_at_80_columns_is_one_line_per_document(fake_manifest: Path) -> None:
    result = invoke(["--data-dir", str(fake_manifest), "docs", "list"])
    assert result.exit_code == 0, result.output
    assert_no_raw_escapes(result.output)
    assert_no_word_per_line(result.output)
    rows = [ln for ln in result.output.splitlines() if "10-Q" in ln or "10-K" in ln]
    assert len(rows) == 2, result.output
    assert "FY2023 Q3" in rows[0] and "FY2022" in rows[1]


def test_docs_list_json_is_a_list_of_records(fake_manifest: Path) -> None:
    result = invoke(["--data-dir", str(fake_manifest), "docs", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert_no_raw_escapes(result.output)
    data = json.loads(result.output)
    assert isinstance(data, list) and [d["doc_id"] for d in data] == [LONG_ID, "0001018724-23-000004"]
    assert data[0]["company"] == f"Apple Inc. {ESC}" and data[0]["source_path"] == LONG_PATH


def test_docs_list_json_without_an_index_is_an_empty_list(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "docs", "list", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert "no index at" in result.stderr


def test_docs_list_stale_json_says_why(fake_manifest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import loaders.discover as discover

    monkeypatch.setattr(
        discover, "stale_reason", lambda path, sha: "file is gone" if path == LONG_PATH else None
    )
    result = invoke(["--data-dir", str(fake_manifest), "docs", "list", "--stale", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["doc_id"] == LONG_ID and row["stale"] == "file is gone"


# -- trace list / show -------------------------------------------------------------------------
def _traced_run(data_dir: Path, question: str, thread: str | None) -> str:
    """One real (tiny) LangGraph run through the CLI's run config, recorded by the local sink."""
    import asyncio
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph

    from agent.config import Settings
    from agent.tracing import run_config

    class S(TypedDict, total=False):
        question: str
        answer: str

    async def draft(state: S) -> dict[str, Any]:
        return {"answer": "Sales were $5."}

    g = StateGraph(S)
    g.add_node("draft", draft)
    g.add_edge(START, "draft")
    g.add_edge("draft", END)
    configurable = {"configurable": {"thread_id": thread}} if thread else None
    config = run_config(Settings(data_dir=data_dir), config=configurable, run_name="research")
    asyncio.run(g.compile().ainvoke({"question": question}, config=config))
    return str(config["run_id"])


def test_trace_records_and_shows_the_thread(tmp_path: Path) -> None:
    long_question = "What was Apple's total net sales for the three months ended July 1, 2023, by segment?"
    first = _traced_run(tmp_path, long_question, "3f9c2a7b1d04")
    second = _traced_run(tmp_path, f"no thread {ESC}", None)

    listed = invoke(["--data-dir", str(tmp_path), "trace", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    runs = json.loads(listed.output)  # one JSON array, newest first
    assert [r["run_id"] for r in runs] == [second, first]
    assert [r["thread_id"] for r in runs] == [None, "3f9c2a7b1d04"]
    assert_no_raw_escapes(listed.output)

    table = invoke(["--data-dir", str(tmp_path), "trace", "list"])
    assert table.exit_code == 0, table.output
    assert_no_raw_escapes(table.output)
    assert_no_word_per_line(table.output)
    row = next(ln for ln in table.output.splitlines() if first[:8] in ln)
    assert "3f9c2a7b" in row and "What was Apple" in row and "…" in row  # one line, cut

    shown = invoke(["--data-dir", str(tmp_path), "trace", "show", first[:8]])
    assert shown.exit_code == 0 and "thread: 3f9c2a7b1d04" in shown.output, shown.output
    as_json = json.loads(invoke(["--data-dir", str(tmp_path), "trace", "show", first, "--json"]).output)
    assert as_json["run"]["thread_id"] == "3f9c2a7b1d04" and as_json["spans"][0]["node"] == "draft"


def test_old_trace_rows_without_a_thread_still_read(tmp_path: Path) -> None:
    import sqlite3

    from agent.tracing import TraceStore

    store = TraceStore(tmp_path / "traces.sqlite")
    store.start_run("run-old", "research", "q?", {"drafter_model": "x"})  # written before thread ids
    with sqlite3.connect(store.path) as c:
        assert "thread" not in [r[1] for r in c.execute("PRAGMA table_info(runs)")]
    [run] = store.list_runs()
    assert run.thread_id is None
    listed = invoke(["--data-dir", str(tmp_path), "trace", "list"])
    assert listed.exit_code == 0 and "run-old" in listed.output, listed.output


# -- models list -------------------------------------------------------------------------------
def test_models_list_json_and_80_columns(tmp_path: Path) -> None:
    from agent.local_models import REGISTRY

    env = {"FILINGS_MODEL_DIR": str(tmp_path / "models")}  # empty: nothing assembled, nothing read
    listed = invoke(["models", "list", "--json"], **env)
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.output)
    assert [d["model"] for d in data] == [f"local:{n}" for n in REGISTRY]
    first = data[0]
    assert set(first) == {
        "model", "role", "size_bytes", "packages_installed", "assembled", "verified", "path", "detail"
    }  # fmt: skip
    assert isinstance(first["size_bytes"], int) and first["assembled"] is False and first["path"] is None
    table = invoke(["models", "list"], **env)
    assert table.exit_code == 0, table.output
    assert_no_word_per_line(table.output)
    rows = [ln for ln in table.output.splitlines() if "local:" in ln and "│" in ln]
    assert len(rows) == len(REGISTRY), table.output


# -- eval --------------------------------------------------------------------------------------
def _suite_result(value: float) -> Any:
    from evals.results import ExampleResult, SuiteResult

    return SuiteResult(
        suite="mini",
        examples=[ExampleResult(id="r", question="q?")],
        metrics={"page_recall@5": {"mean": value}, "mrr": {"mean": float("nan")}},
        wall_seconds=1.5,
    )


@pytest.fixture
def fake_eval(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    import agent.commands.evals as evals_cli
    import evals.report as report

    def fake_run(ctx: Any, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        from agent.config import Settings

        return _suite_result(0.5), Settings(data_dir=tmp_path)

    def fake_report(result: Any, out_dir: Path, **kwargs: Any) -> Path:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "report.md").write_text("# report\n")
        return out_dir / "report.md"

    monkeypatch.setattr(evals_cli, "_run", fake_run)
    monkeypatch.setattr(report, "write_report", fake_report)
    return _suite_result(0.9).save(tmp_path / "baseline.json")


def test_eval_run_json_is_one_object_with_the_gate(tmp_path: Path, fake_eval: Path) -> None:
    out = tmp_path / "out"
    result = invoke(["eval", "run", "--json", "--out", str(out), "--baseline", str(fake_eval)])
    assert result.exit_code == 1, result.output  # regressed 0.9 -> 0.5: the same exit code as without
    data = json.loads(result.stdout)
    assert data["suite"] == "mini" and data["results"] == str(out / "results.json")
    assert data["report"] == str(out / "report.md") and data["baseline"] == str(fake_eval)
    assert data["metrics"]["page_recall@5"] == 0.5 and data["metrics"]["mrr"] is None  # NaN is not JSON
    assert data["gate"]["passed"] is False
    assert any(r["metric"] == "page_recall@5" and r["status"] == "regressed" for r in data["gate"]["rows"])
    alone = invoke(["eval", "run", "--json", "--out", str(out), "--baseline", str(fake_eval)])
    assert json.loads(alone.stdout)["gate"] is not None


def test_eval_report_and_baseline_json(tmp_path: Path, fake_eval: Path) -> None:
    report = invoke(["eval", "report", str(fake_eval), "--json", "--out", str(tmp_path / "r")])
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout) == {"report": str(tmp_path / "r" / "report.md"), "gate": None}
    base = invoke(["eval", "baseline", "--from", str(fake_eval), "--out", str(tmp_path / "b.json"), "--json"])
    assert base.exit_code == 0, base.output
    data = json.loads(base.stdout)
    assert data["baseline"] == str(tmp_path / "b.json") and data["metrics"]["page_recall@5"] == 0.9
