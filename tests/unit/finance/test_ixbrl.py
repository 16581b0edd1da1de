"""Typed facts from inline-XBRL tags, on real EDGAR filings (Amazon FY2022 and FY2021, Meta FY2022)
and on a small hand-made document for the odd cases (malformed tags, a September fiscal year).

Every figure asserted here was read from the filing's printed tables, and each test checks it
against the page text too, so a wrong tag reading cannot pass by agreeing with itself.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import lxml.html
import pytest

from agent.finance.ixbrl import concept_words, parse_number, read_facts
from agent.schemas import Fact
from loaders.base import LoadedDocument
from loaders.edgar_html import load_edgar_html

AMAZON_FY2022 = Path(__file__).resolve().parents[3] / "loaders" / "samples" / "0001018724-23-000004.htm"
REVENUE = "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"
SEGMENT_AXIS = "us-gaap:StatementBusinessSegmentsAxis"


@cache
def _load(path: Path) -> LoadedDocument:
    return load_edgar_html(path)


@pytest.fixture(scope="module")
def amazon() -> LoadedDocument:
    return _load(AMAZON_FY2022)


@pytest.fixture(scope="module")
def amazon_fy2021(shared_data: Path) -> LoadedDocument:
    return _load(shared_data / "edgar-html" / "0001018724-22-000005.htm")


@pytest.fixture(scope="module")
def meta(shared_data: Path) -> LoadedDocument:
    return _load(shared_data / "edgar-html" / "0001326801-23-000013.htm")


def _find(doc: LoadedDocument, concept: str, end: str, **fields: object) -> list[Fact]:
    found = [f for f in doc.facts if f.concept == concept and f.period.end == end]
    return [f for f in found if all(getattr(f, k) == v for k, v in fields.items())]


def _one(doc: LoadedDocument, concept: str, end: str, **fields: object) -> Fact:
    found = _find(doc, concept, end, **fields)
    assert len(found) >= 1, f"no {concept} at {end} with {fields}"
    # The same figure tagged twice in one statement (e.g. a reprinted total) must agree.
    assert len({(f.value, f.scale, f.unit) for f in found}) == 1
    return found[0]


def _printed_row(doc: LoadedDocument, fact: Fact) -> str:
    """The rendered table row on the fact's page that starts with its label and prints its text in
    a cell, checked to sit under the fact's group heading ("Net sales" is printed once per segment)."""
    lines = doc.pages[fact.page].text.splitlines()
    at = [i for i, ln in enumerate(lines) if ln.startswith(fact.label + " |") and f"| {fact.text}" in ln]
    assert at, f"row {fact.label!r} printing {fact.text!r} not on page {fact.page}"
    if fact.group:
        assert any(fact.group == ln for ln in lines[: at[0]]), f"{fact.group!r} not above {lines[at[0]]!r}"
    return lines[at[0]]


# --- Amazon FY2022: the primary statements ------------------------------------------------------


def test_total_net_sales_for_the_year(amazon: LoadedDocument) -> None:
    fact = _one(amazon, REVENUE, "2022-12-31", statement="income", label="Total net sales", dimensions={})
    assert (fact.value, fact.scale, fact.unit, fact.decimals) == (513_983, 6, "USD", -6)
    assert fact.amount == 513_983_000_000
    assert fact.period.kind == "duration" and fact.period.months == 12
    assert (fact.period.start, fact.period.fiscal_year, fact.period.fiscal_quarter) == (
        "2022-01-01",
        2022,
        None,
    )
    assert fact.period.label == "year ended 2022-12-31"
    assert fact.table.startswith("CONSOLIDATED STATEMENTS OF OPERATIONS")
    assert (fact.source, fact.id, fact.doc_id, fact.chunk_id) == ("ixbrl", "", "", None)
    assert _printed_row(amazon, fact) == "Total net sales | 386,064 | 469,822 | 513,983"
    prior = _one(amazon, REVENUE, "2021-12-31", statement="income", label="Total net sales")
    assert prior.value == 469_822 and prior.period.fiscal_year == 2021


