"""``kinlink governance``, ``kinlink retention`` and ``kinlink sar``: data protection work."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.table import Table

from kinlink.cli.options import GovernanceOption, WarehouseOption, warehouse_path
from kinlink.cli.output import console, report_json_emit
from kinlink.core.clock import utc_now
from kinlink.core.errors import InputError, KinlinkError
from kinlink.governance import feeds_for_purpose, registry_check, registry_load
from kinlink.governance.challenges import (
    Kind,
    challenge_raise,
    challenge_resolve,
    challenges_return,
)
from kinlink.governance.documents import governance_documents_write, published_model_records
from kinlink.governance.retention import rederive, retention_apply
from kinlink.governance.subject_access import subject_access_write
from kinlink.sources import definitions_load
from kinlink.warehouse.store import warehouse_connect

governance_app = typer.Typer(
    help="Agreements, purposes and the generated governance documents.", no_args_is_help=True
)
retention_app = typer.Typer(help="Remove what may no longer be held.", no_args_is_help=True)

SourcesOption = Annotated[
    list[Path] | None,
    typer.Option("--sources", help="Folder of extra source definitions (repeatable)."),
]


class RegistryInconsistent(KinlinkError):
    """The registry and the source definitions disagree."""


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(option, "expected a date as YYYY-MM-DD") from exc


@governance_app.command("check")
def check_command(
    governance: GovernanceOption = None,
    sources: SourcesOption = None,
    on: Annotated[str | None, typer.Option("--on", help="Date to check (default today).")] = None,
) -> None:
    """Check the registry against the source definitions; list each agreement's status."""
    registry = registry_load(governance or [])
    definitions = definitions_load(sources or [])
    problems = registry_check(registry, definitions)
    day = _date(on, "--on") or utc_now().date()
    table = Table(title=f"Agreements on {day.isoformat()}")
    for heading in ("agreement", "partner", "feeds", "expires", "status"):
        table.add_column(heading)
    for agreement in sorted(registry.agreements.values(), key=lambda a: a.id):
        status = "in force" if agreement.in_force(day) else "[red]NOT IN FORCE[/]"
        table.add_row(agreement.id, agreement.partner, ", ".join(agreement.feeds),
                      agreement.expires.isoformat(), status)  # fmt: skip
    console.print(table)
    for code in sorted(registry.purposes):
        feeds = feeds_for_purpose(registry, definitions, code, day)
        console.print(f"purpose {code}: {', '.join(sorted(feeds)) or 'no feeds'}")
    if problems:
        raise RegistryInconsistent("\n  - ".join(["the registry is inconsistent:", *problems]))


@governance_app.command("docs")
def docs_command(
    out: Annotated[Path, typer.Option(help="Folder to write the documents into.")] = Path(
        "docs/governance"
    ),
    governance: GovernanceOption = None,
    sources: SourcesOption = None,
    warehouse: Annotated[
        Path | None,
        typer.Option(
            "--warehouse", help="Also write the ATRS records of the models published here."
        ),
    ] = None,
) -> None:
    """Generate the data-flow map, register of processing, DPIA inputs (and ATRS records)."""
    written = governance_documents_write(
        registry_load(governance or []), definitions_load(sources or []), out
    )
    if warehouse is not None:
        for name, text in published_model_records(warehouse).items():
            path = out / name
            path.write_text(text, encoding="utf-8")
            written.append(path)
    for path in written:
        console.print(f"wrote {path}")


