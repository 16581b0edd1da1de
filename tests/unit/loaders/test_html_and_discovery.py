"""EDGAR HTML rendering on a small hand-made inline-XBRL file; folder discovery and symlinks."""

from __future__ import annotations

import os
from pathlib import Path

from loaders.discover import discover
from loaders.edgar_html import load_edgar_html
from loaders.parse import parse_file, sha256_file

IXBRL = """<html><body>
<div style="display:none"><ix:header><ix:hidden>
<ix:nonNumeric name="dei:AmendmentFlag">false</ix:nonNumeric>
<ix:nonNumeric name="dei:DocumentFiscalYearFocus">2022</ix:nonNumeric>
<ix:nonNumeric name="dei:DocumentFiscalPeriodFocus">FY</ix:nonNumeric>
<ix:nonNumeric name="dei:EntityCentralIndexKey">0001018724</ix:nonNumeric>
</ix:hidden>HIDDEN HEADER TEXT</ix:header></div>
<div>FORM <ix:nonNumeric name="dei:DocumentType">10-K</ix:nonNumeric></div>
<div>For the fiscal year ended <ix:nonNumeric name="dei:DocumentPeriodEndDate">December 31, 2022</ix:nonNumeric></div>
<div><ix:nonNumeric name="dei:EntityRegistrantName">AMAZON.COM, INC.</ix:nonNumeric></div>
<div>Trading symbol <ix:nonNumeric name="dei:TradingSymbol">AMZN</ix:nonNumeric></div>
<p>Cover page filler text so the document has enough visible characters to count as a filing body.</p>
<hr style="page-break-after:always"/>
<div>Item 7. Management's Discussion and Analysis of Financial Condition and Results of Operations</div>
<div>Net sales information is as follows (in millions):</div>
<table>
<tr><td></td><td>Year Ended December 31,</td></tr>
<tr><td></td><td>2021</td><td>2022</td></tr>
<tr><td>Net sales</td><td>$</td><td>469,822</td><td>$</td><td>513,983</td></tr>
<tr><td>Operating income</td><td>(1,234</td><td>)</td><td>12,248</td></tr>
</table>
<div style="page-break-before:always">Item 8. Financial Statements and Supplementary Data</div>
</body></html>"""


def test_ixbrl_pages_tables_and_cover_facts(tmp_path: Path) -> None:
    f = tmp_path / "0001018724-23-000004.htm"
    f.write_text(IXBRL)
    doc = load_edgar_html(f)
    assert doc.n_pages == 3
    assert "HIDDEN HEADER TEXT" not in "".join(p.text for p in doc.pages)
    assert doc.xbrl["EntityRegistrantName"] == "AMAZON.COM, INC." and doc.xbrl["DocumentType"] == "10-K"
    table = next(b for b in doc.pages[1].blocks if b.kind == "table")
    assert table.header == [
        "Net sales information is as follows (in millions):",
        "Year Ended December 31,",
        "2021 | 2022",
    ]
    assert table.text.splitlines() == [
        "Net sales | $469,822 | $513,983",
        "Operating income | (1,234) | 12,248",
    ]

    parsed = parse_file(str(f), sha256_file(f))
    assert parsed.error is None and parsed.meta is not None
    m = parsed.meta
    assert (m.company, m.ticker, m.cik, m.form_type, m.fiscal_year, m.period_end, m.accession) == (
        "Amazon.com, Inc.",
        "AMZN",
        "0001018724",
        "10-K",
        2022,
        "2022-12-31",
        "0001018724-23-000004",
    )
    assert m.sources["company"] == "xbrl" and m.sources["accession"] == "filename"
    items = {s.item for s in parsed.segments if s.page == 1}
    assert items == {"7"}
    assert {s.item for s in parsed.segments if s.page == 2} == {"8"}


def test_discover_recurses_and_refuses_symlinks_leaving_the_tree(tmp_path: Path) -> None:
    root = tmp_path / "filings"
    (root / "sub").mkdir(parents=True)
    (root / "a.pdf").write_bytes(b"%PDF")
    (root / "sub" / "b.htm").write_text("<html></html>")
    (root / "README.md").write_text("not a filing")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(b"%PDF")
    os.symlink(outside / "secret.pdf", root / "link.pdf")
    os.symlink(outside, root / "linkdir")
    os.symlink(root / "a.pdf", root / "inside.pdf")
    found = discover([root, tmp_path / "missing.pdf"])
    assert found.files == [(root / "a.pdf").resolve(), (root / "sub" / "b.htm").resolve()]
    assert any("link.pdf" in w and "outside" in w for w in found.warnings)
    assert any("linkdir" in w for w in found.warnings)
    assert [f.message for f in found.problems] == ["no such file or folder (or a dangling symlink)"]