def test_net_loss_keeps_its_sign(amazon: LoadedDocument) -> None:
    fact = _one(amazon, "us-gaap:NetIncomeLoss", "2022-12-31", statement="income")
    assert (fact.value, fact.scale, fact.unit) == (-2_722, 6, "USD")
    # The "$", "(" and ")" printed in the cells around the tag are part of the printed text.
    assert fact.text == "$(2,722)"
    assert _printed_row(amazon, fact).endswith("| $(2,722)")


def test_total_assets_is_an_instant(amazon: LoadedDocument) -> None:
    fact = _one(amazon, "us-gaap:Assets", "2022-12-31", statement="balance", dimensions={})
    assert (fact.value, fact.scale, fact.unit) == (462_675, 6, "USD")
    assert fact.period.kind == "instant" and fact.period.start is None and fact.period.months is None
    assert fact.period.fiscal_year == 2022 and fact.period.label == "as of 2022-12-31"
    assert fact.label == "Total assets" and fact.table.startswith("CONSOLIDATED BALANCE SHEETS")
    assert _printed_row(amazon, fact) == "Total assets | $420,549 | $462,675"
    earlier = _one(amazon, "us-gaap:Assets", "2021-12-31", statement="balance", dimensions={})
    assert earlier.value == 420_549 and earlier.period.fiscal_year == 2021


def test_diluted_eps_is_dollars_per_share_unscaled(amazon: LoadedDocument) -> None:
    fact = _one(amazon, "us-gaap:EarningsPerShareDiluted", "2022-12-31", statement="income")
    assert (fact.value, fact.scale, fact.unit, fact.text) == (-0.27, 0, "USD/share", "$(0.27)")
    shares = _one(amazon, "us-gaap:WeightedAverageNumberOfDilutedSharesOutstanding", "2022-12-31")
    assert (shares.value, shares.scale, shares.unit) == (10_189, 6, "shares")


def test_cash_flow_statement_and_group_heading(amazon: LoadedDocument) -> None:
    cash = _one(
        amazon, "us-gaap:NetCashProvidedByUsedInOperatingActivities", "2022-12-31", statement="cash_flow"
    )
    assert cash.value == 46_752 and cash.table.startswith("CONSOLIDATED STATEMENTS OF CASH FLOWS")
    net = _one(amazon, "us-gaap:NetIncomeLoss", "2022-12-31", statement="cash_flow")
    assert net.group == "OPERATING ACTIVITIES:" and net.value == -2_722


def test_group_heading_stops_at_a_total_row(amazon: LoadedDocument) -> None:
    cash = _one(amazon, "us-gaap:CashAndCashEquivalentsAtCarryingValue", "2022-12-31", statement="balance")
    assert cash.group == "Current assets:" and cash.value == 53_888
    # "Total assets" comes after "Total current assets": it is no longer under "Current assets:".
    assert _one(amazon, "us-gaap:Assets", "2022-12-31", statement="balance").group == ""


def test_segment_net_sales_carry_their_segment(amazon: LoadedDocument) -> None:
    segments = {
        f.dimensions[SEGMENT_AXIS]: f
        for f in _find(amazon, REVENUE, "2022-12-31", statement="segment", label="Net sales")
        if set(f.dimensions) == {SEGMENT_AXIS}
    }
    north_america = segments["amzn:NorthAmericaSegmentMember"]
    aws = segments["amzn:AmazonWebServicesSegmentMember"]
    assert (north_america.value, north_america.group) == (315_880, "North America")
    assert (aws.value, aws.group, aws.text) == (80_096, "AWS", "$80,096")
    assert "segments" in aws.table
    assert _printed_row(amazon, aws).endswith("| $80,096")
    # The segments add up to the consolidated figure printed in the same table.
    consolidated = _one(
        amazon, REVENUE, "2022-12-31", statement="segment", group="Consolidated", dimensions={}
    )
    assert sum(f.value for f in segments.values()) == consolidated.value == 513_983


def test_geographic_table_is_a_segment_table(amazon: LoadedDocument) -> None:
    us = _one(amazon, REVENUE, "2022-12-31", dimensions={"srt:StatementGeographicalAxis": "country:US"})
    assert (us.value, us.label, us.statement) == (356_113, "United States", "segment")


