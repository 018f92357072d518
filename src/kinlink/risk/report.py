"""The evaluation report (HTML with embedded plots, and JSON), the model card and the
Algorithmic Transparency Recording Standard record, all generated from the definition and
the evaluation so they cannot drift from what was measured.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from kinlink.risk.models import ModelDefinition  # noqa: E402

PREDICTORS = {"model": "model", "majority": "majority class", "simple_rule": "simple rule"}


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def plots(report: dict[str, Any]) -> dict[str, str]:
    """ROC, calibration and error rates by group, as base64 PNGs."""
    held = report["holdout"]
    out: dict[str, str] = {}
    fig, ax = plt.subplots(figsize=(4.2, 4))
    for name, points in held["roc"].items():
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], label=PREDICTORS[name])
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance / majority")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (hold-out)")
    ax.legend(loc="lower right", fontsize=8)
    out["roc"] = _png(fig)
    fig, ax = plt.subplots(figsize=(4.2, 4))
    cal = held["calibration"]
    xs = [c["mean_score"] for c in cal]
    ys = [c["observed"]["value"] or 0 for c in cal]
    lows = [y - (c["observed"]["low"] or 0) for y, c in zip(ys, cal, strict=True)]
    highs = [(c["observed"]["high"] or 0) - y for y, c in zip(ys, cal, strict=True)]
    ax.errorbar(xs, ys, yerr=[lows, highs], fmt="o", capsize=3, label="observed (95% CI)")
    top = max([*xs, *ys, 0.05]) * 1.1
    ax.plot([0, top], [0, top], linestyle=":", color="grey", label="perfect calibration")
    ax.set(xlabel="score", ylabel="observed outcome rate", title="Calibration (hold-out)")
    ax.legend(fontsize=8)
    out["calibration"] = _png(fig)
    groups = held["groups"]
    kinds = list(groups)
    fig, axes = plt.subplots(
        len(kinds),
        1,
        figsize=(6.5, 1.6 * sum(len(groups[k]) for k in kinds) / 3 + 1.5 * len(kinds)),
    )
    for ax, kind in zip(axes if len(kinds) > 1 else [axes], kinds, strict=True):
        rated = [g for g in groups[kind] if not g.get("suppressed")]
        labels = [g["group"] for g in rated]
        fnr = [g["false_negative_rate"]["value"] or 0 for g in rated]
        fpr = [g["false_positive_rate"]["value"] or 0 for g in rated]
        ys_ = range(len(rated))
        ax.barh([y + 0.2 for y in ys_], fnr, height=0.4, label="false negative rate")
        ax.barh([y - 0.2 for y in ys_], fpr, height=0.4, label="false positive rate")
        ax.set_yticks(list(ys_), labels, fontsize=7)
        ax.set_xlim(0, 1)
        ax.set_title(f"error rates by {kind}", fontsize=9)
    (axes[0] if len(kinds) > 1 else axes).legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    out["groups"] = _png(fig)
    return out


def _ci(figure: dict[str, Any] | None) -> str:
    if not figure or figure.get("value") is None:
        return "n/a"
    if figure.get("low") is None:
        return f"{figure['value']:.3f}"
    return f"{figure['value']:.3f} ({figure['low']:.3f}–{figure['high']:.3f})"


def _e(value: Any) -> str:
    return html.escape(str(value))


def _figures_table(figures: dict[str, Any]) -> str:
    metrics = ("accuracy", "balanced_accuracy", "precision", "recall", "auc", "brier_skill")
    head = "".join(f"<th>{m.replace('_', ' ')}</th>" for m in metrics) + "<th>Brier</th>"
    rows = []
    for name, f in figures.items():
        cells = "".join(f"<td>{_ci(f.get(m))}</td>" for m in metrics)
        rows.append(f"<tr><th>{_e(PREDICTORS[name])}</th>{cells}<td>{_e(f.get('brier'))}</td></tr>")
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


def _tree_html(params: dict[str, Any], titles: dict[str, str]) -> str:
    if params.get("kind") != "decision_tree":
        if params.get("kind") == "logistic_regression":
            rows = "".join(
                f"<tr><td>{_e(titles.get(n, n))}</td><td>{c:+.3f}</td></tr>"
                for n, c in sorted(params["coefficients"].items(), key=lambda kv: -abs(kv[1]))
            )
            return f"<table><tr><th>factor</th><th>coefficient</th></tr>{rows}</table>"
        return f"<p>{_e(params)}</p>"
    nodes = {n["id"]: n for n in params["nodes"]}

    def render(i: int) -> str:
        n = nodes[i]
        share = f"{n['positives']} of {n['samples']} ({n['probability']:.1%})"
        if n["feature"] is None:
            return f"<li>leaf: {share}</li>"
        title = _e(titles.get(n["feature"], n["feature"]))
        return (
            f"<li>{title}? <i>{share}</i><ul><li>no<ul>{render(n['if_no'])}</ul></li>"
            f"<li>yes<ul>{render(n['if_yes'])}</ul></li></ul></li>"
        )

    return f"<ul class='tree'>{render(0)}</ul>"


def report_html(report: dict[str, Any], images: dict[str, str]) -> str:
    """The evaluation as a self-contained HTML page."""
    verdict = report["verdict"]
    held = report["holdout"]
    cv = report["cross_validation"]
    titles = {f["name"]: f["title"] for f in report["features"]}
    colour = "#1b5e20" if verdict["fit_for_use"] else "#b71c1c"
    groups_html = []
    for kind, rows in held["groups"].items():
        body = "".join(
            f"<tr><td>{_e(g['group'])}</td><td>{g['n']}</td><td>{g['positives']}</td>"
            + (
                "<td colspan=3>fewer than the minimum group size: not rated</td>"
                if g.get("suppressed")
                else f"<td>{_ci(g['false_positive_rate'])}</td>"
                f"<td>{_ci(g['false_negative_rate'])}</td><td>{_ci(g['flag_rate'])}</td>"
            )
            + "</tr>"
            for g in rows
        )
        groups_html.append(
            f"<h3>{_e(kind)}</h3><table><tr><th>group</th><th>n</th><th>positives</th>"
            f"<th>false positive rate</th><th>false negative rate</th><th>flag rate</th></tr>"
            f"{body}</table>"
        )
    by_date = "".join(
        f"<tr><td>{r['as_of']}</td><td>{r['rows']}</td><td>{r['positives']}</td></tr>"
        for r in report["training"]["by_as_of"] + report["holdout_population"]["by_as_of"]
    )
    cv_html = (
        _figures_table(cv["figures"])
        if cv.get("folds")
        else f"<p>{_e(cv.get('note', 'not run'))}</p>"
    )
    pilot = report.get("pilot")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{_e(report["title"])}: evaluation</title>
<style>body{{font-family:sans-serif;max-width:62em;margin:2em auto;line-height:1.4}}
table{{border-collapse:collapse;margin:.5em 0}}td,th{{border:1px solid #ccc;padding:.2em .5em;
font-size:.9em}}.verdict{{border:3px solid {colour};padding:.5em 1em;color:{colour}}}
.tree ul{{margin:0}}</style></head><body>
<h1>{_e(report["title"])}</h1>
<p>Model <b>{_e(report["model"])}</b> version {_e(report.get("version"))} (definition
{_e(report["definition_version"])}, fingerprint {_e(report["definition_fingerprint"])}; training
data fingerprint {_e(report.get("data_fingerprint"))}). Evaluation {_e(report.get("evaluation_id"))}.</p>
<div class="verdict"><h2>{_e(verdict["status"].upper())}</h2><p>{_e(verdict["statement"])}</p>
<ul>{"".join(f"<li>{_e(line)}</li>" for line in verdict["details"])}</ul></div>
<p><b>Advisory only.</b> Scores never feed eligibility, payment by results or any automated
decision; a practitioner reviews every score and records the decision and the reason.</p>
<h2>What is predicted, for whom</h2>
<p><b>Population:</b> {_e(report["population"])}.<br><b>Label:</b> {_e(report["label"])}.<br>
<b>Features</b> are known on or before the as-of date; the label only counts records strictly
after it.</p>
<table><tr><th>as-of date</th><th>people</th><th>positives</th></tr>{by_date}</table>
<p>The last date is the temporal hold-out: the model never saw it.</p>
<h2>Temporal hold-out ({held["as_of"]}: {held["rows"]} people, {held["positives"]} positive)</h2>
{_figures_table(held["figures"])}
<p>Intervals are 95%: Wilson for accuracy, precision and recall, bootstrap for the rest.
Balanced accuracy is the mean of recall and specificity (0.5 for any constant answer).
Brier skill compares the score with always giving the training prevalence (0 = no better).</p>
<img alt="ROC curve" src="data:image/png;base64,{images["roc"]}">
<img alt="Calibration" src="data:image/png;base64,{images["calibration"]}">
<h2>Cross-validation on the training dates</h2>
<p>{cv.get("folds", 0)} folds, grouped by person, stratified by label.</p>{cv_html}
<h2>The model</h2>{_tree_html(report["params"], titles)}
<p>Flag threshold: score at or above {report["params"].get("threshold", 0):.4f}.</p>
<h2>Error rates by group (hold-out)</h2>
<p>Sex from person records, ethnicity, SEN and free school meals from the school census,
area = postcode district, each as known on the as-of date.</p>
{"".join(groups_html)}
<img alt="Error rates by group" src="data:image/png;base64,{images["groups"]}">
{_pilot_html(pilot) if pilot else ""}
{_review_html(report.get("human_review") or [])}
<h2>Features</h2><table><tr><th>feature</th><th>level</th><th>people (training)</th>
<th>outcome rate with</th><th>without</th></tr>
{"".join(f"<tr><td>{_e(titles.get(r['feature'], r['feature']))}</td><td>{_e(next((f['level'] for f in report['features'] if f['name'] == r['feature']), 'person'))}</td><td>{r['rows']}</td><td>{_e(r['outcome_rate_with'])}</td><td>{_e(r['outcome_rate_without'])}</td></tr>" for r in report["feature_rates"])}
</table></body></html>
"""


