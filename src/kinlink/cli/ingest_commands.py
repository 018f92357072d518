"""``kinlink ingest``, ``kinlink quarantine`` and ``kinlink status``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kinlink.cli.options import GovernanceOption, WarehouseOption, warehouse_path
from kinlink.cli.output import console, progress_bar
from kinlink.governance import registry_load
from kinlink.ingest import batches_list, ingest_paths, quarantine_rows, quarantine_summary
from kinlink.ingest.services import PlannedFile
from kinlink.sources import definitions_load
from kinlink.warehouse import table_counts, warehouse_connect

SourcesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--sources",
        help="Folder of your own source definitions; they add to or replace the shipped ones.",
    ),
]


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Extract files or folders of extracts.")],
    warehouse: WarehouseOption = None,
    sources: SourcesOption = None,
    governance: GovernanceOption = None,
) -> None:
    """Load partner extracts into the warehouse.

    A feed is loaded only while its data sharing agreement (in the governance registry) is
    in force. Every row is either loaded or quarantined with its reason; a file already
    loaded is skipped; a new version of an extract replaces the old one. If any file cannot
    be read or is not covered by an agreement, nothing changes.
    """
    definitions = definitions_load(sources or [])
    registry = registry_load(governance or [])
    target = warehouse_path(warehouse)
    with progress_bar() as bar:
        files_task = bar.add_task("files", total=None)
        rows_task = bar.add_task("rows", total=None)

        def on_file(item: PlannedFile, number: int, total: int) -> None:
            bar.update(files_task, completed=number - 1, total=total)
            bar.update(rows_task, description=item.path.name, completed=0, total=None)

        def on_rows(file_name: str, done: int, total: int) -> None:
            bar.update(rows_task, completed=done, total=total)

        report = ingest_paths(
            paths,
            warehouse=target,
            definitions=definitions,
            progress=on_rows,
            on_file_start=on_file,
            registry=registry,
            strict_agreements=True,
        )
        bar.update(files_task, completed=len(report.files), total=len(report.files))
    table = Table(title=f"Ingest into {target}")
    for heading in (
        "feed",
        "files",
        "new/replaced/unchanged",
        "read",
        "loaded",
        "quarantined",
        "people",
    ):
        table.add_column(heading, justify="left" if heading == "feed" else "right")
    by_feed: dict[str, list[int]] = {}
    for f in report.files:
        row = by_feed.setdefault(f.feed, [0, 0, 0, 0, 0, 0, 0, 0])
        row[0] += 1
        row[{"loaded": 1, "replaced": 2, "unchanged": 3}[f.status]] += 1
        row[4] += f.rows_read
        row[5] += f.rows_loaded
        row[6] += f.rows_quarantined
        row[7] += f.person_records
    for feed, r in sorted(by_feed.items()):
        table.add_row(feed, str(r[0]), f"{r[1]}/{r[2]}/{r[3]}", *(f"{v:,}" for v in r[4:]))
    totals = report.totals()
    table.add_section()
    table.add_row(
        "total",
        str(len(report.files)),
        "",
        f"{totals['rows_read']:,}",
        f"{totals['rows_loaded']:,}",
        f"{totals['rows_quarantined']:,}",
        f"{totals['person_records']:,}",
    )
    console.print(table)
    for f in report.files:
        for warning in f.warnings:
            console.print(f"[yellow]warning[/] {f.file_name}: {warning}")


quarantine_app = typer.Typer(
    help="Inspect rows that could not be loaded, and why.", no_args_is_help=True
)


@quarantine_app.command("summary")
def quarantine_summary_command(warehouse: WarehouseOption = None) -> None:
    """Count quarantined rows by feed, reason and field."""
    con = warehouse_connect(warehouse_path(warehouse), read_only=True)
    try:
        rows = quarantine_summary(con)
    finally:
        con.close()
    table = Table(title="Quarantine")
    for heading in ("feed", "reason", "field", "rows"):
        table.add_column(heading, justify="right" if heading == "rows" else "left")
    for feed, reason, field, count in rows:
        table.add_row(feed, reason, field, f"{count:,}")
    console.print(table if rows else "Quarantine is empty.")


@quarantine_app.command("list")
def quarantine_list_command(
    feed: Annotated[str | None, typer.Option(help="Only this feed.")] = None,
    file: Annotated[str | None, typer.Option(help="Only this file name.")] = None,
    reason: Annotated[
        str | None, typer.Option(help="Only this reason, e.g. impossible_date.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    show_values: Annotated[
        bool, typer.Option("--show-values", help="Also print the raw row (contains personal data).")
    ] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """List quarantined rows: file, row number, field and why."""
    con = warehouse_connect(warehouse_path(warehouse), read_only=True)
    try:
        rows = quarantine_rows(con, feed=feed, file_name=file, reason=reason, limit=limit)
    finally:
        con.close()
    table = Table(title="Quarantined rows")
    for heading in ("file", "row", "field", "reason", "message"):
        table.add_column(heading)
    if show_values:
        table.add_column("raw values")
    for row in rows:
        cells = [
            row["file_name"],
            str(row["row_number"]),
            row["field"] or "",
            row["reason"],
            row["message"],
        ]
        if show_values:
            cells.append(json.dumps(row["raw"], ensure_ascii=False))
        table.add_row(*cells)
    console.print(table if rows else "No quarantined rows match.")


def status(warehouse: WarehouseOption = None) -> None:
    """Show what the warehouse holds: extracts loaded and rows per table."""
    con = warehouse_connect(warehouse_path(warehouse), read_only=True)
    try:
        batches = batches_list(con)
        counts = table_counts(con)
    finally:
        con.close()
    table = Table(title="Extracts loaded")
    for heading in ("feed", "file", "read", "loaded", "quarantined", "people", "loaded at"):
        table.add_column(heading)
    for b in batches:
        table.add_row(
            b["feed"],
            b["file_name"],
            f"{b['rows_read']:,}",
            f"{b['rows_loaded']:,}",
            f"{b['rows_quarantined']:,}",
            f"{b['person_records']:,}",
            b["loaded_at"].strftime("%Y-%m-%d %H:%M UTC"),
        )
    console.print(table)
    counts_table = Table(title="Warehouse tables")
    counts_table.add_column("table")
    counts_table.add_column("rows", justify="right")
    for name, count in counts.items():
        counts_table.add_row(name, f"{count:,}")
    console.print(counts_table)