def test_percent_facts(amazon: LoadedDocument) -> None:
    rate = _one(amazon, "us-gaap:OperatingLeaseWeightedAverageDiscountRatePercent", "2022-12-31")
    # Tagged as 0.028 (scale -2); read as the percent printed.
    assert (rate.value, rate.scale, rate.unit, rate.text) == (2.8, 0, "%", "2.8%")


def test_nested_tags_are_two_facts(amazon: LoadedDocument) -> None:
    par = [f for f in amazon.facts if f.concept == "us-gaap:PreferredStockParOrStatedValuePerShare"]
    assert {f.period.end for f in par} == {"2021-12-31", "2022-12-31"}
    assert all(f.value == 0.01 and f.unit == "USD/share" and f.text == "0.01" for f in par)


def test_prose_facts_are_labelled_by_their_concept(amazon: LoadedDocument) -> None:
    segments = [f for f in amazon.facts if f.concept == "us-gaap:NumberOfOperatingSegments"]
    assert segments and all(f.value == 3 and f.text == "three" for f in segments)
    assert all(f.label == "Number of operating segments" and f.statement == "other" for f in segments)


def test_hidden_header_facts_are_skipped(amazon: LoadedDocument) -> None:
    root = lxml.html.fromstring(AMAZON_FY2022.read_bytes())
    hidden = {el.get("id") for h in root.iter("ix:header") for el in h.iter("ix:nonfraction")}
    nil = sum(1 for el in root.iter("ix:nonfraction") if el.get("xsi:nil") == "true")
    visible = sum(1 for el in root.iter("ix:nonfraction") if el.get("id") not in hidden)
    assert len(hidden) == 1 and len(amazon.facts) == visible - nil
    assert len(read_facts(root)) == len(amazon.facts)


# --- Every filing: the tags match the printed pages ---------------------------------------------


@pytest.fixture(scope="module", params=["amazon", "amazon_fy2021", "meta"])
def filing(request: pytest.FixtureRequest) -> LoadedDocument:
    return request.getfixturevalue(request.param)


def test_ixbrl_facts_match_the_printed_tables(filing: LoadedDocument) -> None:
    assert len(filing.facts) > 1000
    in_tables = [f for f in filing.facts if f.label != concept_words(f.concept or "")]
    assert len(in_tables) > 700
    for fact in filing.facts:
        digits = re.sub(r"[^\d.]", "", fact.text).strip(".")
        if digits:
            assert float(digits) == abs(fact.value), fact
        else:  # "—" (fixed-zero) or a number in words ("three")
            assert fact.value == 0 or parse_number(fact.text, "ixt-sec:numwordsen") == fact.value, fact


def test_each_fact_is_printed_on_its_page(filing: LoadedDocument) -> None:
    for fact in filing.facts:
        assert 0 <= fact.page < filing.n_pages
        assert fact.text in filing.pages[fact.page].text, fact


def test_statement_kinds_are_all_present(filing: LoadedDocument) -> None:
    kinds = {f.statement for f in filing.facts}
    assert {"income", "balance", "cash_flow", "equity", "segment", "other"} <= kinds


def test_amazon_fy2021_filing(amazon_fy2021: LoadedDocument) -> None:
    sales = _one(amazon_fy2021, REVENUE, "2021-12-31", statement="income", label="Total net sales")
    assert (sales.value, sales.period.fiscal_year) == (469_822, 2021)
    assert _one(amazon_fy2021, "us-gaap:Assets", "2021-12-31", statement="balance").value == 420_549
    net = _one(amazon_fy2021, "us-gaap:NetIncomeLoss", "2020-12-31", statement="income", dimensions={})
    assert (net.value, net.period.fiscal_year) == (21_331, 2020)
    # The investee's own net loss in a note is income-statement-shaped but carries its member.
    (rivian,) = _find(
        amazon_fy2021, "us-gaap:NetIncomeLoss", "2020-12-31", label="Net loss", statement="income"
    )
    assert rivian.value == -1_018 and rivian.dimensions


