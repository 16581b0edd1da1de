"""Typed facts on the real index of the bundled samples, through the public CLI (issue 18, point 1):
iXBRL facts for the EDGAR 10-K, table facts for the PDF 10-Qs, each tied to the chunk printing it;
removing a filing removes its facts."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.retrieval.manifest import Manifest

pytestmark = [pytest.mark.integration]


def facts(data_dir: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "facts", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_every_filing_has_facts_tied_to_their_chunks(samples_index_dir: Path) -> None:
    manifest = Manifest(samples_index_dir / "index" / "manifest.sqlite")
    try:
        for record in manifest.committed():
            stored = manifest.facts([record.doc_id])
            assert len(stored) == record.facts > 100, record.source_path
            linked = manifest.get_chunks([f.chunk_id for f in stored if f.chunk_id])
            assert sum(f.chunk_id in linked for f in stored) >= 0.95 * len(stored)
            # The chunk a fact is tied to prints its figure as the filing printed it.
            for fact in stored[:: max(1, len(stored) // 25)]:
                figure = re.search(r"\d[\d,.]*", fact.text)
                if fact.chunk_id and figure:
                    assert figure.group(0) in linked[fact.chunk_id].text, (fact.label, fact.text)
    finally:
        manifest.close()


def test_facts_command_reads_ixbrl_and_table_facts(samples_index_dir: Path) -> None:
    sales = facts(
        samples_index_dir, "Amazon", "--statement", "income", "--item", "revenue", "--period", "FY2022"
    )
    assert [(f["value"], f["scale"], f["unit"], f["source"]) for f in sales] == [
        (513983.0, 6, "USD", "ixbrl")
    ]
    assert sales[0]["concept"].startswith("us-gaap:Revenue") and sales[0]["period"]["months"] == 12

    q3 = facts(
        samples_index_dir,
        "Apple",
        "--period",
        "FY2023 Q3",
        "--statement",
        "income",
        "--row",
        "total net sales",
    )
    assert {(f["value"], f["period"]["months"], f["period"]["end"]) for f in q3} >= {
        (81797.0, 3, "2023-07-01")
    }
    assert all(f["source"] == "table" and f["scale"] == 6 for f in q3)
    assets = facts(samples_index_dir, "AAPL", "--statement", "balance", "--row", "total assets")
    instants = {
        (f["period"]["end"], f["period"]["fiscal_year"]) for f in assets if f["period"]["kind"] == "instant"
    }
    assert ("2022-09-24", 2022) in instants  # the FY2023 10-Q's prior year-end column


def test_removing_a_filing_removes_its_facts(samples_index_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "copy"
    shutil.copytree(samples_index_dir, data_dir)
    before = facts(data_dir, "Amazon", "--item", "revenue")
    assert before
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "docs", "remove", before[0]["doc_id"]])
    assert result.exit_code == 0, result.output
    gone = CliRunner().invoke(app, ["--data-dir", str(data_dir), "facts", "Amazon"])
    assert gone.exit_code == 1 and "no ingested filing of 'Amazon'" in gone.output
    manifest = Manifest(data_dir / "index" / "manifest.sqlite")
    try:
        assert manifest.count_facts(before[0]["doc_id"]) == 0
    finally:
        manifest.close()
