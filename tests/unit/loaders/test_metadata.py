"""Metadata sources and their order of trust (hand-written cover texts, real file-name styles)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loaders.metadata import MetadataError, from_cover, from_filename, resolve, tidy_company

APPLE_COVER = """UNITED STATES
SECURITIES AND EXCHANGE COMMISSION
FORM 10-Q
For the quarterly period ended June 25, 2022
Commission File Number: 001-36743
Apple Inc.
(Exact name of Registrant as specified in its charter)
Common Stock, $0.00001 par value per share AAPL The Nasdaq Stock Market LLC
"""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2023 Q1 AAPL.pdf", {"fiscal_year": 2023, "fiscal_quarter": 1, "ticker": "AAPL"}),
        ("3M_2018_10K.pdf", {"company": "3M", "fiscal_year": 2018, "form_type": "10-K"}),
        (
            "AMCOR_2023Q2_10Q.pdf",
            {"company": "Amcor", "fiscal_year": 2023, "fiscal_quarter": 2, "form_type": "10-Q"},
        ),
        (
            "FOOTLOCKER_2022_8K_dated-2022-05-20.pdf",
            {"company": "Footlocker", "fiscal_year": 2022, "form_type": "8-K", "period_end": "2022-05-20"},
        ),
        ("JOHNSON_JOHNSON_2023Q2_EARNINGS.pdf", {"company": "Johnson Johnson", "form_type": "EARNINGS"}),
        ("0001018724-23-000004.htm", {"accession": "0001018724-23-000004"}),
    ],
)
def test_filename_patterns(name: str, expected: dict) -> None:
    got = from_filename(Path(name))
    assert {k: got.get(k) for k in expected} == expected


def test_cover_page_facts() -> None:
    got = from_cover(APPLE_COVER + "\nApple Inc. | Q3 2022 Form 10-Q | 1\n", len(APPLE_COVER))
    assert got["form_type"] == "10-Q"
    assert got["company"] == "Apple Inc."
    assert got["period_end"] == "2022-06-25"
    assert got["ticker"] == "AAPL"
    # the filing names its fiscal quarter (Apple's June quarter is fiscal Q3)
    assert (got["fiscal_year"], got["fiscal_quarter"]) == (2022, 3)


def test_registrant_names_from_awkward_covers() -> None:
    # Two-column cover text interleaves the file number and the period before the name (JPMorgan
    # 10-Q); small caps come out letter-spaced (MGM 10-K). Both as pypdf extracts them.
    jpm = (
        "FORM 10-Q\nFor the quarterly period ended Commission file June 30, 2022 number 1-5805 "
        "JPMorgan Chase & Co. (Exact name of registrant as specified in its charter)"
    )
    mgm = (
        "FORM 10-K\nCommission File No. 001-10362 MGM R ESORTS I NTERNATIONAL "
        "(Exact name of Registrant as specified in its charter)"
    )
    assert from_cover(jpm)["company"] == "JPMorgan Chase & Co."
    assert from_cover(mgm)["company"] == "Mgm Resorts International"
    assert tidy_company("A O SMITH CORPORATION") == "A O Smith Corporation"  # one initial: kept
    # No "(Exact name of registrant)" caption: the name is the line after the file number (MSFT).
    msft = (
        "FORM 10-Q\n For the Quarterly Period Ended December 31, 2022\nCommission File Number 001-37845\n"
        "MICROSOFT CORPORATION\nWASHINGTON 91-1144442\n(STATE OF INCORPORATION) (I.R.S. ID)\n"
    )
    assert from_cover(msft)["company"] == "Microsoft Corporation"
    assert "company" not in from_cover("FORM 10-Q\nCommission File Number 001-37845\nWASHINGTON 91-1144442\n")


def test_press_release_is_earnings_not_the_form_it_mentions() -> None:
    text = (
        "FOR IMMEDIATE RELEASE\nAcme Corp (NYSE: ACME) today announced results for second-quarter 2023.\n"
        "The results were furnished on\nForm 8-K with the SEC."
    )
    got = from_cover(text, len(text))
    assert got["form_type"] == "EARNINGS"
    assert (got["fiscal_year"], got["fiscal_quarter"], got["ticker"]) == (2023, 2, "ACME")


def test_ten_k_fiscal_year_from_period_end() -> None:
    text = "FORM 10-K\nANNUAL REPORT\nFor the fiscal year ended\nFebruary 2, 2019\nBEST BUY CO., INC.\n(Exact name of registrant as specified in its charter)"
    got = from_cover(text, len(text))
    assert got["fiscal_year"] == 2019 and got["period_end"] == "2019-02-02"
    assert got["company"] == "Best Buy Co., Inc."


def test_order_of_trust_and_sources(tmp_path: Path) -> None:
    pdf = tmp_path / "AMCOR_2023Q2_10Q.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    cover = "FORM 10-Q\nFor the Quarterly Period Ended December 31, 2022\nAMCOR PLC\n(Exact name of Registrant as specified in its charter)"
    meta = resolve(pdf, {}, cover, len(cover))
    # the cover does not name the fiscal period: the file name beats a calendar guess (Q4 2022)
    assert (meta.fiscal_year, meta.fiscal_quarter) == (2023, 2)
    assert meta.sources["fiscal_quarter"] == "filename"
    assert meta.sources["period_end"] == "cover" and meta.period_end == "2022-12-31"
    assert meta.company == "Amcor Plc" and meta.sources["company"] == "cover"

    xbrl = {
        "EntityRegistrantName": "AMCOR PLC",
        "DocumentFiscalYearFocus": "2023",
        "DocumentFiscalPeriodFocus": "Q2",
        "EntityCentralIndexKey": "1748790",
        "DocumentType": "10-Q",
    }
    meta = resolve(pdf, xbrl, cover, len(cover))
    assert meta.sources["fiscal_year"] == "xbrl" and meta.cik == "0001748790"

    (tmp_path / "AMCOR_2023Q2_10Q.pdf.meta.json").write_text(
        json.dumps({"company": "Amcor", "fiscal_year": "2024"})
    )
    meta = resolve(pdf, xbrl, cover, len(cover))
    assert (meta.company, meta.fiscal_year) == ("Amcor", 2024)
    assert meta.sources["company"] == meta.sources["fiscal_year"] == "sidecar"


def test_metadata_csv_sidecar_and_bad_sidecar(tmp_path: Path) -> None:
    f = tmp_path / "report.pdf"
    f.write_bytes(b"%PDF")
    (tmp_path / "metadata.csv").write_text(
        "file,company,form_type,fiscal_year\nreport.pdf,Acme Inc.,10k,2021\n"
    )
    meta = resolve(f, {}, "", 0)
    assert (meta.company, meta.form_type, meta.fiscal_year) == ("Acme Inc.", "10-K", 2021)
    (tmp_path / "report.pdf.meta.json").write_text('{"fiscal_year": "last year"}')
    with pytest.raises(MetadataError, match="fiscal_year must be an integer"):
        resolve(f, {}, "", 0)
