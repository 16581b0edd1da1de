"""Resuming a conversation deserializes only registered types, on every checkpointer we build.

LangGraph reads ``LANGGRAPH_STRICT_MSGPACK`` at import time, so each conversation runs in its own
process (``_two_turns.py``) with the variable set before anything is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from graph_fakes import APPLE_22, APPLE_23

HERE = Path(__file__).resolve().parent


def run_two_turns(
    checkpointer: str, data_dir: Path, *, strict: bool, thread: str = "two-turns"
) -> tuple[dict, str]:
    """(the script's JSON result, its stderr) for one two-turn conversation."""
    env = {
        **os.environ,
        "FILINGS_CHECKPOINTER": checkpointer,
        "FILINGS_DATA_DIR": str(data_dir),
        "LANGGRAPH_STRICT_MSGPACK": "true" if strict else "false",
    }
    proc = subprocess.run(
        [sys.executable, str(HERE / "_two_turns.py"), thread],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def assert_clean_resume(result: dict, stderr: str) -> None:
    assert "unregistered type" not in stderr
    assert "Blocked deserialization" not in stderr
    assert "allowed_msgpack_modules" not in stderr
    # The follow-up kept the thread's company and shifted the year.
    assert result["doc_ids"] == [[APPLE_23.doc_id], [APPLE_22.doc_id]]
    assert result["stop_reasons"] == ["accepted", "accepted"]
    assert len(result["turns"]) == 2
    # Read back by the saver alone, the thread is still typed objects, not blocked dicts.
    assert result["saved_types"] == ["Answer", "Turn"]


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "default"])
@pytest.mark.parametrize("checkpointer", ["memory", "sqlite"])
def test_follow_up_resumes_without_unregistered_types(tmp_path, checkpointer, strict) -> None:
    assert_clean_resume(*run_two_turns(checkpointer, tmp_path, strict=strict))


def test_every_type_of_the_graph_schemas_is_registered() -> None:
    """A new model in the state must join CHECKPOINT_TYPES (and langgraph.json's allow-list)."""
    serde = pytest.importorskip("langgraph._internal._serde")  # what strict mode derives the list with
    from agent.state import CHECKPOINT_TYPES
    from graphs.research import build_research_graph

    builder = build_research_graph().builder
    schemas = [builder.state_schema, builder.input_schema, builder.output_schema, builder.context_schema]
    schemas += [node.input_schema for node in builder.nodes.values()]
    derived = serde.collect_allowlist_from_schemas(schemas=schemas, channels=builder.channels)
    ours = {key for key in derived if key[0].split(".")[0] in ("agent", "graphs")}
    assert ours and ours <= set(CHECKPOINT_TYPES)


def test_server_config_allows_the_same_types() -> None:
    from agent.state import CHECKPOINT_TYPES

    config = json.loads((HERE.parents[2] / "langgraph.json").read_text())
    allowed = {tuple(entry) for entry in config["checkpointer"]["serde"]["allowed_msgpack_modules"]}
    assert allowed == set(CHECKPOINT_TYPES)


def test_a_checkpoint_written_before_the_schemas_split_still_loads(monkeypatch) -> None:
    """Stored threads name their types by the module that defined them when they were written;
    ``agent.schemas`` was one module before it became a package and still exports every type."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    from agent.schemas import Answer, Calculation, Operand, Scope
    from agent.state import CHECKPOINT_TYPES, checkpoint_serde

    operand = Operand(
        fact_id="d::f1",
        doc_id="d",
        page=3,
        item="revenue",
        label="Net sales",
        period="FY2022",
        value=1.0,
        printed="1",
    )
    answer = Answer(
        question="q",
        text="t",
        scope=Scope(companies=["Acme"]),
        calculations=[Calculation(name="n", expression="1", operands=[operand], result=1.0, unit="USD")],
    )
    for cls in (Answer, Scope, Calculation, Operand):
        monkeypatch.setattr(cls, "__module__", "agent.schemas")
    stored = checkpoint_serde().dumps_typed({"answer": answer})
    monkeypatch.undo()
    assert b"agent.schemas.answer" not in stored[1] and b"agent.schemas" in stored[1]

    loaded = checkpoint_serde().loads_typed(stored)["answer"]
    assert isinstance(loaded, Answer) and loaded == answer
    assert isinstance(loaded.calculations[0].operands[0], Operand)
    # Without the old paths in the allow-list, the same bytes would not come back as typed objects.
    current_only = [t for t in CHECKPOINT_TYPES if t[0] != "agent.schemas"]
    blocked = JsonPlusSerializer(allowed_msgpack_modules=current_only).loads_typed(stored)["answer"]
    assert not isinstance(blocked, Answer)
