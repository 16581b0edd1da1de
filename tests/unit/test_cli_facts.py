"""`filings facts COMPANY`: the typed figures stored at ingest, narrowed by statement, period and
row; JSON for scripts; clear one-line errors (issue 18, point 1)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from agent.cli import app
from agent.retrieval.manifest import DocumentRecord, Manifest
from agent.schemas import Fact, FactPeriod

DOC = "0000320193-23-000077"


def _facts() -> list[Fact]:
    q3 = FactPeriod(
        kind="duration",
        end="2023-07-01",
        months=3,
        fiscal_year=2023,
        fiscal_quarter=3,
        label="Three Months Ended July 1, 2023",
    )
    q3_22 = FactPeriod(
        kind="duration",
        end="2022-06-25",
        months=3,
        fiscal_year=2022,
        fiscal_quarter=3,
        label="Three Months Ended June 25, 2022",
    )
    bal = FactPeriod(kind="instant", end="2023-07-01", fiscal_year=2023, label="July 1, 2023")
    rows = [
        ("income", "Total net sales", q3, 81797, 6, "USD"),
        ("income", "Total net sales", q3_22, 82959, 6, "USD"),
        ("income", "Diluted", q3, 1.26, 0, "USD/share"),
        ("balance", "Total assets", bal, 335038, 6, "USD"),
        ("cash_flow", "Payments for acquisition of property, plant and equipment", q3, -2093, 6, "USD"),
    ]
    return [
        Fact(
            id=f"{DOC}::f{n}",
            doc_id=DOC,
            page=3,
            statement=st,
            label=label,  # type: ignore[arg-type]
            period=period,
            value=value,
            scale=scale,
            unit=unit,
            text=f"{value:,}",
        )
        for n, (st, label, period, value, scale, unit) in enumerate(rows)
    ]


def _index(tmp_path: Path) -> Path:
    m = Manifest(tmp_path / "index" / "manifest.sqlite")
    rec = DocumentRecord(
        doc_id=DOC,
        source_path="/f/aapl.pdf",
        sha256="x",
        company="Apple Inc.",
        ticker="AAPL",
        form_type="10-Q",
        fiscal_year=2023,
        fiscal_quarter=3,
        period_end="2023-07-01",
    )
    m.begin_document(rec)
    m.add_facts(_facts())
    m.commit_document(rec, [])
    m.close()
    return tmp_path


def invoke(tmp_path: Path, *args: str):
    return CliRunner().invoke(app, ["--data-dir", str(tmp_path), "facts", *args], env={"COLUMNS": "100"})


def test_facts_table_spells_out_unit_scale_and_page(tmp_path: Path) -> None:
    result = invoke(_index(tmp_path), "Apple")
    assert result.exit_code == 0, result.output
    assert "5 fact(s) of Apple Inc." in result.output
    assert "$81,797 million" in result.output and "$1.26 per share" in result.output
    assert "-$2,093 million" in result.output


def test_facts_narrowed_by_statement_period_and_row(tmp_path: Path) -> None:
    root = _index(tmp_path)
    got = json.loads(invoke(root, "AAPL", "--statement", "income", "--period", "FY2023 Q3", "--json").output)
    assert [(f["label"], f["value"]) for f in got] == [("Total net sales", 81797), ("Diluted", 1.26)]
    # A quarter's balance sheet column is the instant that closes it.
    got = json.loads(invoke(root, "Apple", "--period", "2023 Q3", "--row", "assets", "--json").output)
    assert [f["label"] for f in got] == ["Total assets"]
    got = json.loads(invoke(root, "Apple", "--item", "capex", "--json").output)
    assert [f["value"] for f in got] == [-2093]
    got = json.loads(invoke(root, "Apple", "--period", "FY2022", "--json").output)
    assert [f["period"]["end"] for f in got] == ["2022-06-25"]


def test_facts_errors_are_one_clear_line(tmp_path: Path) -> None:
    root = _index(tmp_path)
    unknown = invoke(root, "Initech")
    assert unknown.exit_code == 1 and "no ingested filing of 'Initech'" in unknown.output
    bad = invoke(root, "Apple", "--statement", "ledger")
    assert bad.exit_code == 2 and "'ledger' is not one of income" in bad.output
    item = invoke(root, "Apple", "--item", "sales")
    assert item.exit_code == 2 and "'sales' is not one of revenue" in item.output
    period = invoke(root, "Apple", "--period", "last spring")
    assert period.exit_code == 2 and "no fiscal year or quarter in 'last spring'" in period.output
    empty = invoke(tmp_path / "nowhere", "Apple")
    assert empty.exit_code == 1 and "no index at" in empty.output
