"""``kinlink``: the command line a council's data analyst uses to run the pipeline.

Each command is a thin layer over a package's services, so the portal and the CLI do the
same thing the same way. Errors the user can act on print one message and exit non-zero.
"""

from __future__ import annotations

import sys

import typer

from kinlink.cli import (
    families_commands,
    governance_commands,
    ingest_commands,
    linkage_commands,
    outcomes_commands,
    portal_commands,
    returns_commands,
    risk_commands,
    sources_commands,
    warehouse_commands,
)
from kinlink.cli.output import errors
from kinlink.cli.synth_command import synth
from kinlink.core.errors import KinlinkError

app = typer.Typer(
    name="kinlink",
    help=(
        "Kinlink: bring partner extracts together, link people and families, and share on a "
        "need-to-know basis.\n\nTypical run: 'kinlink synth' (a synthetic city to try things "
        "on), 'kinlink ingest DIR', 'kinlink quarantine summary', then 'kinlink link', "
        "'kinlink families build' and 'kinlink outcomes assess'."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("synth")(synth)
app.add_typer(sources_commands.app, name="sources")
app.command("ingest")(ingest_commands.ingest)
app.add_typer(ingest_commands.quarantine_app, name="quarantine")
app.command("status")(ingest_commands.status)
app.add_typer(warehouse_commands.app, name="warehouse")
app.command("link")(linkage_commands.link)
app.add_typer(linkage_commands.linkage_app, name="linkage")
app.add_typer(families_commands.app, name="families")
app.add_typer(outcomes_commands.app, name="outcomes")
linkage_commands.export_app.command("families")(families_commands.export_families)
app.add_typer(linkage_commands.export_app, name="export")
app.add_typer(returns_commands.app, name="returns")
app.add_typer(governance_commands.governance_app, name="governance")
app.add_typer(governance_commands.retention_app, name="retention")
app.command("sar")(governance_commands.sar)
app.add_typer(governance_commands.challenge_app, name="challenge")
app.command("publish")(portal_commands.publish)
app.add_typer(portal_commands.app, name="portal")
app.add_typer(risk_commands.app, name="risk")


#: Typer's usage errors derive from its command-line parser's ClickException, which typer
#: may bundle under its own name: found from a class typer exports, not imported by name.
_USAGE_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)


def main() -> None:
    """Entry point: run the app and turn user errors into one clear line and exit code 2."""
    try:
        exit_code = app(standalone_mode=False)
    except KinlinkError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        errors.print("aborted")
        sys.exit(1)
    except _USAGE_ERROR as exc:  # a bad option or argument: the usage message, not a traceback
        exc.show()  # type: ignore[attr-defined]
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]
    if isinstance(exit_code, int) and exit_code:
        sys.exit(exit_code)
