"""`filings serve` (issue 7): the research graph behind the LangGraph dev server.

It runs ``langgraph dev`` (langgraph-cli, in-memory runtime) on the graphs of the repository's
``langgraph.json`` — or, from an installed wheel without that file, on the packaged module — with:

* the server's working directory under ``<data_dir>/server``: the in-memory runtime persists its
  threads and runs in ``./.langgraph_api``, which must not land in whatever directory the user
  happened to start from;
* this invocation's Settings handed down as ``FILINGS_DATA_DIR`` / ``FILINGS_CONFIG``, so the
  graph reads the same index;
* no calls home: CLI analytics and the PyPI version check are off unless the user set them;
* the port checked first: ``langgraph dev`` moves off a taken port, and the address printed here
  would be wrong, so a taken port ends the command with one line naming it and ``--port``;
* the web app (issue 17, :mod:`agent.web`) mounted as the server's custom HTTP app (``"http"`` in
  langgraph.json), and a host other than loopback refused unless ``FILINGS_API_TOKEN`` is set
  (the token then guards every route, the LangGraph API included).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.commands._common import err_console, settings_from
from agent.config import Settings
from agent.state import CHECKPOINT_TYPES

REPO_CONFIG = Path(__file__).resolve().parents[2] / "langgraph.json"
# Used when the package is installed without the repository (no langgraph.json beside it).
PACKAGED_GRAPHS = {"research": "graphs.server:graph"}
PACKAGED_HTTP = {"app": "agent.web.app:app"}
# SEE: https://docs.langchain.com/langsmith/data-storage-and-privacy (CLI analytics opt-out);
# LANGGRAPH_NO_VERSION_CHECK skips langgraph-api's startup request to pypi.org.
OFFLINE_ENV = {"LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGGRAPH_NO_VERSION_CHECK": "true"}


def server_config(source: Path | None = REPO_CONFIG) -> dict[str, Any]:
    """The langgraph.json to serve, with graph file paths made absolute.

    ``langgraph dev`` resolves ``./file.py:var`` against its working directory; the server runs
    elsewhere (see module doc), so relative paths are anchored at the source file's folder.
    """
    if source is None or not source.is_file():
        return {
            "dependencies": ["."],
            "graphs": dict(PACKAGED_GRAPHS),
            "http": dict(PACKAGED_HTTP),
            "checkpointer": {"serde": {"allowed_msgpack_modules": [list(t) for t in CHECKPOINT_TYPES]}},
        }
    try:
        config = json.loads(source.read_text())
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{source} is not valid JSON: {exc}") from exc
    graphs = config.get("graphs")
    if not isinstance(graphs, dict) or not graphs:
        raise typer.BadParameter(f"{source} declares no graphs")
    config["graphs"] = {name: _anchor(spec, source.parent) for name, spec in graphs.items()}
    if isinstance(config.get("http"), dict) and "app" in config["http"]:
        config["http"] = {**config["http"], "app": _anchor(config["http"]["app"], source.parent)}
    config["dependencies"] = [
        str((source.parent / d).resolve()) if d.startswith(".") else d for d in config.get("dependencies", [])
    ]
    return config


def _anchor(spec: Any, base: Path) -> Any:
    if isinstance(spec, str) and spec.startswith("."):
        path, sep, variable = spec.rpartition(":")
        return f"{(base / path).resolve()}{sep}{variable}"
    if isinstance(spec, dict) and isinstance(spec.get("path"), str):
        return {**spec, "path": _anchor(spec["path"], base)}
    return spec


def server_env(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of the server process: this run's settings, offline defaults, user's env kept."""
    env = dict(os.environ if base is None else base)
    for key, value in OFFLINE_ENV.items():
        env.setdefault(key, value)
    env["FILINGS_DATA_DIR"] = str(settings.data_dir)
    # Graph modules import from the repository root (graphs/, agent/) whatever the cwd.
    root = str(REPO_CONFIG.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def langgraph_command(
    config_path: Path, *, host: str, port: int, reload: bool, allow_blocking: bool
) -> list[str]:
    """The ``langgraph dev`` command line (the CLI of this interpreter's environment)."""
    exe = Path(sys.executable).parent / "langgraph"
    launcher = [str(exe)] if exe.exists() else [shutil.which("langgraph") or "langgraph"]
    cmd = [
        *launcher,
        "dev",
        "--config",
        str(config_path),
        "--host",
        host,
        "--port",
        str(port),
        "--no-browser",
    ]
    if not reload:
        cmd.append("--no-reload")
    if allow_blocking:
        cmd.append("--allow-blocking")
    return cmd


def exposure_problem(host: str, environ: dict[str, str] | None = None) -> str | None:
    """Why serving on ``host`` is refused: a non-loopback interface without ``FILINGS_API_TOKEN``
    would hand the filings, the models and the LangGraph API to the whole network."""
    from agent.web.auth import TOKEN_ENV, api_token, is_loopback

    if is_loopback(host) or api_token(environ) is not None:
        return None
    return (
        f"refusing to serve on {host} (reachable from other machines) without a token: "
        f"set {TOKEN_ENV}, or keep the default --host 127.0.0.1"
    )


def port_unavailable(host: str, port: int) -> str | None:
    """Why ``langgraph dev`` could not listen on ``host:port``, or ``None`` if it can.

    Checked before starting the server: on a taken port it moves elsewhere, and the address we
    print (and the user's clients use) would be wrong. ``SO_REUSEADDR`` as uvicorn sets it, so a
    port that only has connections in TIME_WAIT is not reported as taken.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        return f"cannot serve on {host}: the host does not resolve ({exc}); choose another with --host"
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return (
                f"port {port} on {host} is already in use (another `filings serve` or server?); "
                f"choose another with --port, e.g. `filings serve --port {port + 1}`"
            )
        return f"cannot serve on {host}:{port}: {exc.strerror or exc}; choose another --host or --port"
    return None


def register(app: typer.Typer) -> None:
    @app.command(help="Serve the research graph with the LangGraph dev server (langgraph.json).")
    def serve(
        ctx: typer.Context,
        host: Annotated[
            str, typer.Option(help="Interface to bind; keep 127.0.0.1 unless behind a proxy.")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port of the LangGraph API.")] = 2024,
        graph_config: Annotated[
            Path | None,
            typer.Option("--graph-config", help="langgraph.json to serve (default: the repository's)."),
        ] = None,
        reload: Annotated[bool, typer.Option(help="Restart when code changes (development).")] = False,
        allow_blocking: Annotated[
            bool,
            typer.Option(
                help="Let nodes make blocking calls (embedded Chroma, in-process llama.cpp) on the server's "
                "event loop; --no-allow-blocking makes the dev server report them."
            ),
        ] = True,
    ) -> None:
        settings = settings_from(ctx)
        if (problem := exposure_problem(host)) is not None:
            err_console.print(f"error: {problem}", style="red", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(code=2)
        if (problem := port_unavailable(host, port)) is not None:
            err_console.print(f"error: {problem}", style="red", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(code=1)
        source = graph_config or REPO_CONFIG
        if graph_config is not None and not graph_config.is_file():
            raise typer.BadParameter(f"no such file: {graph_config}", param_hint="--graph-config")
        workdir = settings.data_dir / "server"
        workdir.mkdir(parents=True, exist_ok=True)
        config_path = workdir / "langgraph.json"
        config_path.write_text(json.dumps(server_config(source), indent=2))
        cmd = langgraph_command(
            config_path, host=host, port=port, reload=reload, allow_blocking=allow_blocking
        )
        err_console.print(
            f"[dim]serving {config_path} on http://{host}:{port} (data dir {settings.data_dir})[/dim]"
        )
        err_console.print(f"web app: http://{host}:{port}/", markup=False, highlight=False)
        try:
            code = subprocess.call(cmd, cwd=workdir, env=server_env(settings))
        except FileNotFoundError:
            err_console.print(
                "[red]langgraph-cli is not installed: pip install 'filings-agent[server]'[/red]"
            )
            raise typer.Exit(code=2) from None
        except KeyboardInterrupt:
            code = 0
        raise typer.Exit(code=code)
