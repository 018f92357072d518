"""``kinlink families`` (build, evaluate, show) and ``kinlink export families``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kinlink.cli.options import WarehouseOption, warehouse_path
from kinlink.cli.output import console, progress_bar, report_json_emit
from kinlink.core.errors import InputError
from kinlink.families import (
    BuildSummary,
    FamilyEvaluation,
    FamilyView,
    families_build,
    families_evaluate,
    families_export,
    family_show,
)
from kinlink.families.services import STAGES

app = typer.Typer(
    help="Households, relationships and current families with stable family keys.",
    no_args_is_help=True,
)


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError("--as-of", "expected a date as YYYY-MM-DD") from exc


def _summary_table(summary: BuildSummary) -> Table:
    table = Table(title=f"Families run {summary.run_id} (as of {summary.as_of.isoformat()})")
    table.add_column("step")
    table.add_column("result", justify="right")
    table.add_column("seconds", justify="right")
    seconds = summary.seconds
    table.add_row("person keys", f"{summary.person_keys:,}", str(seconds.get("people", "")))
    table.add_row(
        "residence episodes",
        f"{summary.residence_episodes:,}",
        str(seconds.get("residence episodes", "")),
    )
    table.add_row("  addresses / households", f"{summary.addresses:,} / {summary.households:,}", "")
    relationships = sum(summary.relationships.values())
    table.add_row("relationships", f"{relationships:,}", str(seconds.get("relationships", "")))
    for evidence, n in summary.relationships.items():
        table.add_row(f"  {evidence.replace('_', ' ')}", f"{n:,}", "")
    table.add_row("families", f"{summary.families:,}", str(seconds.get("current families", "")))
    table.add_row("  with children", f"{summary.families_with_children:,}", "")
    table.add_row("  moved with their household", f"{summary.moved_with_household:,}", "")
    table.add_row(
        "  placed by postcode and a known resident", f"{summary.attached_by_postcode:,}", ""
    )
    table.add_row("  shared houses split", f"{summary.shared_houses_split:,}", "")
    table.add_row("  people with no known address", f"{summary.keys_without_address:,}", "")
    table.add_row("roles", "", str(seconds.get("roles", "")))
    for role, n in summary.roles.items():
        table.add_row(f"  {role}", f"{n:,}", "")
    keys = summary.keys
    table.add_row(
        "family keys kept / new",
        f"{keys.kept:,} / {keys.new:,}",
        str(seconds.get("family keys", "")),
    )
    table.add_row(
        "  merged / split / retired", f"{keys.merged:,} / {keys.split:,} / {keys.retired:,}", ""
    )
    return table


@app.command("build")
def build_command(
    warehouse: WarehouseOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Families as of this date, YYYY-MM-DD (default: latest observed date).",
        ),
    ] = None,
) -> None:
    """Build households and current families over the last linkage run's person keys.

    Residence episodes come from dated addresses (UPRN, else postcode and address), a
    household is the people at one address over an overlapping period, and a family is
    the household a person lives in at the as-of date. Family keys survive re-runs.
    """
    with progress_bar() as bar:
        task = bar.add_task("families", total=len(STAGES))

        def on_stage(stage: str, step: int, steps: int) -> None:
            bar.update(task, description=stage, completed=step, total=steps)

        summary = families_build(warehouse_path(warehouse), _as_of(as_of), progress=on_stage)
        bar.update(task, description="done", completed=len(STAGES))
    console.print(_summary_table(summary))


def _evaluation_table(report: FamilyEvaluation) -> Table:
    table = Table(title="Families against the ground truth (units: person keys)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("person keys evaluated", f"{report.keys:,}"),
        ("true / predicted families", f"{report.true_families:,} / {report.predicted_families:,}"),
        ("pairwise precision", f"{report.precision:.4f}"),
        ("pairwise recall", f"{report.recall:.4f}"),
        ("pairwise F1", f"{report.f1:.4f}"),
        ("B-cubed precision", f"{report.bcubed_precision:.4f}"),
        ("B-cubed recall", f"{report.bcubed_recall:.4f}"),
        ("B-cubed F1", f"{report.bcubed_f1:.4f}"),
        ("true families split", f"{report.families_split:,}"),
        ("predicted families merging true ones", f"{report.families_merged:,}"),
        ("families exactly right", f"{report.families_exact:,}"),
        ("role accuracy", f"{report.role_accuracy:.4f}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def _types_table(report: FamilyEvaluation) -> Table:
    table = Table(title="B-cubed by the true family's household type")
    for heading in ("household type", "keys", "B3 P", "B3 R"):
        table.add_column(heading, justify="left" if heading == "household type" else "right")
    for score in report.by_household_type:
        table.add_row(
            score.household_type,
            f"{score.keys:,}",
            f"{score.bcubed_precision:.4f}",
            f"{score.bcubed_recall:.4f}",
        )
    return table


@app.command("evaluate")
def evaluate_command(
    truth: Annotated[
        Path, typer.Option("--truth", help="The synthetic city's truth folder (DIR/truth).")
    ],
    warehouse: WarehouseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    out: Annotated[Path | None, typer.Option(help="Also write the JSON report here.")] = None,
) -> None:
    """Pairwise and B-cubed precision/recall of "same family", splits, merges and roles."""
    report = families_evaluate(warehouse_path(warehouse), truth)
    if report_json_emit(report.as_dict(), out=out, to_console=as_json):
        return
    console.print(_evaluation_table(report))
    console.print(_types_table(report))
    if report.keys_without_truth:
        console.print(f"{report.keys_without_truth:,} person keys have no truth", style="dim")


def _show_tables(view: FamilyView) -> list[Table]:
    members = Table(title=f"Family {view.family_key}: members now")
    for heading in ("person key", "role", "since", "placed by", "address"):
        members.add_column(heading)
    for m in view.members:
        members.add_row(
            m.person_key,
            m.role,
            m.valid_from.isoformat() if m.valid_from else "",
            m.placed_by or "",
            m.address_id or "",
        )
    history = Table(title="History")
    for heading in ("person key", "role", "from", "to", "why it ended"):
        history.add_column(heading)
    for m in view.history:
        history.add_row(
            m.person_key,
            m.role,
            m.valid_from.isoformat() if m.valid_from else "",
            m.valid_to.isoformat() if m.valid_to else "",
            "moved to another family" if m.basis == "moved" else "changed between runs",
        )
    edges = Table(title="Relationships (evidence)")
    for heading in ("from", "to", "relation", "evidence", "reference", "records", "valid"):
        edges.add_column(heading)
    for r in view.relationships:
        valid = (
            (r.valid_from.isoformat() if r.valid_from else "?")
            + " to "
            + (r.valid_to.isoformat() if r.valid_to else "now")
        )
        edges.add_row(
            r.person_key_a,
            r.person_key_b,
            r.relation,
            r.evidence.replace("_", " "),
            r.evidence_ref or "",
            str(r.records),
            valid,
        )
    events = Table(title="Key events")
    for heading in ("run", "event", "family key", "related", "reason"):
        events.add_column(heading)
    for e in view.events:
        events.add_row(e.run_id, e.kind, e.family_key, ", ".join(e.related_keys), e.reason)
    return [members, history, edges, events]


@app.command("show")
def show_command(
    family_key: Annotated[str, typer.Argument(help="A family key (F + 10 characters).")],
    warehouse: WarehouseOption = None,
) -> None:
    """One family: members and roles, history, the relationships behind it, key events."""
    view = family_show(warehouse_path(warehouse), family_key)
    status = "active"
    if view.retired_at is not None:
        status = f"retired, merged into {view.merged_into}" if view.merged_into else "retired"
    console.print(f"[bold]{view.family_key}[/] ({status}), created by {view.created_run}")
    for table in _show_tables(view):
        if table.row_count:
            console.print(table)


def export_families(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    warehouse: WarehouseOption = None,
) -> None:
    """Write person_key,family_key,role for every person's current family."""
    result = families_export(warehouse_path(warehouse), out)
    console.print(f"Wrote {result.rows:,} rows ({result.families:,} families) to {result.path}")