def test_meta_fy2022_statements(meta: LoadedDocument) -> None:
    revenue = _one(meta, REVENUE, "2022-12-31", statement="income", dimensions={})
    assert (revenue.value, revenue.label, revenue.text) == (116_609, "Revenue", "$116,609")
    # Meta prints its newest year first.
    assert _printed_row(meta, revenue) == "Revenue | $116,609 | $117,929 | $85,965"
    assert _one(meta, REVENUE, "2021-12-31", statement="income", dimensions={}).value == 117_929
    assert (
        _one(meta, "us-gaap:NetIncomeLoss", "2022-12-31", statement="income", dimensions={}).value == 23_200
    )
    assert _one(meta, "us-gaap:Assets", "2022-12-31", statement="balance").value == 185_727
    eps = _one(meta, "us-gaap:EarningsPerShareDiluted", "2022-12-31", statement="income", dimensions={})
    assert (eps.value, eps.unit, eps.scale) == (8.59, "USD/share", 0)
    cash = _one(meta, "us-gaap:NetCashProvidedByUsedInOperatingActivities", "2022-12-31")
    assert (cash.value, cash.statement) == (50_475, "cash_flow")


# --- A hand-made document: odd tags and a September fiscal year ---------------------------------

_CONTEXT = (
    '<xbrli:context id="{id}"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">1</xbrli:identifier>'
    "{segment}</xbrli:entity><xbrli:period>{period}</xbrli:period></xbrli:context>"
)


def _duration(cid: str, start: str, end: str, segment: str = "") -> str:
    period = f"<xbrli:startDate>{start}</xbrli:startDate><xbrli:endDate>{end}</xbrli:endDate>"
    return _CONTEXT.format(id=cid, segment=segment, period=period)


_SEG = (
    '<xbrli:segment><xbrldi:explicitMember dimension="us-gaap:StatementBusinessSegmentsAxis">'
    'x:WidgetsMember</xbrldi:explicitMember><xbrldi:typedMember dimension="x:RegionAxis">'
    "<x:region>North</x:region></xbrldi:typedMember></xbrli:segment>"
)


def _tag(
    value: str, context: str = "FY23", unit: str = "usd", name: str = "us-gaap:Revenues", **attrs: str
) -> str:
    attrs = {"scale": "6", **attrs}
    if name:
        attrs["name"] = name
    text = " ".join(f'{k.replace("_", ":")}="{v}"' for k, v in attrs.items())
    return f'<ix:nonFraction contextRef="{context}" unitRef="{unit}" {text}>{value}</ix:nonFraction>'


