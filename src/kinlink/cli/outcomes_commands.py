"""``kinlink outcomes``: framework, assess, evaluate, runs, compare, family, claims, evidence."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from kinlink.cli.options import WarehouseOption, warehouse_path
from kinlink.cli.output import console, progress_bar, report_json_emit
from kinlink.core.errors import InputError
from kinlink.outcomes import DEFAULT_FRAMEWORK, framework_fingerprint, framework_load
from kinlink.outcomes.evaluation import OutcomesEvaluation, outcomes_evaluate
from kinlink.outcomes.loader import builtin_framework_paths
from kinlink.outcomes.services import STAGES, AssessmentSummary, codes_unseen, outcomes_assess
from kinlink.outcomes.views import (
    claims_list,
    evidence_pack_write,
    family_assessment,
    run_resolve,
    runs_compare,
    runs_list,
)
from kinlink.returns.reporting import reporting_views_create
from kinlink.warehouse.store import warehouse_connect

app = typer.Typer(
    help="The Supporting Families outcomes framework: needs, eligibility, progress, claims.",
    no_args_is_help=True,
)
framework_app = typer.Typer(help="Read and check outcomes frameworks.", no_args_is_help=True)
app.add_typer(framework_app, name="framework")

FrameworkOption = Annotated[
    str,
    typer.Option(
        "--framework",
        help="A shipped framework name or a framework / local plan YAML file.",
    ),
]
SourcesOption = Annotated[
    list[Path] | None,
    typer.Option("--sources", help="Folder of extra source definitions (repeatable)."),
]
RunOption = Annotated[
    str | None, typer.Option("--run", help="Assessment run id (default: the latest).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
OutOption = Annotated[Path | None, typer.Option(help="Also write the JSON report here.")]


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(option, "expected a date as YYYY-MM-DD") from exc


def _plain(data: Any) -> Any:
    """Dates and other values as JSON would carry them."""
    return json.loads(json.dumps(data, default=str))


@framework_app.command("list")
def framework_list() -> None:
    """The frameworks shipped with Kinlink."""
    table = Table(title="Shipped frameworks")
    for heading in ("name", "version", "title", "extends"):
        table.add_column(heading)
    for name in sorted(builtin_framework_paths()):
        f = framework_load(name)
        table.add_row(name, f.version, f.title, f.extends or "")
    console.print(table)


@framework_app.command("show")
def framework_show(
    framework: Annotated[str, typer.Argument(help="Shipped name or YAML file.")] = (
        DEFAULT_FRAMEWORK
    ),
    sources: SourcesOption = None,
) -> None:
    """The headline outcomes and needs of a framework, with how each is counted."""
    f = framework_load(framework, sources_dirs=sources or [])
    e = f.eligibility
    console.print(
        f"[bold]{f.title}[/] ({f.label}, fingerprint {framework_fingerprint(f)})\n"
        f"Eligible: a dependent child (up to {e.dependent_child_max_age}) or an expectant "
        f"parent, and at least {e.minimum} "
        + ("needs" if e.count == "needs" else "needs under different headline outcomes")
        + f". Claims: sustained {f.claims.sustain_months} months after closure "
        f"({', '.join(f.claims.end_reasons)})."
    )
    table = Table(title="Needs by headline outcome")
    for heading in ("headline outcome", "need", "who", "indicator", "success measure"):
        table.add_column(heading)
    for headline, need in f.needs:
        table.add_row(
            headline.name,
            need.code,
            need.applies_to,
            need.name,
            need.success_description or ("-" if need.success is None else "defined"),
        )
    console.print(table)


@framework_app.command("check")
def framework_check(
    framework: Annotated[str, typer.Argument(help="Shipped name or YAML file.")],
    sources: SourcesOption = None,
    warehouse: Annotated[
        Path | None,
        typer.Option(
            "--warehouse",
            help="Also look for codes of open lists (e.g. episode reasons) in this warehouse.",
        ),
    ] = None,
) -> None:
    """Validate a framework or local plan: feeds, fields and codes must all exist.

    With --warehouse, codes of open lists that no loaded row carries are listed too (a
    likely typo, or a reason the council's system does not use); they do not fail the check.
    """
    f = framework_load(framework, sources_dirs=sources or [])
    console.print(
        f"{framework}: valid ({f.label}, {len(f.headline_outcomes)} headline outcomes, "
        f"{len(f.needs)} needs, fingerprint {framework_fingerprint(f)})"
    )
    if warehouse is not None:
        unseen = codes_unseen(warehouse, f, sources or [])
        for problem in unseen:
            console.print(f"[yellow]warning:[/] {problem}", highlight=False)
        if not unseen:
            console.print("every code of an open list occurs in the warehouse")


def _summary_table(summary: AssessmentSummary) -> Table:
    c = summary.counts
    table = Table(title=f"Assessment {summary.run_id} as of {summary.as_of.isoformat()}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("framework", summary.framework)
    table.add_row("input fingerprint", summary.input_fingerprint)
    table.add_row("people in families", f"{c.people:,}")
    table.add_row("families", f"{c.families:,}")
    table.add_row("  with at least one need", f"{c.families_with_needs:,}")
    table.add_row("  eligible", f"{c.eligible:,}")
    for need, n in c.needs.items():
        table.add_row(f"  need {need}", f"{n:,}")
    table.add_row("families with an early help episode", f"{c.episodes:,}")
    for status, n in c.progress.items():
        table.add_row(f"  identified needs {status.replace('_', ' ')}", f"{n:,}")
    table.add_row("claim candidates", f"{c.claims:,}")
    table.add_row("seconds", f"{sum(summary.seconds.values()):.1f}")
    return table


@app.command("assess")
def assess_command(
    warehouse: WarehouseOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Assess as of this date, YYYY-MM-DD (default: families' date)."
        ),
    ] = None,
    framework: FrameworkOption = DEFAULT_FRAMEWORK,
    sources: SourcesOption = None,
    as_json: JsonOption = False,
    out: OutOption = None,
) -> None:
    """Assess every current family: needs with evidence, eligibility, progress, claims.

    The run is stored with its as-of date, framework fingerprint and input fingerprint,
    so it can be read back, reproduced and compared ('kinlink outcomes compare').
    """
    with progress_bar() as bar:
        task = bar.add_task("outcomes", total=len(STAGES))

        def on_stage(stage: str, step: int, steps: int) -> None:
            bar.update(task, description=stage, completed=step, total=steps)

        summary = outcomes_assess(
            warehouse_path(warehouse),
            as_of=_date(as_of, "--as-of"),
            framework=framework,
            sources_dirs=sources or [],
            progress=on_stage,
        )
        bar.update(task, description="done", completed=len(STAGES))
    con = warehouse_connect(warehouse_path(warehouse))
    try:
        views = reporting_views_create(con)
    finally:
        con.close()
    if report_json_emit(_plain(summary.as_dict()), out=out, to_console=as_json):
        return
    console.print(_summary_table(summary))
    console.print(f"reporting views refreshed: {', '.join(views)}", style="dim")


def _score_row(table: Table, name: str, score: Any) -> None:
    table.add_row(
        name,
        f"{score.true:,}",
        f"{score.predicted:,}",
        f"{score.precision:.4f}",
        f"{score.recall:.4f}",
    )


def _evaluation_tables(report: OutcomesEvaluation) -> list[Table]:
    basis = "truth's people and families" if report.links == "truth" else "Kinlink's keys"
    table = Table(title=f"Outcomes against the truth as of {report.as_of} ({basis})")
    for heading in ("measure", "true", "found", "precision", "recall"):
        table.add_column(heading, justify="left" if heading == "measure" else "right")
    _score_row(table, "eligible families", report.eligibility)
    _score_row(table, "family needs", report.family_needs)
    _score_row(table, "person needs", report.person_needs)
    for need, score in report.by_need.items():
        _score_row(table, f"  {need}", score)
    causes = Table(title="Eligibility disagreements by likely cause")
    causes.add_column("disagreement")
    causes.add_column("families", justify="right")
    for cause, n in sorted(report.causes.items()):
        causes.add_row(cause, f"{n:,}")
    return [table, causes]


@app.command("evaluate")
def evaluate_command(
    truth: Annotated[Path, typer.Option("--truth", help="The synthetic city's truth folder.")],
    warehouse: WarehouseOption = None,
    links: Annotated[
        str,
        typer.Option(
            help="'kinlink': the last stored run over Kinlink's keys; 'truth': the rules "
            "alone, over the truth's people and families."
        ),
    ] = "kinlink",
    framework: FrameworkOption = DEFAULT_FRAMEWORK,
    as_json: JsonOption = False,
    out: OutOption = None,
) -> None:
    """Precision and recall of eligibility and needs against a synthetic city's truth."""
    if links not in ("kinlink", "truth"):
        raise InputError("--links", "expected 'kinlink' or 'truth'")
    report = outcomes_evaluate(
        warehouse_path(warehouse),
        truth,
        links="truth" if links == "truth" else "kinlink",
        framework=framework,
    )
    if report_json_emit(_plain(report.as_dict()), out=out, to_console=as_json):
        return
    for table in _evaluation_tables(report):
        console.print(table)
    for d in report.disagreements[:20]:
        console.print(
            f"{d.kind}: truth {d.truth_family} / family {d.family_key}: {d.cause}; truth "
            f"{', '.join(d.truth_needs) or '-'}; found {', '.join(d.found_needs) or '-'}",
            style="dim",
        )


@app.command("runs")
def runs_command(warehouse: WarehouseOption = None) -> None:
    """Stored assessment runs, newest first."""
    con = warehouse_connect(warehouse_path(warehouse), read_only=True)
    try:
        runs = runs_list(con)
    finally:
        con.close()
    table = Table(title="Assessment runs")
    for heading in ("run", "as of", "framework", "input", "families", "eligible", "claims"):
        table.add_column(heading)
    for r in runs:
        table.add_row(r.run_id, r.as_of.isoformat(), r.framework, r.input_fingerprint,
                      f"{r.families:,}", f"{r.eligible:,}", f"{r.claims:,}")  # fmt: skip
    console.print(table)


@app.command("compare")
def compare_command(
    warehouse: WarehouseOption = None,
    from_run: Annotated[
        str | None, typer.Option("--from", help="Earlier run (default: the one before last).")
    ] = None,
    to_run: Annotated[str | None, typer.Option("--to", help="Later run (default: last).")] = None,
    as_json: JsonOption = False,
    out: OutOption = None,
) -> None:
    """What changed between two runs: newly eligible families, needs gained and lost."""
    con = warehouse_connect(warehouse_path(warehouse), read_only=True)
    try:
        later = run_resolve(con, to_run)
        earlier = run_resolve(con, from_run, offset=1)
        result = runs_compare(con, earlier, later)
    finally:
        con.close()
    if report_json_emit(result.as_dict(), out=out, to_console=as_json):
        return
    console.print(f"From {earlier} to {later}:")
    console.print(f"  newly eligible: {len(result.newly_eligible):,} "
                  f"{' '.join(result.newly_eligible[:20])}")  # fmt: skip
    console.print(f"  no longer eligible: {len(result.no_longer_eligible):,} "
                  f"{' '.join(result.no_longer_eligible[:20])}")  # fmt: skip
    console.print(f"  families with needs added / removed: {len(result.needs_added):,} / "
                  f"{len(result.needs_removed):,}")  # fmt: skip
    console.print(f"  new claim candidates: {len(result.new_claims):,}")


@app.command("family")
def family_command(
    family_key: Annotated[str, typer.Argument(help="Family key, e.g. F3K9Q2M7XHD.")],
    warehouse: WarehouseOption = None,
    run: RunOption = None,
    as_json: JsonOption = False,
) -> None:
    """One family's assessment: needs with their evidence rows, episode and progress."""
    con = warehouse_connect(warehouse_path(warehouse), read_only=True)
    try:
        view = family_assessment(con, run_resolve(con, run), family_key)
    finally:
        con.close()
    if report_json_emit(_plain(view), out=None, to_console=as_json):
        return
    f = view["family"]
    console.print(
        f"Family {family_key} in run {view['run']['run_id']} (as of {view['run']['as_of']}): "
        f"{f['members']} members, {f['dependent_children']} dependent children, "
        f"{f['n_needs']} needs under {f['n_headlines']} headline outcomes: "
        + ("[bold]eligible[/]" if f["eligible"] else "not eligible")
    )
    table = Table(title="Needs and evidence")
    for heading in ("need", "person key", "date", "feed", "file", "row"):
        table.add_column(heading)
    for e in view["evidence"]:
        if e["stage"] == "need":
            table.add_row(e["need"], e["person_key"], str(e["event_date"] or ""), e["feed"],
                          e["file_name"], str(e["row_number"]))  # fmt: skip
    console.print(table)
    if view["episode"]:
        ep = view["episode"]
        console.print(
            f"Episode {ep['episode_id']}: {ep['episode_start']} to {ep['episode_end'] or 'open'}"
            f" ({ep['end_reason'] or '-'}), lead practitioner {ep['lead_practitioner'] or '-'}; "
            f"needs identified: {', '.join(ep['needs_identified']) or 'none'}"
        )
        progress = Table(title="Progress")
        for heading in ("need", "status", "measured on"):
            progress.add_column(heading)
        for p in view["progress"]:
            progress.add_row(p["need"], p["status"], str(p["measured_on"] or ""))
        console.print(progress)
    console.print("Claim candidate." if view["claim"] else "Not a claim candidate.")


@app.command("claims")
def claims_command(
    warehouse: WarehouseOption = None,
    run: RunOption = None,
    evidence: Annotated[
        Path | None,
        typer.Option(help="Write each claim's evidence pack (JSON and HTML) into this folder."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Claim candidates for payment by results, with their evidence packs on request."""
    con = warehouse_connect(warehouse_path(warehouse), read_only=True)
    try:
        run_id = run_resolve(con, run)
        claims = claims_list(con, run_id)
        if evidence is not None:
            for claim in claims:
                evidence_pack_write(con, run_id, claim["family_key"], evidence)
    finally:
        con.close()
    if report_json_emit(_plain(claims), out=None, to_console=as_json):
        return
    table = Table(title=f"Claim candidates in {run_id}")
    for heading in ("family key", "episode", "closed", "sustained to", "lead", "needs"):
        table.add_column(heading)
    for c in claims:
        table.add_row(c["family_key"], c["episode_id"], str(c["episode_end"]),
                      str(c["sustain_until"]), c["lead_practitioner"] or "",
                      ", ".join(c["needs_identified"]))  # fmt: skip
    console.print(table)
    if evidence is not None:
        console.print(f"{len(claims):,} evidence packs written to {evidence}")


@app.command("evidence")
def evidence_command(
    family_key: Annotated[str, typer.Argument(help="Family key.")],
    out: Annotated[Path, typer.Option(help="Folder for the JSON and HTML evidence pack.")],
    warehouse: WarehouseOption = None,
    run: RunOption = None,
) -> None:
    """One family's evidence pack: needs, progress and every source row behind them."""
    con = warehouse_connect(warehouse_path(warehouse), read_only=True)
    try:
        json_path, html_path = evidence_pack_write(con, run_resolve(con, run), family_key, out)
    finally:
        con.close()
    console.print(f"wrote {json_path} and {html_path}")
