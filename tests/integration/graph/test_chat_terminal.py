"""`filings chat` in a real terminal (a pty) on the real index and a real local model (issue 15,
point 9): arrow keys and Ctrl-A edit the line, Up recalls the last question, Ctrl-C cancels the
running answer and the model stops, the prompt comes back, history is kept in the data dir."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FILINGS = str(Path(sys.executable).parent / "filings")
# A question the model drafts (a figure question would be computed from the stored facts with no
# model call, leaving nothing to cancel).
QUESTION = "According to Amazon's 2022 annual report, what drove the increase in AWS segment net sales?"


def _cpu_seconds(pid: int) -> float:
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _seconds_to_idle(pid: int, window: float = 0.5, limit: float = 60.0) -> float:
    start = time.monotonic()
    before = _cpu_seconds(pid)
    while time.monotonic() - start < limit:
        time.sleep(window)
        now = _cpu_seconds(pid)
        if now - before < 0.2 * window:
            return time.monotonic() - start - window
        before = now
    return limit


def _wait_busy(pid: int) -> float:
    before = _cpu_seconds(pid)
    time.sleep(1.0)
    return _cpu_seconds(pid) - before


def _as_from_a_shell() -> None:
    """Ctrl-C as an interactive shell delivers it. A command a script starts with ``&`` (CI run in
    the background) inherits an ignored SIGINT, which the chat, like any program, keeps: Ctrl-C in
    the pty would then do nothing and the test would fail for how CI was started."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_chat_edits_recalls_and_cancels_in_a_terminal(samples_index_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "TERM": "xterm", "HOME": str(tmp_path), "COLUMNS": "120", "LINES": "40"}
    env["FILINGS_TRACE_LOCAL"] = "false"
    args = ["--data-dir", str(samples_index_dir), "chat", "--model", "local:smollm2-135m"]
    child = pexpect.spawn(
        FILINGS,
        args,
        env=env,
        encoding="utf-8",
        timeout=240,
        dimensions=(40, 120),
        preexec_fn=_as_from_a_shell,
    )
    try:
        child.expect_exact("you> ")
        child.sendline(QUESTION)
        child.expect_exact("rerank_chunks")  # the draft starts next
        time.sleep(1.0)
        busy = _wait_busy(child.pid)
        assert busy > 0.5, f"the model was not running before Ctrl-C ({busy:.2f} CPU s in 1 s)"
        child.sendintr()
        seconds = _seconds_to_idle(child.pid)
        print(f"chat Ctrl-C -> idle CPU: {seconds:.2f} s")
        assert seconds < 5, f"the model kept running {seconds:.1f} s after Ctrl-C"
        child.expect_exact("cancelled")
        child.expect_exact("you> ")

        # Up recalls the question (readline history); Ctrl-C cancels this run too.
        child.send("\x1b[A\r")
        child.expect_exact("resolve_scope")
        child.sendintr()
        child.expect_exact("cancelled")
        child.expect_exact("you> ")

        # Line editing: "xit", Ctrl-A (start of line), "e" gives "exit"; without readline the line
        # would hold a control character and be refused instead.
        child.send("xit")
        child.send("\x01")
        child.send("e\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before
    history = (samples_index_dir / "chat_history").read_text()
    assert QUESTION in history and "exit" in history
