"""``kinlink risk``: advisory risk models, evaluated honestly and reviewed by people."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kinlink.cli.options import WarehouseOption, warehouse_path
from kinlink.cli.output import console, report_json_emit
from kinlink.core.errors import InputError
from kinlink.risk.loader import builtin_models
from kinlink.risk.services import (
    DECISIONS,
    prepare,
    registry_list,
    review_summary,
    risk_evaluate,
    risk_pilot,
    risk_publish,
    risk_review,
    risk_score,
    risk_train,
    score_explain,
)

app = typer.Typer(
    help="Advisory risk models: train, evaluate against baselines, publish, score, review.",
    no_args_is_help=True,
)

ModelArgument = Annotated[str, typer.Argument(help="A shipped model name or a model YAML file.")]
SourcesOption = Annotated[
    list[Path] | None,
    typer.Option("--sources", help="Folder of extra source definitions (repeatable)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(option, "expected a date as YYYY-MM-DD") from exc


@app.command("models")
def models(warehouse: WarehouseOption = None) -> None:
    """Shipped model definitions and the versions in the registry."""
    table = Table(title="Model definitions")
    for heading in ("model", "version", "title", "features"):
        table.add_column(heading)
    for name in builtin_models():
        p = prepare(name)
        table.add_row(name, p.model.version, p.model.title, str(len(p.model.features)))
    console.print(table)
    path = warehouse_path(warehouse)
    if path.exists():
        registry = Table(title="Registry")
        for heading in ("model", "version", "rows", "positives", "data", "evaluation", "published"):
            registry.add_column(heading)
        for r in registry_list(path):
            registry.add_row(
                r["model"], str(r["version"]), str(r["training_rows"]),
                str(r["training_positives"]), r["data_fingerprint"], r["evaluation"] or "-",
                r["published"] or "-",
            )  # fmt: skip
        console.print(registry)


@app.command("train")
def train(
    model: ModelArgument, warehouse: WarehouseOption = None, sources: SourcesOption = None
) -> None:
    """Fit the model on its training as-of dates and store a new version (JSON, no pickle)."""
    summary = risk_train(warehouse_path(warehouse), model, sources_dirs=sources or [])
    console.print(
        f"[bold]{summary.model}[/] version {summary.version}: {summary.rows:,} rows, "
        f"{summary.positives:,} positive; data fingerprint {summary.data_fingerprint} "
        f"({summary.seconds} s). Next: 'kinlink risk evaluate {summary.model}'."
    )


@app.command("evaluate")
def evaluate(
    model: ModelArgument,
    out: Annotated[Path, typer.Option(help="Folder for the HTML/JSON report, card and ATRS.")] = (
        Path("risk-reports")
    ),
    warehouse: WarehouseOption = None,
    sources: SourcesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Temporal hold-out and cross-validation against the baselines, with 95% intervals."""
    summary = risk_evaluate(warehouse_path(warehouse), model, out=out, sources_dirs=sources or [])
    report = summary.report
    if report_json_emit(report, out=None, to_console=as_json):
        return
    table = Table(
        title=f"{summary.model} v{summary.version}: hold-out {report['holdout']['as_of']}"
    )
    for heading in ("", "accuracy", "balanced accuracy", "recall", "precision", "AUC"):
        table.add_column(heading)
    for name, f in report["holdout"]["figures"].items():
        table.add_row(name, *(_ci(f[m]) for m in (
            "accuracy", "balanced_accuracy", "recall", "precision", "auc")))  # fmt: skip
    console.print(table)
    verdict = report["verdict"]
    colour = "green" if verdict["fit_for_use"] else "red"
    console.print(f"[bold {colour}]{verdict['statement']}[/]")
    for line in verdict["details"]:
        console.print(f"  {line}")
    for path in summary.files:
        console.print(f"wrote {path}")


def _ci(f: dict[str, float | None]) -> str:
    if f.get("value") is None:
        return "n/a"
    if f.get("low") is None:
        return f"{f['value']:.3f}"
    return f"{f['value']:.3f} ({f['low']:.3f}-{f['high']:.3f})"


