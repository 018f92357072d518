"""``kinlink risk``: train, evaluate, publish, score and review, over the linked warehouse.

The I/O around the pure parts (``features``, ``algorithms``, ``evaluation``,
``metrics``): read person keys and families, build datasets, store versions, evaluations,
publications, scores and reviews. Scores are advisory: only a published model scores,
and a model that did not beat its baselines is only published with a recorded override.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from kinlink.core.clock import utc_now
from kinlink.core.errors import KinlinkError
from kinlink.families.tables import MEMBERS as FAMILY_MEMBERS
from kinlink.families.tables import table_exists
from kinlink.linkage.keys import MEMBERS as PERSON_MEMBERS
from kinlink.risk import algorithms
from kinlink.risk.evaluation import (
    cross_validate,
    feature_rates,
    holdout_evaluate,
    pilot_reproduce,
    population_summary,
)
from kinlink.risk.features import Dataset, FeatureBuilder, months_after, people_prepare
from kinlink.risk.loader import definition_fingerprint, model_load
from kinlink.risk.models import FeatureSet, ModelDefinition
from kinlink.risk.tables import (
    EVALUATIONS,
    PUBLICATIONS,
    REVIEWS,
    SCORE_EVIDENCE,
    SCORE_RUNS,
    SCORES,
    VERSIONS,
    tables_create,
)
from kinlink.sources import definitions_load
from kinlink.warehouse.schema import INGEST_BATCH_TABLE, PERSON_RECORD_TABLE
from kinlink.warehouse.store import transaction, warehouse_connect

DECISIONS = ("agree", "disagree", "no_action")


class RiskError(KinlinkError):
    """A risk command that cannot go ahead, and why."""


@dataclass
class Prepared:
    """A model definition with its feature set and the columns its datasets carry."""

    model: ModelDefinition
    features: FeatureSet
    fingerprint: str

    @property
    def columns(self) -> list[str]:
        """The model's features, then the simple rule's feature if it is not one of them."""
        extra = [self.model.evaluation.simple_rule]
        return list(self.model.features) + [c for c in extra if c not in self.model.features]

    @property
    def rule_index(self) -> int:
        return self.columns.index(self.model.evaluation.simple_rule)


def prepare(name_or_path: str | Path, sources_dirs: Iterable[Path] = ()) -> Prepared:
    """Load and check a model definition."""
    model, features = model_load(name_or_path, sources_dirs=sources_dirs)
    return Prepared(model, features, definition_fingerprint(model, features))


def _ready(con: duckdb.DuckDBPyConnection) -> None:
    if not table_exists(con, PERSON_MEMBERS):
        raise RiskError("no person keys yet: run 'kinlink link' first")
    if not table_exists(con, FAMILY_MEMBERS):
        raise RiskError("no families yet: run 'kinlink families build' first")


def build_dataset(
    con: duckdb.DuckDBPyConnection,
    prepared: Prepared,
    dates: Sequence[date],
    *,
    with_labels: bool,
    sources_dirs: Iterable[Path] = (),
) -> Dataset:
    """Population, features (and labels) at each date; temp tables stay for evidence."""
    _ready(con)
    model = prepared.model
    people_prepare(con)
    builder = FeatureBuilder(con, definitions_load(sources_dirs))
    if with_labels:
        reach = builder.label_reach(model.label)
        late = [
            d for d in dates if reach is None or months_after(d, model.label.horizon_months) > reach
        ]
        if late:
            raise RiskError(
                f"the label's feeds reach {reach}: a {model.label.horizon_months}-month label "
                f"after {', '.join(d.isoformat() for d in late)} cannot be known yet"
            )
    builder.population(model.population, model.label, dates)
    builder.features([prepared.features.feature(n) for n in prepared.columns])
    if with_labels:
        builder.labels(model.label)
    builder.groups()
    return builder.dataset(prepared.columns, with_labels=with_labels)


def data_fingerprint(data: Dataset) -> str:
    """SHA-256 (first 16 hex) of the rows a model learnt from: keys, features and labels."""
    text = json.dumps(
        [
            [k, d.isoformat(), v, y]
            for (k, d), v, y in zip(data.keys, data.values, data.labels, strict=True)
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def input_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """The ingest batches the warehouse holds: what any dataset was built from."""
    batches = [r[0] for r in con.execute(
        f"SELECT batch_id FROM {INGEST_BATCH_TABLE} ORDER BY batch_id").fetchall()]  # fmt: skip
    return hashlib.sha256(json.dumps(batches).encode()).hexdigest()[:16]


def _split(data: Dataset, columns: int) -> tuple[list[list[int]], list[int]]:
    return [v[:columns] for v in data.values], [int(y or 0) for y in data.labels]


# -- train ---------------------------------------------------------------------------------


@dataclass
class TrainSummary:
    """What ``risk train`` stored."""

    model: str
    version: int
    rows: int
    positives: int
    data_fingerprint: str
    definition_fingerprint: str
    params: dict[str, Any]
    seconds: float = 0.0


def _next_version(con: duckdb.DuckDBPyConnection, model: str) -> int:
    found = con.execute(f"SELECT max(version) FROM {VERSIONS} WHERE model = ?", [model]).fetchone()
    return int(found[0]) + 1 if found and found[0] is not None else 1


def risk_train(
    warehouse: Path, name_or_path: str | Path, *, sources_dirs: Iterable[Path] = ()
) -> TrainSummary:
    """Fit the model on its training as-of dates and store a new version."""
    started = time.perf_counter()
    prepared = prepare(name_or_path, sources_dirs)
    model = prepared.model
    con = warehouse_connect(warehouse)
    try:
        data = build_dataset(
            con, prepared, model.evaluation.train_as_of, with_labels=True, sources_dirs=sources_dirs
        )
        values, labels = _split(data, len(model.features))
        params = algorithms.fit(
            model.algorithm, values, labels, list(model.features), model.evaluation.seed
        )
        tables_create(con)
        with transaction(con):
            version = _next_version(con, model.model)
            fingerprint = data_fingerprint(data)
            con.execute(
                f"INSERT INTO {VERSIONS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    model.model, version, model.version, prepared.fingerprint,
                    model.model_dump_json(), prepared.features.model_dump_json(),
                    params["kind"], json.dumps(params), list(model.evaluation.train_as_of),
                    len(labels), sum(labels), fingerprint, input_fingerprint(con), utc_now(),
                ],
            )  # fmt: skip
    finally:
        con.close()
    return TrainSummary(
        model.model, version, len(labels), sum(labels), fingerprint, prepared.fingerprint, params,
        round(time.perf_counter() - started, 2),
    )  # fmt: skip


def _latest_version(
    con: duckdb.DuckDBPyConnection, prepared: Prepared
) -> tuple[int, dict[str, Any], str]:
    tables_create(con)
    found = con.execute(
        f"SELECT version, params_json, data_fingerprint FROM {VERSIONS} "
        "WHERE model = ? AND definition_fingerprint = ? ORDER BY version DESC LIMIT 1",
        [prepared.model.model, prepared.fingerprint],
    ).fetchone()
    if found is None:
        raise RiskError(
            f"no trained version of {prepared.model.model} with this definition: "
            f"run 'kinlink risk train {prepared.model.model}' first"
        )
    return int(found[0]), json.loads(found[1]), str(found[2])


# -- evaluate ------------------------------------------------------------------------------


def evaluation_build(
    con: duckdb.DuckDBPyConnection,
    prepared: Prepared,
    params: dict[str, Any],
    *,
    sources_dirs: Iterable[Path] = (),
) -> tuple[dict[str, Any], Dataset, Dataset]:
    """Cross-validation and temporal hold-out figures of a fitted model (no storage)."""
    model = prepared.model
    ev = model.evaluation
    data = build_dataset(
        con, prepared, [*ev.train_as_of, ev.holdout_as_of], with_labels=True,
        sources_dirs=sources_dirs,
    )  # fmt: skip
    train, holdout = Dataset(data.feature_names), Dataset(data.feature_names)
    for i, (key, as_of) in enumerate(data.keys):
        part = holdout if as_of == ev.holdout_as_of else train
        part.keys.append((key, as_of))
        part.values.append(data.values[i])
        part.labels.append(data.labels[i])
        part.groups.append(data.groups[i])
    persons = [k for k, _ in train.keys]
    cv = cross_validate(model, train, prepared.rule_index, persons)
    held = holdout_evaluate(model, train, holdout, params, prepared.rule_index)
    report = {
        "model": model.model,
        "title": model.title,
        "definition_version": model.version,
        "definition_fingerprint": prepared.fingerprint,
        "population": model.population.description,
        "label": model.label.description,
        "features": [
            {
                "name": n,
                "title": prepared.features.feature(n).title,
                "level": prepared.features.feature(n).level,
            }
            for n in model.features
        ],  # fmt: skip
        "simple_rule": ev.simple_rule,
        "algorithm": model.algorithm.model_dump(mode="json"),
        "training": population_summary(train),
        "holdout_population": population_summary(holdout),
        "feature_rates": feature_rates(train),
        "cross_validation": cv,
        "holdout": held,
        "verdict": held["verdict"],
        "params": params,
        # What practitioners decided on earlier versions' scores: a high override rate is
        # evidence against the model that the figures above cannot show.
        "human_review": review_rows(con, model.model),
    }
    return report, train, holdout


@dataclass
class EvaluationSummary:
    """What ``risk evaluate`` found and where it wrote the report."""

    evaluation_id: str
    model: str
    version: int
    report: dict[str, Any]
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def risk_evaluate(
    warehouse: Path,
    name_or_path: str | Path,
    *,
    out: Path | None = None,
    sources_dirs: Iterable[Path] = (),
) -> EvaluationSummary:
    """Evaluate the latest trained version; store the evaluation; write HTML and JSON."""
    from kinlink.risk.report import report_write

    started = time.perf_counter()
    prepared = prepare(name_or_path, sources_dirs)
    con = warehouse_connect(warehouse)
    try:
        version, params, trained_on = _latest_version(con, prepared)
        report, train, _ = evaluation_build(con, prepared, params, sources_dirs=sources_dirs)
        now_fingerprint = data_fingerprint(train)
        report["version"] = version
        report["data_fingerprint"] = trained_on
        report["data_unchanged_since_training"] = now_fingerprint == trained_on
        evaluated_at = utc_now()
        evaluation_id = f"rkeval-{evaluated_at:%Y%m%dT%H%M%S%f}"
        report["evaluation_id"] = evaluation_id
        seconds = round(time.perf_counter() - started, 2)
        report["seconds"] = seconds
        with transaction(con):
            con.execute(
                f"INSERT INTO {EVALUATIONS} VALUES (?, ?, ?, ?, ?, ?, ?)",
                [evaluation_id, prepared.model.model, version, report["verdict"]["fit_for_use"],
                 report["verdict"]["status"], json.dumps(report), evaluated_at],
            )  # fmt: skip
    finally:
        con.close()
    files = report_write(report, prepared.model, out) if out else []
    return EvaluationSummary(evaluation_id, prepared.model.model, version, report, files, seconds)


# -- publish -------------------------------------------------------------------------------


@dataclass
class Publication:
    """A version allowed into (advisory) use."""

    model: str
    version: int
    evaluation_id: str
    fit_for_use: bool
    override: bool


def risk_publish(
    warehouse: Path,
    model: str,
    *,
    published_by: str,
    override_reason: str | None = None,
) -> Publication:
    """Publish the latest evaluated version: refused when it is not fit, unless overridden."""
    if not published_by.strip():
        raise RiskError("a publication names who publishes it (--by)")
    con = warehouse_connect(warehouse)
    try:
        tables_create(con)
        found = con.execute(
            f"""SELECT e.evaluation_id, e.version, e.fit_for_use FROM {EVALUATIONS} e
            WHERE e.model = ? AND e.version = (SELECT max(version) FROM {VERSIONS} WHERE model = ?)
            ORDER BY e.evaluated_at DESC LIMIT 1""",
            [model, model],
        ).fetchone()
        if found is None:
            raise RiskError(
                f"{model}: the latest version has no evaluation: run 'kinlink risk evaluate "
                f"{model}' first"
            )
        evaluation_id, version, fit = str(found[0]), int(found[1]), bool(found[2])
        override = not fit
        if override and not (override_reason and override_reason.strip()):
            raise RiskError(
                f"{model} v{version} is not fit for use (it did not beat its baselines): it "
                "can only be published with an explicit override (--override-reason, naming "
                "why, recorded with --by)"
            )
        with transaction(con):
            con.execute(
                f"UPDATE {PUBLICATIONS} SET withdrawn_at = ? "
                "WHERE model = ? AND withdrawn_at IS NULL",
                [utc_now(), model],
            )
            con.execute(
                f"INSERT INTO {PUBLICATIONS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                [model, version, evaluation_id, published_by, utc_now(), fit, override,
                 published_by if override else None, override_reason if override else None],
            )  # fmt: skip
    finally:
        con.close()
    return Publication(model, version, evaluation_id, fit, override)


# -- score ---------------------------------------------------------------------------------


@dataclass
class ScoreSummary:
    """What ``risk score`` wrote."""

    score_run_id: str
    model: str
    version: int
    as_of: date
    people: int
    flagged: int
    seconds: float = 0.0


def _published(con: duckdb.DuckDBPyConnection, model: str) -> tuple[int, dict[str, Any], str]:
    found = con.execute(
        f"""SELECT v.version, v.params_json, v.definition_json FROM {PUBLICATIONS} p
        JOIN {VERSIONS} v USING (model, version)
        WHERE p.model = ? AND p.withdrawn_at IS NULL ORDER BY p.published_at DESC LIMIT 1""",
        [model],
    ).fetchone()
    if found is None:
        raise RiskError(
            f"{model} has no published version: only a published model scores people "
            f"('kinlink risk publish {model}')"
        )
    return int(found[0]), json.loads(found[1]), str(found[2])


def risk_score(
    warehouse: Path,
    name_or_path: str | Path,
    *,
    as_of: date,
    sources_dirs: Iterable[Path] = (),
) -> ScoreSummary:
    """Advisory scores of the published version for everyone in the population at ``as_of``."""
    started = time.perf_counter()
    prepared = prepare(name_or_path, sources_dirs)
    model = prepared.model.model
    con = warehouse_connect(warehouse)
    try:
        tables_create(con)
        version, params, definition_json = _published(con, model)
        stored = ModelDefinition.model_validate_json(definition_json)
        published = Prepared(stored, prepared.features, prepared.fingerprint)
        data = build_dataset(con, published, [as_of], with_labels=False, sources_dirs=sources_dirs)
        scored_at = utc_now()
        run_id = f"rkscore-{scored_at:%Y%m%dT%H%M%S%f}"
        rows = []
        n_features = len(stored.features)
        for (key, day), values in zip(data.keys, data.values, strict=True):
            mine = dict(zip(stored.features, values[:n_features], strict=True))
            explanation = algorithms.explain(params, mine)
            value = explanation["score"]
            rows.append((
                f"{run_id}:{key}", run_id, model, version, key, day, value,
                algorithms.flagged(params, value), [n for n, v in mine.items() if v],
                json.dumps(explanation), True,
            ))  # fmt: skip
        flagged = sum(1 for r in rows if r[7])
        with transaction(con):
            con.execute(
                f"INSERT INTO {SCORE_RUNS} VALUES (?, ?, ?, ?, ?, ?, ?)",
                [run_id, model, version, as_of, len(rows), flagged, scored_at],
            )
            if rows:
                con.executemany(
                    f"INSERT INTO {SCORES} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
                )
            con.execute(
                f"""INSERT INTO {SCORE_EVIDENCE}
                SELECT ? || ':' || e.person_key, e.feature, e.record_id, e.event_date, r.feed,
                       r.file_name, r.row_number, r.slot
                FROM _rk_evidence e JOIN {PERSON_RECORD_TABLE} r USING (record_id)
                WHERE list_contains(?, e.feature)""",
                [run_id, list(stored.features)],
            )
    finally:
        con.close()
    return ScoreSummary(
        run_id, model, version, as_of, len(rows), flagged, round(time.perf_counter() - started, 2)
    )


def score_explain(warehouse: Path, score_id: str) -> dict[str, Any]:
    """One stored score: the path or factors behind it, each with its source rows."""
    con = warehouse_connect(warehouse, read_only=True)
    try:
        found = con.execute(
            f"SELECT score_id, model, version, person_key, as_of, score, flagged, features, "
            f"explanation_json FROM {SCORES} WHERE score_id = ?",
            [score_id],
        ).fetchone()
        if found is None:
            raise RiskError(f"no score {score_id!r}")
        evidence = con.execute(
            f"SELECT feature, record_id, event_date, feed, file_name, row_number, slot "
            f"FROM {SCORE_EVIDENCE} WHERE score_id = ? ORDER BY feature, event_date, record_id",
            [score_id],
        ).fetchall()
        reviews = con.execute(
            f"SELECT reviewer, decision, reason, reviewed_at FROM {REVIEWS} WHERE score_id = ? "
            "ORDER BY reviewed_at",
            [score_id],
        ).fetchall()
    finally:
        con.close()
    explanation = json.loads(found[8])
    by_feature: dict[str, list[dict[str, Any]]] = {}
    for feature, record_id, event_date, feed, file_name, row_number, slot in evidence:
        by_feature.setdefault(feature, []).append(
            {"record_id": record_id, "event_date": str(event_date), "feed": feed,
             "file_name": file_name, "row_number": row_number, "slot": slot}
        )  # fmt: skip
    for step in explanation["steps"]:
        if step.get("feature") and step.get("value"):
            step["evidence"] = by_feature.get(step["feature"], [])
    return {
        "score_id": found[0], "model": found[1], "version": found[2], "person_key": found[3],
        "as_of": str(found[4]), "score": found[5], "flagged": found[6], "features": found[7],
        "explanation": explanation, "evidence": by_feature,
        "reviews": [
            {"reviewer": r[0], "decision": r[1], "reason": r[2], "reviewed_at": str(r[3])}
            for r in reviews
        ],
        "advisory": "Advisory only: a practitioner decides, and records the decision and why.",
    }  # fmt: skip


# -- review --------------------------------------------------------------------------------


def risk_review(
    warehouse: Path, score_id: str, *, reviewer: str, decision: str, reason: str
) -> str:
    """Record a practitioner's decision on a score; returns the review id."""
    if decision not in DECISIONS:
        raise RiskError(f"decision must be one of {', '.join(DECISIONS)}")
    if not reviewer.strip() or not reason.strip():
        raise RiskError("a review names the reviewer and gives a reason")
    con = warehouse_connect(warehouse)
    try:
        tables_create(con)
        found = con.execute(
            f"SELECT model, version FROM {SCORES} WHERE score_id = ?", [score_id]
        ).fetchone()
        if found is None:
            raise RiskError(f"no score {score_id!r}")
        now = utc_now()
        review_id = f"rkrev-{now:%Y%m%dT%H%M%S%f}"
        con.execute(
            f"INSERT INTO {REVIEWS} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [review_id, score_id, found[0], found[1], reviewer, decision, reason, now],
        )
    finally:
        con.close()
    return review_id


