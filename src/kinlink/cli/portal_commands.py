"""``kinlink publish`` and ``kinlink portal ...``: thin over the portal's services.

Django is set up on first use only, so the rest of the CLI never loads it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from kinlink.cli.output import console
from kinlink.core.errors import KinlinkError
from kinlink.core.settings import settings_load

app = typer.Typer(help="The portal: users, audit and link reviews.", no_args_is_help=True)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinlink.portal.settings.dev")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


WarehouseOption = Annotated[
    Path | None, typer.Option(help="Warehouse file (default from the data directory).")
]


def publish(
    warehouse: WarehouseOption = None,
    force: Annotated[bool, typer.Option(help="Publish even if the inputs did not change.")] = False,
    model: Annotated[
        Path | None,
        typer.Option(
            help="Saved linkage model, for the match weights (default: the configured one)."
        ),
    ] = None,
) -> None:
    """Copy the linked, assessed warehouse into the portal database (one transaction)."""
    _django()
    from kinlink.portal.publish import publish_run

    result = publish_run(
        warehouse=warehouse or settings_load().warehouse_path, force=force, model_path=model
    )
    if result.skipped:
        console.print(f"Nothing changed since publish {result.run_id}; use --force to redo.")
        return
    console.print(f"Published run {result.run_id} in {result.seconds:.1f} s:")
    for name, n in result.counts.items():
        console.print(f"  {name}: {n:,}")
    for name, n in result.changes.items():
        console.print(f"  change {name}: {n:,}")


@app.command("demo-users")
def demo_users() -> None:
    """Create a demo user per role; prints passwords and TOTP secrets (never in production)."""
    _django()
    from kinlink.portal.users import demo_users_create

    for demo in demo_users_create():
        console.print(
            f"{demo.username:<13} {demo.role:<14} password {demo.password}  "
            f"TOTP secret {demo.totp_secret}\n    {demo.totp_uri}",
            highlight=False,
            soft_wrap=True,
        )


@app.command("add-user")
def add_user(
    username: Annotated[str, typer.Argument()],
    role: Annotated[
        str, typer.Option(help="head_teacher, practitioner, mash, analyst or administrator")
    ],
    schools: Annotated[str, typer.Option(help="Space-separated school URNs.")] = "",
    practitioner: Annotated[str, typer.Option(help="Name as early help lead.")] = "",
    team: Annotated[str, typer.Option(help="Early help team.")] = "",
    cleared: Annotated[str | None, typer.Option(help="Restricted classes cleared for.")] = None,
    reviewer: Annotated[bool, typer.Option(help="May decide reported wrong links.")] = False,
    export: Annotated[
        bool,
        typer.Option(help="May download data (watermarked, audited; analysts: pseudonymised)."),
    ] = False,
) -> None:
    """Create or reset a user with a role, a scope, a password and a TOTP device."""
    _django()
    from kinlink.portal.models import Role
    from kinlink.portal.users import user_create

    if role not in Role.values:
        raise KinlinkError(f"unknown role {role!r}; one of {', '.join(Role.values)}")
    new = user_create(username=username, role=role, school_urns=schools,
                      practitioner_name=practitioner, team=team, cleared=cleared,
                      link_reviewer=reviewer, may_export=export)  # fmt: skip
    console.print(f"{new.username}: password {new.password}\nTOTP: {new.totp_uri}", highlight=False)


@app.command("push-reviews")
def push_reviews(warehouse: WarehouseOption = None) -> None:
    """Write decided wrong-link reports into the warehouse's linkage review decisions."""
    _django()
    from kinlink.portal.reviews import reviews_push

    n = reviews_push(warehouse=warehouse or settings_load().warehouse_path)
    console.print(f"Pushed {n} decision(s); the next 'kinlink link' applies them.")


@app.command("push-challenges")
def push_challenges(warehouse: WarehouseOption = None) -> None:
    """Record challenges raised in the portal in the warehouse (out of use from now on)."""
    _django()
    from kinlink.portal.challenges import challenges_push

    recorded, failed = challenges_push(warehouse=warehouse or settings_load().warehouse_path)
    _pushed("challenge(s)", recorded, failed, "; the next 'kinlink publish' marks them.")


@app.command("push-score-reviews")
def push_score_reviews(warehouse: WarehouseOption = None) -> None:
    """Record reviews of advisory scores made in the portal in the risk registry."""
    _django()
    from kinlink.portal.challenges import score_reviews_push

    recorded, failed = score_reviews_push(warehouse=warehouse or settings_load().warehouse_path)
    _pushed("score review(s)", recorded, failed, ".")


def _pushed(what: str, recorded: int, failed: int, then: str) -> None:
    """One line on what a push from the portal recorded; failures stay in its queue."""
    console.print(
        f"Recorded {recorded} {what}"
        + (f"; {failed} failed (kept in the portal queue with the error)" if failed else "")
        + then
    )


@app.command("audit-verify")
def audit_verify_command() -> None:
    """Check the audit log's hash chain end to end (exit 1 when broken)."""
    _django()
    from kinlink.portal.audit import audit_verify

    result = audit_verify()
    if not result.ok:
        console.print(
            f"[bold red]audit chain broken[/] at event {result.first_bad}: {result.problem}"
        )
        raise typer.Exit(1)
    console.print(f"Audit chain intact: {result.events:,} events.")