@app.command("publish")
def publish(
    model: Annotated[str, typer.Argument(help="Model name.")],
    by: Annotated[str, typer.Option("--by", help="Who publishes (recorded).")],
    override_reason: Annotated[
        str | None,
        typer.Option(help="Why a model that is not fit for use is published anyway (recorded)."),
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """Allow the latest evaluated version to score; refused if not fit, unless overridden."""
    p = risk_publish(
        warehouse_path(warehouse), model, published_by=by, override_reason=override_reason
    )
    note = " [red](override recorded: not fit for use)[/]" if p.override else ""
    console.print(f"published {p.model} v{p.version} (evaluation {p.evaluation_id}){note}")


@app.command("score")
def score(
    model: ModelArgument,
    as_of: Annotated[str, typer.Option("--as-of", help="Score as of this date (YYYY-MM-DD).")],
    warehouse: WarehouseOption = None,
    sources: SourcesOption = None,
) -> None:
    """Advisory scores of the published version, with explanations, for review."""
    summary = risk_score(
        warehouse_path(warehouse), model, as_of=_date(as_of, "--as-of"), sources_dirs=sources or []
    )
    console.print(
        f"{summary.model} v{summary.version} as of {summary.as_of}: {summary.people:,} people "
        f"scored, {summary.flagged:,} flagged for review (run {summary.score_run_id}, "
        f"{summary.seconds} s). Scores are advisory; record each review with 'kinlink risk review'."
    )


@app.command("explain")
def explain(
    score_id: Annotated[str, typer.Argument(help="Score id (from the risk_scores table).")],
    warehouse: WarehouseOption = None,
    as_json: JsonOption = False,
) -> None:
    """The path or factors behind one score, each with its source records."""
    found = score_explain(warehouse_path(warehouse), score_id)
    if report_json_emit(found, out=None, to_console=as_json):
        return
    console.print(
        f"[bold]{found['model']} v{found['version']}[/] as of {found['as_of']}: score "
        f"{found['score']:.3f}" + (" (flagged for review)" if found["flagged"] else "")
    )
    for step in found["explanation"]["steps"]:
        if "leaf" in step:
            console.print(
                f"  -> {step['positives']} of {step['samples']} people with this path in "
                "training had the outcome"
            )
            continue
        answer = "yes" if step["value"] else "no"
        extra = f", contribution {step['contribution']:+.3f}" if "contribution" in step else ""
        console.print(f"  {step['feature']}: {answer}{extra}")
        for e in step.get("evidence", []):
            console.print(
                f"      {e['feed']} {e['file_name']} row {e['row_number']}"
                + (f" slot {e['slot']}" if e["slot"] else "")
                + f" ({e['event_date']})"
            )
    console.print(f"[italic]{found['advisory']}[/]")


@app.command("review")
def review(
    score_id: Annotated[str, typer.Argument(help="Score id.")],
    decision: Annotated[str, typer.Option(help=f"One of: {', '.join(DECISIONS)}.")],
    reason: Annotated[str, typer.Option(help="Why (recorded).")],
    reviewer: Annotated[str, typer.Option(help="Who reviewed (recorded).")],
    warehouse: WarehouseOption = None,
) -> None:
    """Record a practitioner's decision on a score."""
    review_id = risk_review(
        warehouse_path(warehouse), score_id, reviewer=reviewer, decision=decision, reason=reason
    )
    console.print(f"recorded review {review_id}")


@app.command("reviews")
def reviews(
    model: Annotated[str | None, typer.Argument(help="Model name (default: all).")] = None,
    warehouse: WarehouseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Scores, reviews and override rates per model version."""
    rows = review_summary(warehouse_path(warehouse), model)
    if report_json_emit({"reviews": rows}, out=None, to_console=as_json):
        return
    table = Table(title="Reviews and override rates")
    for heading in ("model", "version", "scores", "flagged", "reviewed", "agree", "disagree",
                    "no action", "flagged unreviewed", "override rate"):  # fmt: skip
        table.add_column(heading)
    for r in rows:
        rate = "-" if r["override_rate"] is None else f"{r['override_rate']:.1%}"
        table.add_row(
            r["model"], str(r["version"]), str(r["scores"]), str(r["flagged"]),
            str(r["reviewed"]), str(r["agree"]), str(r["disagree"]), str(r["no_action"]),
            str(r["flagged_unreviewed"]), rate,
        )  # fmt: skip
    console.print(table)


@app.command("pilot")
def pilot(
    model: ModelArgument,
    sample: Annotated[int, typer.Option(help="People in the retrospective sample.")] = 541,
    positives: Annotated[int, typer.Option(help="Positive people in the sample.")] = 217,
    holdout: Annotated[int, typer.Option(help="People held out.")] = 82,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 42,
    out: Annotated[Path | None, typer.Option(help="Also write the JSON here.")] = None,
    warehouse: WarehouseOption = None,
    sources: SourcesOption = None,
    as_json: JsonOption = False,
) -> None:
    """The seed pilot's design on this warehouse, and what a sample that size can show."""
    result = risk_pilot(
        warehouse_path(warehouse), model, sample=sample, positives=positives, holdout=holdout,
        seed=seed, sources_dirs=sources or [],
    )  # fmt: skip
    if out is not None:
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if report_json_emit(result, out=None, to_console=as_json):
        return
    console.print(result["statement"])
    table = Table(title="What a hold-out of each size shows at the observed accuracy")
    for heading in ("hold-out", "accuracy (95% CI)", "excludes the majority guess"):
        table.add_column(heading)
    for r in result["sample_sizes"]:
        table.add_row(str(r["n"]), _ci(r["accuracy"]), "yes" if r["excludes_baseline"] else "no")
    console.print(table)
