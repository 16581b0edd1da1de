"""The real langsmith SDK delivers node-level runs, with our metadata, to a LangSmith-compatible
collector on loopback — configured only through the standard LANGSMITH_* variables.

The graph runs in a child process so the SDK reads the variables fresh (LangChain caches its
client per process) and its background sender is flushed at exit.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]

DRIVER = r"""
import asyncio, sys
sys.path.insert(0, {tests!r})
from unit.test_tracing import build_graph
from langchain_core.tracers.langchain import wait_for_all_tracers

asyncio.run(build_graph().ainvoke({{"question": "What were sales?"}}, config={{"run_name": "research"}}))
wait_for_all_tracers()
"""


RESEARCH_DRIVER = r"""
import asyncio, sys
sys.path.insert(0, {graph_tests!r})
from graph_fakes import FakeResources, ScriptedChatModel
from langchain_core.tracers.langchain import wait_for_all_tracers
from agent.config import Context, Settings
from agent.tracing import run_config
from graphs.research import build_research_graph

model = ScriptedChatModel(scripts={{
    "decompose": ['{{"subquestions": ["Apple total net sales three months ended July 1, 2023"]}}'],
    "draft": ["Apple's total net sales were $81,797 million [c1]."],
}})
graph = build_research_graph(resources=FakeResources(model))
config = run_config(Settings(), run_name="research", metadata={{"drafter_model": "scripted"}})
q = "What were Apple's total net sales for the three months ended July 1, 2023?"
asyncio.run(graph.ainvoke({{"question": q}}, config=config, context=Context()))
wait_for_all_tracers()
"""


class Collector:
    """Records every request; parses /runs/multipart, /runs/batch and /runs bodies into runs."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, body: bytes = b"{}") -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                outer.requests.append(("GET", self.path, dict(self.headers), b""))
                if self.path.startswith("/info"):
                    self._reply(b'{"version": "0.0.0"}')
                else:
                    self._reply(json.dumps(outer.reply("GET", self.path, b"")).encode())

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append((self.command, self.path, dict(self.headers), body))
                self._reply(json.dumps(outer.reply(self.command, self.path, body)).encode())

            do_PATCH = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reply(self, method: str, path: str, body: bytes) -> Any:
        """The JSON body answered to a request (tracing endpoints need nothing back)."""
        return {}

    def runs(self) -> dict[str, dict[str, Any]]:
        """Run id -> merged run (post + patch + their inputs/outputs/extra parts)."""
        runs: dict[str, dict[str, Any]] = {}

        def merge(run: dict[str, Any]) -> None:
            target = runs.setdefault(str(run["id"]), {})
            for key, value in run.items():
                if key == "extra" and isinstance(value, dict):
                    extra = target.setdefault("extra", {})
                    extra.setdefault("metadata", {}).update(value.get("metadata") or {})
                else:
                    target[key] = value

        for _, path, headers, body in self.requests:
            if path.startswith("/runs/multipart"):
                boundary = headers["Content-Type"].split("boundary=", 1)[1].encode()
                for part in body.split(b"--" + boundary):
                    if b"\r\n\r\n" not in part:
                        continue
                    head, payload = part.split(b"\r\n\r\n", 1)
                    name = re.search(rb'name="([^"]+)"', head)
                    if name is None:
                        continue
                    _, rest = name.group(1).decode().split(".", 1)
                    run_id, _, field = rest.partition(".")
                    value = json.loads(payload.rstrip(b"\r\n"))
                    merge({"id": run_id, field: value} if field else value)
            elif path.startswith("/runs/batch"):
                data = json.loads(body)
                for run in [*(data.get("post") or []), *(data.get("patch") or [])]:
                    merge(run)
            elif path.rstrip("/") == "/runs" or path.startswith("/runs/"):
                run = json.loads(body)
                run.setdefault("id", path.rsplit("/", 1)[-1])
                merge(run)
        return runs

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def collector() -> Iterator[Collector]:
    c = Collector()
    yield c
    c.close()