def _review_html(rows: list[dict[str, Any]]) -> str:
    """Practitioners' decisions on earlier versions' scores: part of the evidence."""
    if not rows:
        return "<h2>Human review of earlier versions</h2><p>No scores have been reviewed yet.</p>"
    body = "".join(
        f"<tr><td>{r['version']}</td><td>{r['scores']}</td><td>{r['flagged']}</td>"
        f"<td>{r['reviewed']}</td><td>{r['agree']}</td><td>{r['disagree']}</td>"
        f"<td>{r['no_action']}</td><td>{_e(r['override_rate'])}</td></tr>"
        for r in rows
    )
    return (
        "<h2>Human review of earlier versions</h2><p>Override rate = share of reviewed "
        "scores the reviewer disagreed with. A high rate is evidence against the model.</p>"
        "<table><tr><th>version</th><th>scores</th><th>flagged</th><th>reviewed</th>"
        "<th>agree</th><th>disagree</th><th>no action</th><th>override rate</th></tr>"
        f"{body}</table>"
    )


def _pilot_html(pilot: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{r['n']}</td><td>{_ci(r['accuracy'])}</td>"
        f"<td>{'yes' if r['excludes_baseline'] else 'no'}</td></tr>"
        for r in pilot["sample_sizes"]
    )
    return f"""<h2>What a sample this size can show</h2><p>{_e(pilot["statement"])}</p>
<table><tr><th>hold-out size</th><th>accuracy (95% CI) at the observed rate</th>
<th>interval excludes the baseline?</th></tr>{rows}</table>"""