HANDMADE = f"""<html><body>
<div style="display:none"><ix:header><ix:hidden>
<ix:nonNumeric name="dei:DocumentFiscalYearFocus" contextRef="FY23">2023</ix:nonNumeric>
<ix:nonNumeric name="dei:DocumentFiscalPeriodFocus" contextRef="FY23">FY</ix:nonNumeric>
<ix:nonNumeric name="dei:CurrentFiscalYearEndDate" contextRef="FY23">--09-30</ix:nonNumeric>
<ix:nonFraction name="us-gaap:Revenues" contextRef="FY23" unitRef="usd" scale="6">777</ix:nonFraction>
</ix:hidden><ix:resources>
{_duration("FY23", "2022-10-01", "2023-09-30")}
{_duration("FY22", "2021-10-01", "2022-09-30")}
{_duration("Q4", "2023-07-01", "2023-09-30")}
{_duration("FAR", "9999-01-01", "9999-12-31")}
{_duration("SEG", "2022-10-01", "2023-09-30", _SEG)}
{_CONTEXT.format(id="I23", segment="", period="<xbrli:instant>2023-09-30</xbrli:instant>")}
<xbrli:unit id="usd"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>
<xbrli:unit id="eur"><xbrli:measure>iso4217:EUR</xbrli:measure></xbrli:unit>
<xbrli:unit id="pure"><xbrli:measure>xbrli:pure</xbrli:measure></xbrli:unit>
<xbrli:unit id="usdPerShare"><xbrli:divide><xbrli:unitNumerator><xbrli:measure>iso4217:USD</xbrli:measure>
</xbrli:unitNumerator><xbrli:unitDenominator><xbrli:measure>xbrli:shares</xbrli:measure></xbrli:unitDenominator>
</xbrli:divide></xbrli:unit>
</ix:resources></ix:header></div>
<div>For the fiscal year ended <ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="FY23">September 30,
2023</ix:nonNumeric>, a year of filler prose long enough for the loader to accept the document as a filing.</div>
<div>We have <ix:nonFraction name="us-gaap:NumberOfOperatingSegments" contextRef="FY23" unitRef="pure" scale="0"
format="ixt-sec:numwordsen">two</ix:nonFraction> segments and one odd tag:
<ix:nonFraction name="us-gaap:Revenues" contextRef="NOPE" unitRef="usd" scale="6">12</ix:nonFraction>.</div>
<div>CONSOLIDATED STATEMENTS OF OPERATIONS</div>
<div>(in millions, except per share data)</div>
<table>
<tr><td></td><td>Year Ended September 30,</td></tr>
<tr><td></td><td>2022</td><td>2023</td></tr>
<tr><td>Net sales:</td></tr>
<tr><td>Widgets</td><td>$</td><td>{_tag("90", "FY22")}</td><td>$</td><td>{_tag("100", "SEG")}</td></tr>
<tr><td>Total net sales</td><td>$</td><td>{_tag("95", "FY22")}</td><td>$</td><td>{_tag("110")}</td></tr>
<tr><td>Fourth quarter net sales</td><td></td><td>{_tag("30", "Q4")}</td></tr>
<tr><td>Net income (loss)</td><td>(</td><td>{_tag("5", "FY22", sign="-")}</td><td>)</td><td>{_tag("7")}</td></tr>
<tr><td>Diluted earnings per share</td><td>{_tag("0.51", "FY22", "usdPerShare", scale="0")}</td><td>{_tag("1.02", unit="usdPerShare", scale="0")}</td></tr>
<tr><td>Gross margin</td><td>{_tag("40.5", unit="pure", scale="-2")}</td><td>%</td></tr>
<tr><td>European sales</td><td>{_tag("1.234,5", unit="eur", format="ixt:num-comma-decimal")}</td><td>{_tag("—", unit="eur", format="ixt:fixed-zero")}</td></tr>
<tr><td>Garbage</td><td>{_tag("12x4")}</td><td>{_tag("(3)")}</td><td>{_tag("4", scale="abc")}</td><td>{_tag("5", unit="nope")}</td></tr>
<tr><td>More garbage</td><td>{_tag("", xsi_nil="true")}</td><td>{_tag("6", name="")}</td><td>{_tag("7", decimals="lots")}</td></tr>
<tr><td>Far away</td><td>{_tag("8", "FAR")}</td><td>{_tag("9", scale="400")}</td></tr>
<tr><td>Total assets</td><td>{_tag("1,000", "I23")}</td></tr>
</table>
</body></html>"""


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> LoadedDocument:
    path = tmp_path_factory.mktemp("ixbrl") / "handmade.htm"
    path.write_text(HANDMADE)
    return load_edgar_html(path)


def _by_label(doc: LoadedDocument, label: str) -> list[Fact]:
    return [f for f in doc.facts if f.label == label]


def test_malformed_tags_are_skipped_not_raised(handmade: LoadedDocument) -> None:
    labels = [f.label for f in handmade.facts]
    # Unknown context, "12x4", "(3)", scale "abc", unknown unit, nil and a nameless tag: skipped.
    assert "Garbage" not in labels and 12 not in [f.value for f in handmade.facts]
    more = _by_label(handmade, "More garbage")
    assert [(f.value, f.decimals) for f in more] == [(7, None)]  # unreadable decimals only lose decimals
    assert 777 not in [f.value for f in handmade.facts]  # the hidden header's copy
    # A date no fiscal calendar can place costs the period, not the figure; a scale of 10^400 is broken.
    (far,) = _by_label(handmade, "Far away")
    assert (far.value, far.period.kind, far.period.fiscal_year) == (8, "unknown", None)