def run_driver(code: str, collector: Collector, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANGSMITH_", "LANGCHAIN_"))}
    env.update(
        LANGSMITH_TRACING="true",
        LANGSMITH_API_KEY="lsv2-test-key",
        LANGSMITH_PROJECT="filings-collector-test",
        LANGSMITH_ENDPOINT=collector.url,
        FILINGS_DATA_DIR=str(tmp_path),
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_langsmith_sdk_delivers_node_runs_with_metadata(collector: Collector, tmp_path: Path) -> None:
    run_driver(DRIVER.format(tests=str(REPO / "tests")), collector, tmp_path)

    posted = [(m, p) for m, p, _, _ in collector.requests if m in ("POST", "PATCH")]
    assert posted, f"nothing reached the collector: {collector.requests}"
    assert all(
        {k.lower(): v for k, v in h.items()}.get("x-api-key") == "lsv2-test-key"
        for m, _, h, _ in collector.requests
        if m != "GET"
    )

    runs = collector.runs()
    by_name: dict[str, list[dict[str, Any]]] = {}
    for run in runs.values():
        by_name.setdefault(run.get("name", "?"), []).append(run)
    assert {"research", "decompose", "retrieve", "draft"} <= set(by_name), sorted(by_name)
    root = by_name["research"][0]
    assert root.get("session_name") == "filings-collector-test"
    assert root["inputs"] == {"question": "What were sales?"}
    # Node runs hang under the graph run and carry what annotate() attached.
    for node in ("decompose", "retrieve", "draft"):
        assert all(r.get("parent_run_id") == root["id"] and r.get("end_time") for r in by_name[node])
    meta = {name: [r["extra"]["metadata"] for r in rs] for name, rs in by_name.items()}
    assert meta["decompose"][0]["sub_questions"] == ["sales 2023", "sales 2022"]
    assert meta["decompose"][0]["langgraph_node"] == "decompose"
    assert sorted(m["chunk_ids"][0] for m in meta["retrieve"]) == ["sales 2022::1", "sales 2023::1"]
    assert all(m["scores"] == [0.75] for m in meta["retrieve"])
    assert meta["draft"][0]["stop_reason"] == "accepted"
    # The LLM call inside the draft node is its own child run with token usage.
    llm_runs = [r for r in runs.values() if r.get("run_type") == "llm"]
    assert llm_runs and llm_runs[0]["parent_run_id"] == by_name["draft"][0]["id"]


def test_research_graph_node_runs_reach_langsmith(collector: Collector, tmp_path: Path) -> None:
    """The research graph (scripted model, in-memory resources): every node arrives as a named child run."""
    run_driver(
        RESEARCH_DRIVER.format(graph_tests=str(REPO / "tests" / "unit" / "graph")), collector, tmp_path
    )
    runs = collector.runs()
    by_name: dict[str, list[dict[str, Any]]] = {}
    for run in runs.values():
        by_name.setdefault(run.get("name", "?"), []).append(run)
    [root] = by_name["research"]
    assert root["extra"]["metadata"]["drafter_model"] == "scripted"
    nodes = [
        "resolve_scope",
        "decompose_question",
        "retrieve",
        "rerank_chunks",
        "draft_answer",
        "critique_draft",
        "finalize_answer",
    ]
    for node in nodes:
        assert node in by_name, sorted(by_name)
        run = by_name[node][0]
        assert run["parent_run_id"] == root["id"] and run["extra"]["metadata"]["langgraph_node"] == node
    # What the nodes produced travels with their runs: sub-questions, ranked chunks, the typed answer.
    assert by_name["decompose_question"][0]["outputs"]["subquestions"]
    context = by_name["rerank_chunks"][0]["outputs"]["context"]
    assert context[0]["chunk"]["id"] == "0000320193-23-000077::3" and "score" in context[0]
    assert by_name["finalize_answer"][0]["outputs"]["answer"]["stop_reason"] == "accepted"
    # The local sink ran alongside (trace_local is on by default) under the data dir.
    from agent.tracing import TraceStore

    [local] = TraceStore(tmp_path / "traces.sqlite").list_runs()
    assert local.run_id == root["id"]


class FakeLangSmith(Collector):
    """The collector, answering the dataset / example / experiment endpoints like LangSmith does."""

    def __init__(self) -> None:
        super().__init__()
        self.datasets: dict[str, dict[str, Any]] = {}
        self.examples: list[dict[str, Any]] = []
        self.sessions: dict[str, dict[str, Any]] = {}

    def reply(self, method: str, path: str, body: bytes) -> Any:
        data = json.loads(body) if body else {}
        made = {
            "id": str(uuid.uuid4()),
            "created_at": "2026-01-01T00:00:00+00:00",
            "tenant_id": str(uuid.uuid4()),
        }
        route = path.split("?")[0].rstrip("/")
        if method == "GET" and route == "/datasets":
            name = re.search(r"name=([^&]+)", path)
            return [d for d in self.datasets.values() if name and d["name"] == name.group(1)]
        if method == "GET" and route == "/examples":
            return list(self.examples)
        if route == "/datasets":
            dataset = {**made, "modified_at": made["created_at"], **data}
            self.datasets[dataset["id"]] = dataset
            return dataset
        if route == "/examples/bulk":
            self.examples += [{**made, **ex} for ex in data]
            return [{"id": ex["id"]} for ex in data]
        if route == "/sessions":
            session = {**made, "start_time": made["created_at"], **data}
            self.sessions[session["id"]] = session
            return session
        if route.startswith("/sessions/"):
            session = self.sessions[route.rsplit("/", 1)[1]]
            session.update({k: v for k, v in data.items() if v is not None})
            return session
        if route == "/feedback":
            return {**made, "modified_at": made["created_at"], **data}
        return {}


def _bodies(requests: list[tuple[str, str, dict[str, str], bytes]], route: str) -> list[Any]:
    return [json.loads(b) for m, p, _, b in requests if m == "POST" and p.split("?")[0].rstrip("/") == route]


def test_eval_results_upload_as_a_langsmith_experiment(tmp_path: Path) -> None:
    """`filings eval upload`: dataset once, then an experiment of runs linked to its examples, with
    every per-question metric as feedback (NaN scores are not sent)."""
    from langsmith import Client

    from evals.langsmith_upload import upload_experiment
    from evals.results import ExampleResult, SuiteResult

    suite = SuiteResult(
        suite="bundled",
        created_at="2026-11-23T00:00:00+00:00",
        config={"context": {"drafter_model": "local:qwen2.5-1.5b-instruct"}},
        examples=[
            ExampleResult(
                id="q1",
                question="Apple net sales?",
                reference_answer="$81,797 million",
                answer="$81,797 million [1]",
                stop_reason="accepted",
                metrics={"answer.numeric_match": 1.0, "retrieval.recall@5": 1.0},
                wall_seconds=3.0,
            ),
            ExampleResult(
                id="q2",
                question="Amazon AWS?",
                answer="I could not ...",
                stop_reason="abstained: budget",
                metrics={"answer.numeric_match": float("nan"), "retrieval.recall@5": 0.0},
            ),
        ],
    )
    server = FakeLangSmith()
    try:
        client = Client(api_url=server.url, api_key="lsv2-test-key", auto_batch_tracing=False)
        first = upload_experiment(suite, client=client)
        second = upload_experiment(suite, client=client)
    finally:
        server.close()

    assert first["dataset"] == second["dataset"] == "filings-bundled"
    assert len(_bodies(server.requests, "/datasets")) == 1  # created once, found the second time
    [examples] = _bodies(server.requests, "/examples/bulk")  # no duplicates on re-upload
    assert [e["metadata"]["example_id"] for e in examples] == ["q1", "q2"]
    example_ids = {e["metadata"]["example_id"]: e["id"] for e in examples}
    sessions = _bodies(server.requests, "/sessions")
    assert len(sessions) == 2 and first["experiment"] != second["experiment"]
    assert all(s["reference_dataset_id"] == first["dataset_id"] for s in sessions)
    runs = _bodies(server.requests, "/runs")
    assert len(runs) == 4 and {r["session_name"] for r in runs} == {first["experiment"], second["experiment"]}
    q1 = next(r for r in runs if r["reference_example_id"] == example_ids["q1"])
    assert q1["inputs"] == {"question": "Apple net sales?"} and q1["outputs"]["stop_reason"] == "accepted"
    feedback = [f for f in _bodies(server.requests, "/feedback") if f["run_id"] == q1["id"]]
    assert {f["key"]: f["score"] for f in feedback} == {
        "answer.numeric_match": 1.0,
        "retrieval.recall@5": 1.0,
    }
    assert first["feedback"] == 3  # q2's NaN numeric match was left out, not sent as 0
    assert all(
        {k.lower(): v for k, v in h.items()}.get("x-api-key") == "lsv2-test-key"
        for _, _, h, _ in server.requests
    )
