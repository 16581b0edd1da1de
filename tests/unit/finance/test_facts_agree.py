"""The iXBRL facts of the bundled Amazon 10-K match its printed tables (issue 18 acceptance): the
table reader, run over the same rendered statements with no XBRL at all, finds the same figure for
the same row and period, so the two extraction paths check each other."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from agent.finance.facts import DocPeriod, document_facts
from agent.schemas import Fact
from loaders.edgar_html import load_edgar_html
from loaders.metadata import resolve

PRIMARY = ("income", "balance", "cash_flow")


@pytest.fixture(scope="module")
def amazon(samples_dir: Path) -> tuple[list[Fact], list[Fact]]:
    path = samples_dir / "0001018724-23-000004.htm"
    doc = load_edgar_html(path)
    meta = resolve(path, doc.xbrl, doc.head_text(5), len(doc.pages[0].text))
    pages = ((p.index, [(b.header, b.text) for b in p.blocks if b.kind == "table"]) for p in doc.pages)
    return doc.facts, document_facts(pages, DocPeriod.of(meta))


def test_tagged_statement_figures_are_the_printed_ones(amazon: tuple[list[Fact], list[Fact]]) -> None:
    tagged, printed = amazon
    by_row: dict[tuple[int, str, str | None, str], list[Fact]] = defaultdict(list)
    for f in printed:
        by_row[(f.page, f.label.strip().lower(), f.period.end, f.period.kind)].append(f)
    # Statement rows in tables (prose tags inside a row label, like "net of tax of $36", have no row).
    rows = [
        f for f in tagged if f.statement in PRIMARY and not f.dimensions and f.text and "|" not in f.label
    ]
    matched, disagree = 0, []
    for f in rows:
        twins = by_row.get((f.page, f.label.strip().lower(), f.period.end, f.period.kind), [])
        if not twins:
            continue
        # XBRL signs follow the concept (an outflow tagged positive, printed "(63,645)"): compare sizes.
        if any(abs(t.value) == abs(f.value) and t.scale == f.scale and t.unit == f.unit for t in twins):
            matched += 1
        else:
            disagree.append((f.label, f.period.end, f.value, [(t.value, t.scale, t.unit) for t in twins]))
    assert not disagree, disagree[:5]
    assert matched >= 250 and matched >= 0.85 * len(rows), (matched, len(rows))


def test_opening_cash_is_the_instant_before_the_year(amazon: tuple[list[Fact], list[Fact]]) -> None:
    _tagged, printed = amazon
    opening = [
        f
        for f in printed
        if f.label.upper().startswith("CASH, CASH EQUIVALENTS, AND RESTRICTED CASH, BEGINNING")
    ]
    got = {(f.period.kind, f.period.end, f.period.fiscal_year, f.value) for f in opening}
    assert got == {
        ("instant", "2019-12-31", 2019, 36410.0),
        ("instant", "2020-12-31", 2020, 42377.0),
        ("instant", "2021-12-31", 2021, 36477.0),
    }
