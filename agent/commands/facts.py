"""`filings facts COMPANY [--statement --period --row]`: the typed figures stored at ingest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, get_args

import typer

from agent.commands._common import (
    JSON_LIST_HELP,
    compact_table,
    console,
    err_console,
    print_json,
    settings_from,
)
from agent.finance.vocabulary import ITEMS
from agent.schemas import StatementKind
from agent.terminal import cell, escape

if TYPE_CHECKING:
    from agent.config import Settings
    from agent.retrieval.manifest import DocumentRecord
    from agent.schemas import Fact

STATEMENTS = get_args(StatementKind)
ITEM_KEYS = tuple(ITEMS)


def _documents(records: list[DocumentRecord], company: str) -> list[DocumentRecord]:
    """The committed documents of the company the text names (name, alias or ticker)."""
    from agent.retrieval.scope import CompanyCatalog

    catalog = CompanyCatalog.from_documents(records)
    wanted = {doc_id for key in catalog.find(company) for doc_id in catalog.entities[key].doc_ids}
    return [r for r in records if r.doc_id in wanted]


def _in_period(fact: Fact, years: list[int], quarters: list[int], doc: DocumentRecord) -> bool:
    period = fact.period
    if years and period.fiscal_year not in years:
        return False
    if not quarters:
        return True
    if period.kind == "instant":  # a balance sheet column belongs to the quarter it closes
        return doc.fiscal_quarter in quarters and period.end == doc.period_end
    return period.fiscal_quarter in quarters


def select_facts(
    records: list[DocumentRecord],
    facts: list[Fact],
    period: str | None,
    row: str | None,
    item: str | None = None,
) -> list[Fact]:
    """``facts`` narrowed to a period ('FY2022', '2023 Q3'), a row label substring and a line item
    of the vocabulary ('revenue', 'capex': by XBRL concept or row label)."""
    from agent.finance.vocabulary import item_of
    from agent.retrieval.scope import parse_quarters, parse_years

    years = parse_years(period) if period else []
    quarters = parse_quarters(period) if period else []
    if period and not years and not quarters:
        raise typer.BadParameter(f"no fiscal year or quarter in {period!r} (try 'FY2022' or '2023 Q3')")
    by_id = {r.doc_id: r for r in records}
    needle = (row or "").lower()
    return [
        f
        for f in facts
        if _in_period(f, years, quarters, by_id[f.doc_id])
        and (not needle or needle in f.label.lower() or needle in f.group.lower())
        and (item is None or item_of(f) == item)
    ]


def _print_table(facts: list[Fact], shown: int, title: str) -> None:
    from agent.finance.units import describe_amount

    table = compact_table(title=title)
    table.add_column("statement", no_wrap=True, overflow="ellipsis", max_width=9)
    table.add_column("row", overflow="fold", ratio=3)
    table.add_column("period", overflow="fold", ratio=2)
    table.add_column("value", no_wrap=True, justify="right")
    table.add_column("page", no_wrap=True, justify="right")
    for f in facts[:shown]:
        row = f"{f.group}: {f.label}" if f.group else f.label
        period = f.period.label or (f.period.end or "?")
        # Row labels and column headings come from the filing: shown literally.
        table.add_row(
            cell(f.statement),
            cell(row),
            cell(period),
            cell(describe_amount(f.value, f.scale, f.unit)),
            cell(str(f.page + 1)),
        )
    console.print(table)


def _check_choices(statement: str | None, item: str | None) -> None:
    if item is not None and item not in ITEM_KEYS:
        raise typer.BadParameter(f"{item!r} is not one of {', '.join(ITEM_KEYS)}", param_hint="--item")
    if statement is not None and statement not in STATEMENTS:
        raise typer.BadParameter(
            f"{statement!r} is not one of {', '.join(STATEMENTS)}", param_hint="--statement"
        )


def _load(settings: Settings, company: str, statement: str | None) -> tuple[list[DocumentRecord], list[Fact]]:
    """The company's committed filings and their stored facts; exit 1 without an index or a filing."""
    from agent.retrieval.manifest import Manifest

    path = settings.index_dir / "manifest.sqlite"
    if not path.exists():
        err_console.print(
            f"[red]error:[/red] no index at {escape(settings.index_dir)} (run `filings ingest PATH` first)"
        )
        raise typer.Exit(code=1)
    manifest = Manifest(path)
    try:
        records = _documents(manifest.committed(), company)
        if not records:
            err_console.print(
                f"[red]error:[/red] no ingested filing of {escape(company)!r} (see `filings docs list`)"
            )
            raise typer.Exit(code=1)
        found = manifest.facts([r.doc_id for r in records], statement)  # type: ignore[arg-type]
    finally:
        manifest.close()
    return records, found


def facts(
    ctx: typer.Context,
    company: Annotated[str, typer.Argument(help="Company name, alias or ticker as ingested.")],
    statement: Annotated[
        str | None,
        typer.Option("--statement", help=f"Only one statement: {', '.join(STATEMENTS)}."),
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="Fiscal year and/or quarter: 'FY2022', '2023 Q3'.")
    ] = None,
    row: Annotated[
        str | None, typer.Option("--row", help="Only rows whose label contains this text.")
    ] = None,
    item: Annotated[
        str | None,
        typer.Option("--item", help="Only one line item of the vocabulary: " + ", ".join(ITEM_KEYS) + "."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Rows shown in the table (0: all).")] = 100,
    as_json: Annotated[
        bool,
        typer.Option("--json", help=JSON_LIST_HELP + " Keys: the Fact fields (id, doc_id, page, ...)."),
    ] = False,
) -> None:
    _check_choices(statement, item)
    records, found = _load(settings_from(ctx), company, statement)
    found = select_facts(records, found, period, row, item)
    if as_json:
        print_json([f.model_dump() for f in found])
        return
    shown = len(found) if limit == 0 else min(limit, len(found))
    names = ", ".join(sorted({r.company or "?" for r in records}))
    _print_table(found, shown, f"{len(found)} fact(s) of {escape(names)} in {len(records)} filing(s)")
    if shown < len(found):
        console.print(f"{len(found) - shown} more: narrow with --statement/--period/--row, or --limit 0")


def register(app: typer.Typer) -> None:
    app.command(
        "facts",
        help="Show the figures read from a company's filings at ingest: statement, row, period, value "
        "with unit and scale, page. iXBRL filings give their tagged facts; other filings their tables' cells.",
    )(facts)