def review_summary(warehouse: Path, model: str | None = None) -> list[dict[str, Any]]:
    """Per model version: scores, flagged, reviewed, decisions and the override rate.

    The override rate is the share of reviewed scores where the reviewer disagreed: a high
    rate says practitioners do not trust the model, and it should be looked at again.
    """
    con = warehouse_connect(warehouse, read_only=True)
    try:
        return review_rows(con, model)
    finally:
        con.close()


def review_rows(con: duckdb.DuckDBPyConnection, model: str | None = None) -> list[dict[str, Any]]:
    """``review_summary`` on an open connection (evaluation reads it too)."""
    if not table_exists(con, SCORES):
        return []
    rows = con.execute(
        f"""WITH latest AS (
                SELECT * FROM {REVIEWS}
                QUALIFY row_number() OVER (PARTITION BY score_id ORDER BY reviewed_at DESC) = 1
            )
            SELECT s.model, s.version, count(*) AS scores,
                   count(*) FILTER (WHERE s.flagged) AS flagged,
                   count(r.score_id) AS reviewed,
                   count(*) FILTER (WHERE r.decision = 'agree') AS agree,
                   count(*) FILTER (WHERE r.decision = 'disagree') AS disagree,
                   count(*) FILTER (WHERE r.decision = 'no_action') AS no_action,
                   count(*) FILTER (WHERE s.flagged AND r.score_id IS NULL) AS flagged_unreviewed
            FROM {SCORES} s LEFT JOIN latest r USING (score_id)
            WHERE ? IS NULL OR s.model = ?
            GROUP BY s.model, s.version ORDER BY s.model, s.version""",
        [model, model],
    ).fetchall()
    out = []
    for m, v, scores, flagged, reviewed, agree, disagree, no_action, pending in rows:
        out.append(
            {"model": m, "version": v, "scores": scores, "flagged": flagged,
             "reviewed": reviewed, "agree": agree, "disagree": disagree,
             "no_action": no_action, "flagged_unreviewed": pending,
             "override_rate": round(disagree / reviewed, 4) if reviewed else None}
        )  # fmt: skip
    return out