@retention_app.command("apply")
def retention_command(
    warehouse: WarehouseOption = None,
    sources: SourcesOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Apply as of this date (default today).")
    ] = None,
    really: Annotated[
        bool, typer.Option("--apply", help="Remove the rows (without it: a dry run).")
    ] = False,
    rederive_after: Annotated[
        bool,
        typer.Option(
            "--rederive/--no-rederive",
            help="After removing, re-link, rebuild families and re-assess.",
        ),
    ] = True,
    republish: Annotated[
        bool,
        typer.Option(
            "--publish",
            help="After re-deriving, publish again so the portal no longer shows what went.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rows past their feed's retention period: listed (dry run) or removed (--apply)."""
    target = warehouse_path(warehouse)
    report = retention_apply(
        target, definitions_load(sources or []), as_of=_date(as_of, "--as-of"), dry_run=not really
    )
    if really and report.fact_rows and rederive_after:
        report.rederived = rederive(target)
        if republish:
            from kinlink.cli.portal_commands import publish

            publish(warehouse=target, force=True)
    if report_json_emit(json.loads(json.dumps(report.as_dict())), out=None, to_console=as_json):
        return
    verb = "due (dry run: nothing removed)" if report.dry_run else "removed"
    table = Table(title=f"Retention as of {report.as_of.isoformat()}: rows {verb}")
    headings = ("feed", "months", "before", "fact rows", "person records",
                "quarantine months", "loaded before", "quarantined rows")  # fmt: skip
    for heading in headings:
        table.add_column(heading, justify="left" if heading == "feed" else "right")
    for f in report.feeds:
        table.add_row(f.feed, str(f.retention_months), f.cutoff.isoformat(),
                      f"{f.fact_rows:,}", f"{f.person_records:,}", str(f.quarantine_months),
                      f.quarantine_cutoff.isoformat(), f"{f.quarantine_rows:,}")  # fmt: skip
    console.print(table)
    for stage, run in report.rederived.items():
        console.print(f"re-derived {stage}: {run}")


def sar(
    person_key: Annotated[str, typer.Argument(help="Person key, e.g. P3K9Q2M7XHD.")],
    out: Annotated[Path, typer.Option(help="Folder for the JSON bundle and the PDF.")],
    warehouse: WarehouseOption = None,
    sources: SourcesOption = None,
    portal_audit: Annotated[
        bool,
        typer.Option(
            help="Include who viewed the records (who, role, when, purpose) from the portal's "
            "audit log, in the portal database the portal's settings name (DATABASE_URL)."
        ),
    ] = False,
) -> None:
    """Subject access: everything held about one person, third parties redacted."""
    views = None
    if portal_audit:
        from kinlink.cli.portal_commands import _django

        _django()
        from kinlink.portal.audit import subject_views

        views = subject_views(person_key)
    files = subject_access_write(
        warehouse_path(warehouse), person_key, definitions_load(sources or []), out, views=views
    )
    console.print(
        f"{files.records} records and {files.facts} facts: wrote {files.json_path} "
        f"and {files.pdf_path}"
    )


challenge_app = typer.Typer(
    help="Challenges of a link, a fact or a score: raise, resolve, return to the partner.",
    no_args_is_help=True,
)


@challenge_app.command("raise")
def challenge_raise_command(
    kind: Annotated[str, typer.Argument(help="link, fact or score.")],
    ref: Annotated[str, typer.Argument(help="Record id (link, fact) or score id.")],
    reason: Annotated[str, typer.Option(help="Why it is disputed.")],
    by: Annotated[str, typer.Option("--by", help="Who raised it.")],
    field: Annotated[str | None, typer.Option(help="The field disputed, for a fact.")] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Record a challenge; the challenged item is not used until it is resolved."""
    if kind not in ("link", "fact", "score"):
        raise InputError("KIND", "expected link, fact or score")
    con = warehouse_connect(warehouse_path(warehouse))
    try:
        raised = challenge_raise(
            con, cast(Kind, kind), ref, reason=reason, raised_by=by, field=field
        )
    finally:
        con.close()
    console.print(f"challenge {raised.challenge_id} recorded; the {kind} is out of use")


@challenge_app.command("resolve")
def challenge_resolve_command(
    challenge_id: Annotated[str, typer.Argument(help="Challenge id (CH-...).")],
    upheld: Annotated[
        bool, typer.Option("--upheld/--rejected", help="Whether the challenge is right.")
    ],
    by: Annotated[str, typer.Option("--by", help="Who resolved it.")],
    resolution: Annotated[str, typer.Option(help="Why.")],
    warehouse: WarehouseOption = None,
) -> None:
    """Uphold or reject a challenge (an upheld link splits at the next 'kinlink link')."""
    con = warehouse_connect(warehouse_path(warehouse))
    try:
        status = challenge_resolve(con, challenge_id, upheld=upheld, resolved_by=by,
                                   resolution=resolution)  # fmt: skip
    finally:
        con.close()
    console.print(f"challenge {challenge_id} {status}")


@challenge_app.command("return")
def challenge_return_command(
    feed: Annotated[str, typer.Argument(help="The partner's feed.")],
    out: Annotated[Path, typer.Option(help="CSV file to write.")],
    warehouse: WarehouseOption = None,
) -> None:
    """The 'please correct this record' file for a partner: lineage and reasons only."""
    con = warehouse_connect(warehouse_path(warehouse))
    try:
        rows = challenges_return(con, feed, out)
    finally:
        con.close()
    console.print(f"{rows} challenged records of {feed} written to {out}")
