"""Issue 15, point 7: loading the real local embedding model prints no 'Loading weights' bar
unless --verbose (FILINGS_VERBOSE=1) asks for the library's own output. `make test` fetches the
model first; without it the test fails rather than skips."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from agent.models import VERBOSE_ENV

pytestmark = pytest.mark.integration


_LOAD_TWICE = textwrap.dedent(
    """
    import os, sys
    import agent.models as m
    m.load_sentence_transformer("local:all-minilm-l6-v2")
    sys.stderr.write("==verbose==\\n")
    os.environ["FILINGS_VERBOSE"] = "1"
    m._ST_CACHE.clear()
    m.load_sentence_transformer("local:all-minilm-l6-v2")
    """
)


def test_loading_the_embedding_model_prints_no_loading_weights_bar() -> None:
    env = {k: v for k, v in os.environ.items() if k not in (VERBOSE_ENV, "HF_HUB_DISABLE_PROGRESS_BARS")}
    proc = subprocess.run(
        [sys.executable, "-c", _LOAD_TWICE], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    quiet, _, loud = proc.stderr.partition("==verbose==")
    assert "Loading weights" not in quiet and "%|" not in quiet, quiet
    assert "Loading weights" in loud  # --verbose gives the library's own output back