def test_handmade_statement_and_units(handmade: LoadedDocument) -> None:
    widgets = {f.period.fiscal_year: f for f in _by_label(handmade, "Widgets")}
    assert widgets[2023].dimensions == {
        "us-gaap:StatementBusinessSegmentsAxis": "x:WidgetsMember",
        "x:RegionAxis": "North",
    }
    assert widgets[2022].dimensions == {} and widgets[2023].group == "Net sales:"
    assert all(f.statement == "income" for f in handmade.facts if f.label != "Number of operating segments")
    assert widgets[2023].table == "CONSOLIDATED STATEMENTS OF OPERATIONS (in millions, except per share data)"
    loss = {f.value: f for f in _by_label(handmade, "Net income (loss)")}
    assert loss[-5].text == "(5)" and loss[7].text == "7"
    eps = _by_label(handmade, "Diluted earnings per share")
    assert {(f.value, f.unit, f.scale) for f in eps} == {(0.51, "USD/share", 0), (1.02, "USD/share", 0)}
    margin = _by_label(handmade, "Gross margin")[0]
    assert (margin.value, margin.scale, margin.unit, margin.text) == (40.5, 0, "%", "40.5%")
    europe = _by_label(handmade, "European sales")
    assert [(f.value, f.unit) for f in europe] == [(1234.5, "EUR"), (0, "EUR")]


def test_september_fiscal_year_and_quarter(handmade: LoadedDocument) -> None:
    total = {f.period.fiscal_year: f for f in _by_label(handmade, "Total net sales")}
    assert total[2023].period.start == "2022-10-01" and total[2022].value == 95
    quarter = _by_label(handmade, "Fourth quarter net sales")[0]
    assert (quarter.period.months, quarter.period.fiscal_year, quarter.period.fiscal_quarter) == (3, 2023, 4)
    assert quarter.period.label == "three months ended 2023-09-30"
    assets = _by_label(handmade, "Total assets")[0]
    assert (assets.period.kind, assets.period.end, assets.period.fiscal_year) == (
        "instant",
        "2023-09-30",
        2023,
    )
    assert assets.statement == "income"  # the table's title names it, whatever one row says


def test_prose_tag_in_a_handmade_filing(handmade: LoadedDocument) -> None:
    (count,) = _by_label(handmade, "Number of operating segments")
    assert (count.value, count.unit, count.statement, count.text) == (2, "", "other", "two")


def test_plain_html_has_no_facts(tmp_path: Path) -> None:
    path = tmp_path / "plain.htm"
    path.write_text(
        "<html><body><p>" + "Plain prose without any inline XBRL at all. " * 10 + "</p></body></html>"
    )
    assert load_edgar_html(path).facts == []


@pytest.mark.parametrize(
    ("text", "fmt", "value"),
    [
        ("1,234.50", "ixt:num-dot-decimal", 1234.5),
        ("1,234.50", "ixt:numdotdecimal", 1234.5),
        ("1.234,50", "ixt:num-comma-decimal", 1234.5),
        ("12 345", None, 12345.0),
        ("—", "ixt:fixed-zero", 0.0),
        ("-", "ixt:zerodash", 0.0),
        ("twenty-one", "ixt-sec:numwordsen", 21.0),
        ("no", "ixt-sec:numwordsen", 0.0),
        ("lots", "ixt-sec:numwordsen", None),
        ("12x4", "ixt:num-dot-decimal", None),
        ("(3)", None, None),
        ("", None, None),
    ],
)
def test_parse_number(text: str, fmt: str | None, value: float | None) -> None:
    assert parse_number(text, fmt) == value


def test_concept_words() -> None:
    assert concept_words("us-gaap:NetIncomeLoss") == "Net income loss"
    assert concept_words("us-gaap:IncomeLossFromContinuingOperationsPerDilutedShare").startswith(
        "Income loss from"
    )
    assert concept_words("x:EBITDAMargin") == "EBITDA margin"
