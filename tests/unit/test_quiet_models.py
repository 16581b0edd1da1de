"""Issue 15, point 7: the model libraries' progress bars and logs are off unless --verbose."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.models import VERBOSE_ENV, hf_output


@pytest.fixture
def hf_defaults() -> Iterator[None]:
    from transformers.utils import logging as hf_logging

    yield
    hf_logging.enable_progress_bar()
    hf_logging.set_verbosity_warning()


def test_hf_bars_and_logs_are_off_by_default_and_on_when_verbose(
    monkeypatch: pytest.MonkeyPatch, hf_defaults: None
) -> None:
    from transformers.utils import logging as hf_logging

    monkeypatch.delenv(VERBOSE_ENV, raising=False)
    hf_output()
    assert not hf_logging.is_progress_bar_enabled()
    assert hf_logging.get_verbosity() == logging.ERROR
    monkeypatch.setenv(VERBOSE_ENV, "1")
    hf_output()
    assert hf_logging.is_progress_bar_enabled()
    assert hf_logging.get_verbosity() == logging.WARNING


def test_the_verbose_flag_is_global(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VERBOSE_ENV, raising=False)
    result = CliRunner().invoke(app, ["--verbose", "models", "--help"])
    assert result.exit_code == 0, result.output
    assert os.environ.get(VERBOSE_ENV) == "1"
    monkeypatch.delenv(VERBOSE_ENV)  # undo what the command did to this process


def test_tqdms_notebook_widget_warning_is_filtered_once_agent_is_imported() -> None:
    # What tqdm.auto says when bm25s / transformers are imported in a notebook without ipywidgets.
    code = (
        "import warnings, agent; from tqdm.std import TqdmWarning; "
        "warnings.warn('IProgress not found. Please update jupyter and ipywidgets.', TqdmWarning)"
    )
    env = {k: v for k, v in os.environ.items() if k != VERBOSE_ENV}
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0 and "IProgress" not in proc.stderr, proc.stderr


def test_llama_cpp_log_lines_reach_logging_not_the_terminal_unless_verbose(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from agent import chat_llamacpp

    chat_llamacpp.route_native_logs()
    callback = chat_llamacpp._native_log_callback
    line = b"decode: removing memory module entries for seq_id = 0, pos = [0, +inf)\n"
    monkeypatch.delenv(VERBOSE_ENV, raising=False)
    capfd.readouterr()
    with caplog.at_level(logging.DEBUG, logger=chat_llamacpp.native_log.name):
        callback(3, line, None)  # GGML_LOG_LEVEL_ERROR, what an aborted decode logs
    assert capfd.readouterr().err == ""
    assert [r.getMessage() for r in caplog.records] == [line.decode().rstrip()]
    monkeypatch.setenv(VERBOSE_ENV, "1")
    callback(3, line, None)
    assert "removing memory module entries" in capfd.readouterr().err
