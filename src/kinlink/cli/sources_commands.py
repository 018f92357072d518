"""``kinlink sources``: list, show and check feed definitions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kinlink.cli.output import console
from kinlink.ingest import file_check
from kinlink.sources import definition_load, definitions_load

app = typer.Typer(
    help="Feed definitions: what each partner file contains and how it is read.",
    no_args_is_help=True,
)


@app.command("list")
def sources_list(
    sources: Annotated[
        list[Path] | None, typer.Option("--sources", help="Folder of your own definitions.")
    ] = None,
) -> None:
    """List the feed definitions Kinlink knows (shipped and your own)."""
    table = Table(title="Feeds")
    for heading in ("feed", "title", "target table", "sensitivity", "agreement", "retention"):
        table.add_column(heading)
    for name, d in sorted(definitions_load(sources or []).items()):
        table.add_row(
            name,
            d.title,
            d.target,
            d.sensitivity,
            d.governance.agreement,
            f"{d.governance.retention_months} months",
        )
    console.print(table)


@app.command("show")
def sources_show(feed: Annotated[str, typer.Argument(help="Feed name, e.g. attendance.")]) -> None:
    """Show one feed's columns, people and governance."""
    definitions = definitions_load()
    if feed not in definitions:
        raise typer.BadParameter(f"unknown feed '{feed}'; known: {', '.join(sorted(definitions))}")
    d = definitions[feed]
    console.print(f"[bold]{d.title}[/] ({d.feed}, version {d.version}) -> {d.target}")
    console.print(d.description.strip())
    console.print(f"Files: {', '.join(d.files.patterns)}; encodings {', '.join(d.files.encodings)}")
    console.print(
        f"Sensitivity: {d.sensitivity}; legal basis: {d.governance.legal_basis}; "
        f"agreement {d.governance.agreement}; kept {d.governance.retention_months} months"
    )
    table = Table(title="Columns")
    for heading in ("column", "type", "required", "loads into"):
        table.add_column(heading)
    targets: dict[str, list[str]] = {}
    for field, column in d.facts.items():
        targets.setdefault(column, []).append(f"{d.target}.{field}")
    for person in d.persons:
        for field, mapped in person.identity.items():
            for column in (mapped,) if isinstance(mapped, str) else mapped:
                targets.setdefault(column, []).append(f"{person.slot or 'person'}.{field}")
    for column, spec in d.columns.items():
        table.add_row(
            column, spec.type, "yes" if spec.required else "", ", ".join(targets.get(column, []))
        )
    console.print(table)


@app.command("check")
def sources_check(
    definition: Annotated[Path, typer.Argument(help="A source definition (YAML).")],
    file: Annotated[Path, typer.Argument(help="A sample extract to check it against.")],
    max_rows: Annotated[int, typer.Option(help="Row numbers to list per problem.")] = 10,
) -> None:
    """Check a definition against a sample file and say precisely what does not fit.

    Nothing is written. Exit code 0 when every row would load, 1 otherwise.
    """
    feed_definition = definition_load(definition)
    report = file_check(feed_definition, file)
    console.print(
        f"Definition [bold]{feed_definition.feed}[/] v{feed_definition.version} "
        f"against {file.name} (decoded as {report.encoding})"
    )
    for problem in report.header_problems:
        console.print(f"[red]header[/]: {problem}")
    for warning in report.warnings:
        console.print(f"[yellow]warning[/]: {warning}")
    if report.problems_by_field:
        table = Table(title="Rows that would be quarantined")
        for heading in ("field", "reason", "rows", "first rows", "example message"):
            table.add_column(heading)
        for (field, reason), rows in sorted(report.problems_by_field.items()):
            shown = ", ".join(str(r) for r in rows[:max_rows]) + (
                " ..." if len(rows) > max_rows else ""
            )
            table.add_row(field, reason, f"{len(rows):,}", shown, report.samples[(field, reason)])
        console.print(table)
    if report.header_problems:
        console.print(
            f"Rows not checked: fix the header first ({report.rows_read:,} rows in the file)."
        )
    else:
        console.print(f"{report.rows_ok:,} of {report.rows_read:,} rows would load.")
    if not report.fits:
        raise typer.Exit(1)
    console.print("[green]The definition fits this file.[/]")
