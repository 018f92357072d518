"""``kinlink link``, ``kinlink linkage`` (model show, evaluate, explain), ``kinlink export``."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kinlink.cli.options import WarehouseOption, warehouse_path
from kinlink.cli.output import console, progress_bar, report_json_emit
from kinlink.linkage import (
    EvaluationReport,
    LinkageConfig,
    Metrics,
    evaluate,
    explain,
    export_links,
    linkage_run,
    model_show,
    review_decide,
    review_queue_list,
)
from kinlink.linkage.models import MODEL_NAME, MODEL_VERSION
from kinlink.linkage.services import STAGES

ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help=f"Model file (default: linkage/models/{MODEL_NAME}-v{MODEL_VERSION}.json in the "
        "data directory).",
    ),
]


class BackendChoice(StrEnum):
    """Where Splink trains and scores."""

    duckdb = "duckdb"
    spark = "spark"


def link(
    warehouse: WarehouseOption = None,
    model: ModelOption = None,
    threshold: Annotated[
        float,
        typer.Option(
            min=0.5, max=0.9999, help="Match probability at or above which two records link."
        ),
    ] = 0.95,
    retrain: Annotated[
        bool, typer.Option("--retrain", help="Train the model again even if one is saved.")
    ] = False,
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental", help="Link only records no key holds yet, with the saved model."
        ),
    ] = False,
    backend: Annotated[
        BackendChoice,
        typer.Option(
            help="Where Splink trains and scores: DuckDB in this process, or Spark (the "
            "active session, else one on --spark-master; needs the 'spark' extra and Java)."
        ),
    ] = BackendChoice.duckdb,
    spark_master: Annotated[
        str, typer.Option(help="Spark master URL when Kinlink starts the Spark session.")
    ] = "local[*]",
) -> None:
    """Link every loaded person record into people with stable person keys.

    Joins records that share a trusted system id, scores the rest with the person model
    (training it first when there is none, or with --retrain), clusters without chaining
    through households or twins, and keeps each person's key from the last run.
    """
    config = LinkageConfig(
        threshold=threshold,
        retrain=retrain,
        backend=backend.value,
        spark_master=spark_master,
    )
    if model is not None:
        config = dataclasses.replace(config, model_path=model)
    with progress_bar() as bar:
        task = bar.add_task("linking", total=len(STAGES))

        def on_stage(stage: str, step: int, steps: int) -> None:
            bar.update(task, description=stage, completed=step, total=steps)

        summary = linkage_run(
            warehouse_path(warehouse), config, progress=on_stage, incremental=incremental
        )
        bar.update(task, description="done", completed=len(STAGES))
    pre, clusters, keys = summary.precollapse, summary.clusters, summary.keys
    table = Table(title=f"Linkage run {summary.run_id}")
    table.add_column("step")
    table.add_column("result", justify="right")
    table.add_column("seconds", justify="right")
    seconds = summary.seconds
    table.add_row("person records", f"{pre.records:,}", str(seconds.get("prepare records", "")))
    table.add_row(
        "entities after pre-collapse", f"{pre.entities:,}", str(seconds.get("pre-collapse", ""))
    )
    table.add_row("  identity variants scored", f"{pre.variants:,}", "")
    table.add_row("  UPN keying errors joined", f"{pre.upn_typos_fixed:,}", "")
    table.add_row("  ids refused (name/dob contradict)", f"{pre.id_edges_dropped:,}", "")
    table.add_row(
        "model",
        ("trained " if summary.trained else "loaded ") + summary.model_path.name,
        str(seconds.get("train model", "")),
    )
    table.add_row("trained and scored on", config.backend, "")
    table.add_row(
        f"pairs at p >= {summary.threshold}",
        f"{clusters.pairs_above_threshold:,}",
        str(seconds.get("score pairs", "")),
    )
    table.add_row("links refused (conflicting evidence)", f"{clusters.blocked_by_conflict:,}", "")
    table.add_row("people", f"{clusters.people:,}", str(seconds.get("cluster", "")))
    table.add_row(
        "keys kept / new",
        f"{keys.kept:,} / {keys.new:,}",
        str(seconds.get("keys", "")),
    )
    table.add_row(
        "keys merged / split / retired", f"{keys.merged:,} / {keys.split:,} / {keys.retired:,}", ""
    )
    table.add_row(
        "review decisions applied (same / different)",
        f"{clusters.must_links:,} / {clusters.cannot_links:,}",
        "",
    )
    table.add_row("pairs queued for review", f"{clusters.review_queued:,}", "")
    console.print(table)
    if summary.incremental:
        console.print(f"Incremental: {summary.new_records:,} new records linked.")
    elif incremental:
        console.print(
            "[yellow]Ran in full: no keys yet, or a review decision since the last run.[/]"
        )
    if clusters.cannot_within_entity:
        console.print(
            f"[yellow]{clusters.cannot_within_entity:,} 'different people' decisions concern "
            "records a trusted identifier joins; they stay together.[/]"
        )
    unlinked = sum(pre.id_only_unlinked.values())
    if unlinked:
        detail = ", ".join(f"{feed} {n:,}" for feed, n in pre.id_only_unlinked.items())
        console.print(
            f"[yellow]{unlinked:,} records carry only an identifier that matches no named "
            f"record[/] ({detail}); each has a key of its own."
        )


linkage_app = typer.Typer(
    help="The person model: inspect it, evaluate links, explain a pair.", no_args_is_help=True
)
model_app = typer.Typer(help="The trained person model.", no_args_is_help=True)
linkage_app.add_typer(model_app, name="model")


def _number(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "-"
    if value != 0 and abs(value) < 10 ** (-digits):
        return f"{value:.2e}"
    return f"{value:.{digits}f}"


@model_app.command("show")
def model_show_command(model: ModelOption = None) -> None:
    """Print m and u probabilities and the match weight of every comparison level."""
    view = model_show(model)
    table = Table(
        title=f"{view.name}-v{view.version} (trained {view.trained_at[:19]}), "
        f"prior {view.prior:.3g}"
    )
    for heading in ("comparison", "level", "m", "u", "weight"):
        table.add_column(heading, justify="left" if heading in ("comparison", "level") else "right")
    last = None
    for row in view.levels:
        if last is not None and row.comparison != last:
            table.add_section()
        level = row.level + (" (tf)" if row.tf_column else "")
        weight = _number(row.weight, 2)
        if row.weight is not None:
            weight = f"[green]{weight}[/]" if row.weight > 0 else f"[red]{weight}[/]"
        table.add_row(
            row.comparison if row.comparison != last else "",
            level,
            _number(row.m),
            _number(row.u, 6),
            weight,
        )
        last = row.comparison
    console.print(table)
    console.print(
        "weight = log2(m/u); (tf) levels are adjusted for how common the value is.",
        style="dim",
    )


def _metrics_row(m: Metrics) -> list[str]:
    return [
        m.scope,
        f"{m.records:,}",
        f"{m.people:,}",
        f"{m.keys:,}",
        f"{m.precision:.4f}",
        f"{m.recall:.4f}",
        f"{m.f1:.4f}",
        f"{m.bcubed_precision:.4f}",
        f"{m.bcubed_recall:.4f}",
        f"{m.people_split:,}",
        f"{m.keys_merging_people:,}",
        "-" if m.twins_merged is None else f"{m.twins_merged:,}",
    ]


def _evaluation_table(report: EvaluationReport) -> Table:
    table = Table(title="Linkage against the ground truth")
    headings = (
        "scope", "records", "people", "keys", "pair P", "pair R", "pair F1",
        "B3 P", "B3 R", "people split", "keys merging", "twins merged",
    )  # fmt: skip
    for heading in headings:
        table.add_column(heading, justify="left" if heading == "scope" else "right")
    for m in report.by_feed:
        table.add_row(*_metrics_row(m))
    table.add_section()
    table.add_row(*_metrics_row(report.overall), style="bold")
    return table


@linkage_app.command("evaluate")
def evaluate_command(
    truth: Annotated[
        Path, typer.Option("--truth", help="The synthetic city's truth folder (DIR/truth).")
    ],
    warehouse: WarehouseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    out: Annotated[Path | None, typer.Option(help="Also write the JSON report here.")] = None,
) -> None:
    """Pairwise and B-cubed precision/recall, splits, merges and merged twins, by feed."""
    report = evaluate(warehouse_path(warehouse), truth)
    if report_json_emit(report.as_dict(), out=out, to_console=as_json):
        return
    console.print(_evaluation_table(report))
    console.print(
        f"truth slots {report.truth_slots:,}, not loaded (quarantined or blank) "
        f"{report.truth_slots_not_loaded:,}; records without truth "
        f"{report.records_without_truth:,}, without a key {report.records_without_key:,}",
        style="dim",
    )


@linkage_app.command("explain")
def explain_command(
    record_a: Annotated[str, typer.Argument(help="A record id (feed:hash:row[:slot]).")],
    record_b: Annotated[str, typer.Argument(help="Another record id.")],
    warehouse: WarehouseOption = None,
    model: ModelOption = None,
    show_values: Annotated[
        bool,
        typer.Option("--show-values", help="Also print the compared values (personal data)."),
    ] = False,
) -> None:
    """Why two records are, or are not, the same person: each comparison's level and weight."""
    result = explain(warehouse_path(warehouse), record_a, record_b, model)
    table = Table(title=f"{record_a}  vs  {record_b}")
    headings = ["comparison", "level", "m", "u", "weight"]
    if show_values:
        headings += ["first record", "second record"]
    for heading in headings:
        table.add_column(heading, justify="right" if heading in ("m", "u", "weight") else "left")
    table.add_row("prior", "two random records", "", "", f"{result.prior_weight:.2f}")
    for c in result.comparisons:
        weight = f"{c.weight:.2f}"
        if c.tf_adjustment:
            weight += f" (tf {c.tf_adjustment:+.2f})"
        cells = [c.name, c.level, _number(c.m), _number(c.u, 6), weight]
        if show_values:
            cells += [c.left, c.right]
        table.add_row(*cells)
    table.add_section()
    table.add_row(
        "total", f"probability {result.match_probability:.6f}", "", "", f"{result.match_weight:.2f}"
    )
    console.print(table)
    if result.shared_identifiers:
        console.print(
            "They share a trusted identifier ("
            + ", ".join(result.shared_identifiers)
            + "), which joins them before scoring unless their names or dates contradict."
        )
    if not result.more_than_names:
        console.print("Names alone never link: no date of birth, address or identifier agrees.")
    keys = result.keys
    if keys:
        verdict = "the same person" if result.same_key else "different people"
        console.print(
            f"Last run: {keys.get(record_a) or 'no key'} and {keys.get(record_b) or 'no key'} "
            f"({verdict})."
        )


