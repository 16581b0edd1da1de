"""Chroma as a server instead of embedded, by configuration only (FILINGS_CHROMA_HOST / PORT)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from agent.config import Context, Settings
from agent.schemas import Answer

from .servers import chroma_server
from .smoke import QUESTION, SMOKE_CONTEXT

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    with chroma_server(
        tmp_path_factory.mktemp("chroma-db"), log_dir=tmp_path_factory.mktemp("chroma-log")
    ) as hp:
        yield hp


async def test_ingest_retrieve_and_answer_through_a_chroma_server(chroma, samples_dir, tmp_path, monkeypatch):
    import chromadb

    from agent.cli import app
    from graphs.research import build_research_graph

    host, port = chroma
    monkeypatch.setenv("FILINGS_CHROMA_HOST", host)
    monkeypatch.setenv("FILINGS_CHROMA_PORT", str(port))
    monkeypatch.setenv("FILINGS_COLLECTION", "filings_remote")
    data_dir = tmp_path / "data"
    result = CliRunner().invoke(
        app, ["--data-dir", str(data_dir), "ingest", str(samples_dir / "2023 Q3 AAPL.pdf")]
    )
    assert result.exit_code == 0, result.output

    # The vectors went to the server, not to an embedded store under the data dir.
    remote = chromadb.HttpClient(host=host, port=port).get_collection("filings_remote")
    assert remote.count() > 20
    assert not (data_dir / "index" / "chroma").exists()

    settings = Settings(data_dir=data_dir)
    assert settings.chroma_host == host  # from the environment alone
    graph = build_research_graph(settings=settings)
    out = await graph.ainvoke({"question": QUESTION}, context=Context(**SMOKE_CONTEXT))
    answer = Answer.model_validate(out["answer"])
    assert answer.citations, answer.text
    assert set(remote.get(ids=[c.chunk_id for c in answer.citations])["ids"]) == {
        c.chunk_id for c in answer.citations
    }
