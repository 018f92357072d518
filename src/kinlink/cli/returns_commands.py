"""``kinlink returns``: list, show and build returns; the reporting views and their docs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast, get_args

import typer
from rich.table import Table

from kinlink.cli.options import WarehouseOption, warehouse_path
from kinlink.cli.output import console, errors
from kinlink.core.errors import InputError
from kinlink.core.settings import settings_load
from kinlink.returns import ReturnInvalid, return_run, spec_find, specs_load
from kinlink.returns.docs import returns_markdown
from kinlink.returns.reporting import reporting_markdown, reporting_views_create
from kinlink.returns.sources import ROW_SOURCES
from kinlink.returns.writers import OutputFormat
from kinlink.warehouse.store import warehouse_connect

app = typer.Typer(
    help="Returns and exports from an assessment run, and the reporting views.",
    no_args_is_help=True,
)

FORMATS: tuple[str, ...] = get_args(OutputFormat)

SpecsOption = Annotated[
    list[Path] | None,
    typer.Option("--specs", help="Folder of extra or replacement return specs (repeatable)."),
]


@app.command("list")
def list_command(specs: SpecsOption = None) -> None:
    """Every return spec: name, version, audience, grain and title."""
    table = Table(title="Returns")
    for heading in ("name", "version", "audience", "grain", "fields", "title"):
        table.add_column(heading)
    for spec in specs_load(specs or []).values():
        audience = "leaves the council" if spec.leaves_council else "internal"
        table.add_row(
            spec.name, spec.version, audience, spec.grain, str(len(spec.fields)), spec.title
        )
    console.print(table)


@app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="Return name, as 'kinlink returns list' shows.")],
    specs: SpecsOption = None,
) -> None:
    """One return: what it is for, its rows and every field with its checks."""
    spec = spec_find(name, specs or [])
    audience = "leaves the council" if spec.leaves_council else "internal"
    console.print(f"[bold]{spec.name}[/] version {spec.version}: {spec.title}")
    console.print(" ".join(spec.description.split()), highlight=False)
    console.print(
        f"Audience: {audience}. One row per {spec.grain}, from '{spec.rows}': "
        f"{ROW_SOURCES[spec.rows].description}",
        highlight=False,
    )
    table = Table(title="Fields")
    for heading in ("field", "type", "required", "codes / length / pattern", "from", "degrade"):
        table.add_column(heading)
    for field in spec.fields:
        checks = []
        if field.codes:
            checks.append(", ".join(field.codes))
        if field.max_length is not None:
            checks.append(f"<= {field.max_length} chars")
        if field.pattern is not None:
            checks.append(field.pattern)
        table.add_row(
            field.name,
            field.type,
            "yes" if field.required else "",
            "; ".join(checks),
            field.source,
            (field.degrade or "") if spec.leaves_council else "",
        )
    console.print(table)


@app.command("build")
def build_command(
    name: Annotated[str, typer.Argument(help="Return name, as 'kinlink returns list' shows.")],
    run: Annotated[
        str | None, typer.Option("--run", help="Assessment run id (default: the latest).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder to write into (default: DATA_DIR/returns)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or both.")] = "both",
    warehouse: WarehouseOption = None,
    specs: SpecsOption = None,
) -> None:
    """Build a return from an assessment run, validate every row, then write it.

    A return with any problem writes nothing: every problem is listed (row, field and
    what is wrong, never the value) and the command exits non-zero.
    """
    out_dir = out or settings_load().data_dir / "returns"
    if fmt not in FORMATS:
        raise InputError("--format", f"expected one of {', '.join(FORMATS)}")
    try:
        written = return_run(
            warehouse_path(warehouse),
            name,
            out_dir,
            run_id=run,
            fmt=cast(OutputFormat, fmt),
            specs_dirs=specs or [],
        )
    except ReturnInvalid as exc:
        errors.print(
            f"[bold red]{exc.spec.label}: {len(exc.problems):,} problem(s); nothing was written[/]"
        )
        for problem in exc.problems:
            errors.print(f"  {problem}", highlight=False, markup=False)
        raise typer.Exit(1) from exc
    manifest = written.manifest
    console.print(
        f"Wrote {manifest['rows']:,} rows of {name} version {manifest['version']} "
        f"(run {manifest['run_id']}, as of {manifest['as_of']}):",
        highlight=False,
    )
    for path in [*written.files, written.manifest_path]:
        console.print(f"  {path}", highlight=False)


@app.command("views")
def views_command(warehouse: WarehouseOption = None) -> None:
    """Create (or refresh) the reporting views dashboards read (docs/reporting.md)."""
    con = warehouse_connect(warehouse_path(warehouse))
    try:
        names = reporting_views_create(con)
        table = Table(title="Reporting views (latest assessment run)")
        table.add_column("view")
        table.add_column("rows", justify="right")
        for view in names:
            found = con.execute(f"SELECT count(*) FROM {view}").fetchone()
            table.add_row(view, f"{found[0] if found else 0:,}")
    finally:
        con.close()
    console.print(table)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        console.print(text, markup=False, highlight=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"Wrote {out}")


OutOption = Annotated[Path | None, typer.Option(help="Write to this file instead of printing.")]


@app.command("doc")
def doc_command(out: OutOption = None) -> None:
    """Print (or write) docs/returns.md, generated from the shipped specs."""
    _emit(returns_markdown(), out)


@app.command("views-doc")
def views_doc_command(out: OutOption = None) -> None:
    """Print (or write) docs/reporting.md, generated from the view definitions."""
    _emit(reporting_markdown(), out)