def model_card(report: dict[str, Any], model: ModelDefinition) -> str:
    """A model card (Markdown) from the definition and its evaluation."""
    held = report["holdout"]
    fig = held["figures"]["model"]
    t = model.transparency
    feature_lines = "\n".join(
        f"- `{f['name']}` ({f['level']}): {f['title']}" for f in report["features"]
    )
    return (
        f"""# Model card: {model.title}

- **Model**: `{model.model}` version {report.get("version")} (definition {model.version}, fingerprint `{report["definition_fingerprint"]}`)
- **Owner**: {t.owner}
- **Status**: {report["verdict"]["status"]}
- **Evaluation**: {report.get("evaluation_id")}, training data fingerprint `{report.get("data_fingerprint")}`

## Intended use
{t.purpose.strip()}

Users: {t.intended_users}. Decision supported: {t.decision_supported}.

**Not for**: {t.not_for}

## Human oversight
{t.human_oversight.strip()}

## Population and label
- Population: {model.population.description}.
- Label: {model.label.description}.
- Features use records dated on or before the as-of date only; the label only records after it.

## Features
{feature_lines}

## Algorithm
{model.algorithm.kind.replace("_", " ")}, max depth {model.algorithm.max_depth}, minimum {model.algorithm.min_samples_leaf} people per leaf; flag threshold {report["params"].get("threshold", 0):.4f}. Stored as JSON (no pickles): every score can be recomputed from the registry.

## Performance (temporal hold-out {held["as_of"]}, {held["rows"]} people, {held["positives"]} positive)
| figure | model | majority class | simple rule (`{model.evaluation.simple_rule}`) |
|---|---|---|---|
"""
        + "\n".join(
            f"| {m.replace('_', ' ')} | {_ci(fig.get(m))} | "
            f"{_ci(held['figures']['majority'].get(m))} | {_ci(held['figures']['simple_rule'].get(m))} |"
            for m in ("accuracy", "balanced_accuracy", "precision", "recall", "auc", "brier_skill")
        )
        + f"""

{report["verdict"]["statement"]}

{chr(10).join("- " + line for line in report["verdict"]["details"])}

## Fairness
Error rates by sex, ethnicity, SEN, free school meals and area are in the evaluation report;
groups with fewer than {model.evaluation.min_group_size} people are not rated.

## Limitations
- Trained on administrative records: it learns who was *recorded*, not who was at risk.
  Groups more visible to services look riskier.
- Small numbers of positives give wide intervals; see the report before relying on any figure.
- Family membership is as the latest families run sees it.
- DPIA: {t.dpia_reference}.
"""
    )


