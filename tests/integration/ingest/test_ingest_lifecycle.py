"""Real ingestion through `filings ingest` (real PDF, real MiniLM embeddings, real Chroma + bm25s):
idempotency, replacement of a changed file, docs list/remove, committed-only searches."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agent.config import Settings
from agent.retrieval.index import FilingIndex
from loaders.parse import PARSER_VERSION

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _index(data_dir: Path) -> FilingIndex:
    return FilingIndex.open(Settings(data_dir=data_dir))


def test_idempotent_then_replaced_then_removed(cli, small_filing: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = cli("--data-dir", data, "ingest", small_filing.parent)
    assert first.exit_code == 0, first.output
    idx = _index(data)
    [doc] = idx.documents()
    n = idx.count()
    assert n > 5 and doc.chunks == n and doc.pages == 4
    assert doc.company == "Foot Locker, Inc." and doc.form_type == "8-K"
    assert idx.store.count() == n
    hits = idx.bm25_search("votes cast election of directors", 3)
    assert hits and hits[0].chunk.metadata.doc_id == doc.doc_id
    dense = idx.dense_search("shareholder vote results", 3, {"form_type": ["8-K"]})
    assert dense and all(h.chunk.metadata.company == "Foot Locker, Inc." for h in dense)
    idx.close()

    again = cli("--data-dir", data, "ingest", small_filing.parent)
    assert again.exit_code == 0
    assert "skipped" in again.output
    idx = _index(data)
    assert idx.count() == n and idx.store.count() == n  # second ingest adds 0 chunks
    idx.close()

    # A changed file at the same path replaces its old chunks (new sha -> new doc id).
    small_filing.write_bytes(small_filing.read_bytes() + b"\n% revised\n")
    changed = cli("--data-dir", data, "ingest", small_filing)
    assert changed.exit_code == 0, changed.output
    assert "replaced" in changed.output
    idx = _index(data)
    [new] = idx.documents()
    assert new.doc_id != doc.doc_id and new.source_path == doc.source_path
    assert idx.count() == n and idx.store.count() == n
    assert idx.get_chunks([f"{doc.doc_id}::0"]) == []
    assert idx.store.doc_ids() == {new.doc_id}
    idx.close()

    listing = cli("--data-dir", data, "docs", "list")
    assert listing.exit_code == 0 and "1 document(s)" in listing.output
    [listed] = json.loads(cli("--data-dir", data, "docs", "list", "--json").output)
    assert (listed["doc_id"], listed["company"], listed["form_type"]) == (
        new.doc_id,
        "Foot Locker, Inc.",
        "8-K",
    )
    assert listed["field_sources"]["company"] == "cover"
    removed = cli("--data-dir", data, "docs", "remove", str(small_filing))
    assert removed.exit_code == 0 and new.doc_id in removed.output.replace("\n", "")
    idx = _index(data)
    assert idx.documents() == [] and idx.count() == 0 and idx.store.count() == 0
    assert idx.bm25_search("votes", 3) == []
    idx.close()
    assert cli("--data-dir", data, "docs", "remove", "nope").exit_code == 1


def test_same_bytes_at_another_path_are_skipped(cli, small_filing: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    shutil.copy(small_filing, copy_dir / "renamed.pdf")
    result = cli("--data-dir", data, "ingest", small_filing, copy_dir)
    assert result.exit_code == 0, result.output
    assert "same content as" in result.output
    idx = _index(data)
    assert len(idx.documents()) == 1
    idx.close()


def test_a_document_read_by_an_older_parser_is_re_read(cli, small_filing: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli("--data-dir", data, "ingest", small_filing).exit_code == 0
    idx = _index(data)
    [doc] = idx.documents()
    n = idx.count()
    assert doc.parser_version == PARSER_VERSION
    # An index built before parser versions: same bytes, text from the old extraction.
    old = {**json.loads(doc.to_json()), "parser_version": 0}
    idx.manifest.conn.execute("UPDATE documents SET record=? WHERE doc_id=?", (json.dumps(old), doc.doc_id))
    idx.close()

    again = cli("--data-dir", data, "ingest", small_filing)
    assert again.exit_code == 0, again.output
    assert "replaced" in again.output and "re-read" in again.output
    idx = _index(data)
    [doc] = idx.documents()
    assert doc.parser_version == PARSER_VERSION and idx.count() == n and idx.store.count() == n
    idx.close()
    # Now current: the next ingest skips it.
    assert "skipped" in cli("--data-dir", data, "ingest", small_filing).output
