"""`filings serve` plumbing: which graphs, which environment, which command line."""

from __future__ import annotations

import json
from pathlib import Path

from agent.commands.serve import (
    OFFLINE_ENV,
    REPO_CONFIG,
    langgraph_command,
    server_config,
    server_env,
)
from agent.config import Settings
from agent.state import CHECKPOINT_TYPES


def test_repo_langgraph_json_serves_the_research_graph():
    config = json.loads(REPO_CONFIG.read_text())
    path, _, variable = config["graphs"]["research"].rpartition(":")
    assert (REPO_CONFIG.parent / path).resolve() == REPO_CONFIG.parent / "graphs" / "server.py"
    assert variable == "graph"


def test_relative_graph_paths_are_anchored_at_the_config(tmp_path):
    source = tmp_path / "proj" / "langgraph.json"
    source.parent.mkdir()
    source.write_text(
        json.dumps({"dependencies": ["."], "graphs": {"g": "./pkg/g.py:graph", "m": "pkg.mod:graph"}})
    )
    config = server_config(source)
    assert config["graphs"]["g"] == f"{source.parent / 'pkg' / 'g.py'}:graph"
    assert config["graphs"]["m"] == "pkg.mod:graph"  # module specs are left to the import system
    assert config["dependencies"] == [str(source.parent)]


def test_without_a_repo_config_the_packaged_module_is_served(tmp_path):
    assert server_config(tmp_path / "missing.json")["graphs"] == {"research": "graphs.server:graph"}


def test_both_configs_allow_exactly_the_checkpointed_types(tmp_path):
    for config in (server_config(), server_config(tmp_path / "missing.json")):
        allowed = config["checkpointer"]["serde"]["allowed_msgpack_modules"]
        assert {tuple(entry) for entry in allowed} == set(CHECKPOINT_TYPES)


def test_server_env_carries_settings_and_stays_offline(tmp_path):
    env = server_env(Settings(data_dir=tmp_path), base={"LANGGRAPH_CLI_NO_ANALYTICS": "0", "PATH": "/bin"})
    assert env["FILINGS_DATA_DIR"] == str(tmp_path)
    assert env["LANGGRAPH_NO_VERSION_CHECK"] == OFFLINE_ENV["LANGGRAPH_NO_VERSION_CHECK"]
    assert env["LANGGRAPH_CLI_NO_ANALYTICS"] == "0"  # an explicit user choice wins
    assert env["PATH"] == "/bin"


def test_command_line(tmp_path):
    cmd = langgraph_command(
        tmp_path / "lg.json", host="127.0.0.1", port=9999, reload=False, allow_blocking=False
    )
    assert Path(cmd[0]).name == "langgraph"
    assert cmd[1:] == [
        "dev",
        "--config",
        str(tmp_path / "lg.json"),
        "--host",
        "127.0.0.1",
        "--port",
        "9999",
        "--no-browser",
        "--no-reload",
    ]


def test_a_taken_port_fails_with_one_line_naming_it(tmp_path, monkeypatch):
    """langgraph dev would move to another port and the address we print would be wrong."""
    import socket
    import subprocess

    from typer.testing import CliRunner

    from agent.cli import app

    def no_server(*args, **kwargs):
        raise AssertionError("the server must not start on a taken port")

    monkeypatch.setattr(subprocess, "call", no_server)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "serve", "--port", str(port)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"port {port} on 127.0.0.1 is already in use" in lines[0]
    assert "--port" in lines[0]
    assert f"http://127.0.0.1:{port}" not in result.output  # no wrong address printed


def test_a_free_port_passes_the_check():
    import socket

    from agent.commands.serve import port_unavailable

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert port_unavailable("127.0.0.1", port) is None
    assert "does not resolve" in (port_unavailable("no-such-host.invalid", port) or "")