def registry_list(warehouse: Path) -> list[dict[str, Any]]:
    """Every stored version with its latest evaluation and publication state."""
    con = warehouse_connect(warehouse, read_only=True)
    try:
        if not table_exists(con, VERSIONS):
            return []
        rows = con.execute(
            f"""SELECT v.model, v.version, v.definition_version, v.algorithm, v.training_rows,
                   v.training_positives, v.data_fingerprint, v.trained_at,
                   (SELECT e.status FROM {EVALUATIONS} e WHERE e.model = v.model
                    AND e.version = v.version ORDER BY e.evaluated_at DESC LIMIT 1) AS status,
                   (SELECT CASE WHEN p.override THEN 'published (override)' ELSE 'published' END
                    FROM {PUBLICATIONS} p WHERE p.model = v.model AND p.version = v.version
                    AND p.withdrawn_at IS NULL LIMIT 1) AS published
            FROM {VERSIONS} v ORDER BY v.model, v.version"""
        ).fetchall()
    finally:
        con.close()
    keys = (
        "model", "version", "definition_version", "algorithm", "training_rows",
        "training_positives", "data_fingerprint", "trained_at", "evaluation", "published",
    )  # fmt: skip
    return [dict(zip(keys, r, strict=True)) for r in rows]


def risk_pilot(
    warehouse: Path,
    name_or_path: str | Path,
    *,
    sample: int = 541,
    positives: int = 217,
    holdout: int = 82,
    seed: int = 42,
    sources_dirs: Iterable[Path] = (),
) -> dict[str, Any]:
    """The seed pilot's design (541 people, 217 positive, 82 held out) on this warehouse."""
    prepared = prepare(name_or_path, sources_dirs)
    ev = prepared.model.evaluation
    con = warehouse_connect(warehouse, read_only=False)
    try:
        data = build_dataset(
            con, prepared, [*ev.train_as_of, ev.holdout_as_of], with_labels=True,
            sources_dirs=sources_dirs,
        )  # fmt: skip
    finally:
        con.close()
    try:
        result = pilot_reproduce(
            prepared.model, data, sample=sample, positives=positives, holdout=holdout, seed=seed
        )
    except ValueError as exc:
        raise RiskError(str(exc)) from exc
    result["model"] = prepared.model.model
    return result