review_app = typer.Typer(help="Doubtful pairs for a person to decide.", no_args_is_help=True)
linkage_app.add_typer(review_app, name="review")


@review_app.command("list")
def review_list_command(
    warehouse: WarehouseOption = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many pairs.")] = 50,
) -> None:
    """Open pairs in the review band that the last runs left apart, most doubtful first."""
    items = review_queue_list(warehouse_path(warehouse), limit)
    table = Table(title=f"Review queue ({len(items)} shown)")
    for heading in ("record A", "record B", "probability", "weight", "weights", "run"):
        table.add_column(
            heading, justify="right" if heading in ("probability", "weight") else "left"
        )
    for item in items:
        table.add_row(
            item.record_a,
            item.record_b,
            f"{item.match_probability:.4f}",
            f"{item.match_weight:.2f}",
            item.weights,
            item.created_run,
        )
    console.print(table)


@review_app.command("decide")
def review_decide_command(
    record_a: Annotated[str, typer.Argument(help="A record id.")],
    record_b: Annotated[str, typer.Argument(help="Another record id.")],
    same: Annotated[
        bool, typer.Option("--same/--different", help="Same person, or different people.")
    ],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who decided.")],
    reason: Annotated[str, typer.Option("--reason", help="Why.")],
    warehouse: WarehouseOption = None,
) -> None:
    """Record a decision; every later run (also after --retrain) obeys it."""
    decision = review_decide(warehouse_path(warehouse), record_a, record_b, same, reviewer, reason)
    verdict = "the same person" if decision.same_person else "different people"
    console.print(
        f"Recorded: {decision.record_a} and {decision.record_b} are {verdict} "
        f"({decision.reviewer}). Run 'kinlink link' to apply it."
    )


export_app = typer.Typer(help="Export linkage results for partners.", no_args_is_help=True)


@export_app.command("links")
def export_links_command(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    warehouse: WarehouseOption = None,
) -> None:
    """Write feed,file,row_number,slot,person_key for every person slot of every loaded row."""
    result = export_links(warehouse_path(warehouse), out)
    console.print(f"Wrote {result.rows:,} rows to {result.path}")
    if result.without_key:
        console.print(
            f"[yellow]{result.without_key:,} records were loaded after the last linkage run "
            "and have no key yet; run 'kinlink link'.[/]"
        )