def atrs_record(report: dict[str, Any], model: ModelDefinition, tier: int) -> str:
    """An Algorithmic Transparency Recording Standard record (Markdown), tier 1 or 2."""
    t = model.transparency
    tier1 = f"""# Algorithmic Transparency Recording Standard: tier 1
## {model.title}
- **Organisation and team**: {t.owner}
- **What the tool is for**: {t.purpose.strip()}
- **How it works, briefly**: a {model.algorithm.kind.replace("_", " ")} over {len(model.features)} yes/no factors drawn from partner records; it produces an advisory score which a practitioner reviews.
- **Why it is used**: to support, never replace, a practitioner's judgement about {t.decision_supported.lower()}.
- **Human decision**: {t.human_oversight.strip()}
- **Status**: {report["verdict"]["status"]} (evaluation {report.get("evaluation_id")}).
- **Contact**: {t.contact or t.owner}
"""
    if tier == 1:
        return tier1
    held = report["holdout"]
    features = "\n".join(f"  - {f['title']} ({f['level']})" for f in report["features"])
    return (
        tier1.replace("tier 1", "tier 2", 1)
        + f"""
## Owner and responsibility
- Senior responsible owner: {t.owner}
- External supplier: none (open-source Kinlink).

## Description and rationale
- Scope: {model.population.description}.
- Outcome predicted: {model.label.description}.
- Benefits hoped for: earlier, voluntary support offered by a practitioner.
- Alternatives considered: the majority-class baseline and the simple rule "{model.evaluation.simple_rule}", both reported next to the model.

## Decision-making process
- Process integration: scores are written to an advisory table; nothing downstream (eligibility, claims, returns) reads them.
- Human oversight: every score is reviewed; agree / disagree / no action and a reason are recorded; override rates are reported per model.
- Appeals and review: a person can challenge a score through the council's usual routes; links and records behind it are shown with the score.

## Tool specification
- Type: {model.algorithm.kind.replace("_", " ")} (max depth {model.algorithm.max_depth}).
- Data: linked partner records up to the as-of date:
{features}
- Training: as-of dates {", ".join(d.isoformat() for d in model.evaluation.train_as_of)}; temporal hold-out {held["as_of"]} ({held["rows"]} people, {held["positives"]} positive).
- Performance: see the model card and evaluation report; {report["verdict"]["statement"]}

## Risks, mitigations and impact assessments
- Data protection impact assessment: {t.dpia_reference}.
- Bias: error rates by sex, ethnicity, SEN, free school meals and area are published with each evaluation.
- Automation bias: the score is shown with the factors and source records that produced it; it never triggers action by itself.
- Not for: {t.not_for}
"""
    )


def report_write(report: dict[str, Any], model: ModelDefinition, out: Path) -> list[Path]:
    """Write the report (JSON, HTML), model card and ATRS records into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{model.model}-v{report.get('version')}"
    files = {
        out / f"{stem}-evaluation.json": json.dumps(report, indent=2, default=str) + "\n",
        out / f"{stem}-evaluation.html": report_html(report, plots(report)),
        out / f"{stem}-model-card.md": model_card(report, model),
        out / f"{stem}-atrs-tier1.md": atrs_record(report, model, 1),
        out / f"{stem}-atrs-tier2.md": atrs_record(report, model, 2),
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)
