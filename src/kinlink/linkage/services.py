"""Linkage services: what the CLI (and later the portal) call.

``linkage_run`` is one run end to end: prepare records, pre-collapse on trusted ids, train
the model when there is none (or when asked), score candidate pairs, cluster without
chaining, and map clusters onto stable person keys. Only the last step writes to the
warehouse, in one transaction, so a failed run leaves the previous keys untouched.
Reviewers' decisions are applied in every run; doubtful pairs go to the review queue.
``linkage_run(..., incremental=True)`` scores only records no key holds yet. Training and
scoring run on the backend ``LinkageConfig.backend`` names (DuckDB, or Spark at scale);
every other step, and everything written, is the same for both.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.compute as pc

from kinlink.core.clock import utc_now
from kinlink.core.errors import KinlinkError
from kinlink.linkage.backends import backend_open, spill_directory
from kinlink.linkage.clustering import cluster_entities, guards_yielding
from kinlink.linkage.evaluation import EvaluationReport, evaluate
from kinlink.linkage.explain import TF_COLUMNS, TF_TABLE, Explanation, explain_pair
from kinlink.linkage.export import LinksExport, links_export
from kinlink.linkage.incremental import (
    cluster_incrementally,
    new_entity_edges,
    new_records_count,
)
from kinlink.linkage.keys import MEMBERS, RUNS, keys_assign, tables_create
from kinlink.linkage.models import (
    MODEL_NAME,
    MODEL_VERSION,
    ClusterStats,
    LinkageConfig,
    RunSummary,
)
from kinlink.linkage.precollapse import VARIANTS, entities_build, records_build
from kinlink.linkage.predict import entity_edges
from kinlink.linkage.review import (
    Decision,
    ReviewItem,
    decide,
    decisions_for_run,
    queue_list,
    queue_refresh,
    review_tables_create,
)
from kinlink.linkage.training import (
    model_load,
    model_save,
    model_train,
    splink_settings,
)
from kinlink.warehouse import transaction, warehouse_connect

#: Called as ``progress(stage, step, steps)`` as each stage starts.
Progress = Callable[[str, int, int], None]

__all__ = [
    "EvaluationReport",
    "Explanation",
    "LevelRow",
    "LinksExport",
    "ModelView",
    "NothingToLink",
    "Decision",
    "ReviewItem",
    "evaluate",
    "explain",
    "export_links",
    "linkage_run",
    "model_show",
    "review_decide",
    "review_queue_list",
    "summary_dict",
]

STAGES = ("prepare records", "pre-collapse", "train model", "score pairs", "cluster", "keys")


class NothingToLink(KinlinkError):
    """The warehouse holds no person records yet."""


def _term_frequencies_save(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the run's term frequencies, so explanations score exactly as the run did."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {TF_TABLE} (column_name VARCHAR, value VARCHAR, tf DOUBLE)"
    )
    con.execute(f"DELETE FROM {TF_TABLE}")
    for column in TF_COLUMNS:
        con.execute(
            f"""
            INSERT INTO {TF_TABLE}
            SELECT '{column}', {column},
                   CAST(count(*) AS DOUBLE)
                   / (SELECT count({column}) FROM {VARIANTS})
            FROM {VARIANTS} WHERE {column} IS NOT NULL GROUP BY {column}
            """
        )


def _incremental_possible(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether there are keys to link against and no decision taken since the last run
    (a decision may split or join existing people: that needs a full run)."""
    tables_create(con)
    review_tables_create(con)
    row = con.execute(
        f"""
        SELECT (SELECT count(*) FROM {MEMBERS}) > 0
           AND NOT EXISTS (
               SELECT 1 FROM linkage_review_decisions
               WHERE decided_at > (SELECT max(finished_at) FROM {RUNS}))
        """
    ).fetchall()
    return bool(row and row[0][0])


def linkage_run(
    warehouse: Path,
    config: LinkageConfig | None = None,
    progress: Progress | None = None,
    incremental: bool = False,
) -> RunSummary:
    """Link every person record in ``warehouse`` into people with stable keys.

    ``incremental`` scores only the records no key holds yet against the existing people
    with the saved model (a full run is done instead when there are no keys yet or a
    review decision was taken since the last run).
    """
    config = config or LinkageConfig()
    started = utc_now()
    run_id = f"run-{started:%Y%m%dT%H%M%S%f}"
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def stage(index: int) -> None:
        nonlocal clock
        now = time.perf_counter()
        if index > 0:
            seconds[STAGES[index - 1]] = round(now - clock, 2)
        clock = now
        if progress is not None and index < len(STAGES):
            progress(STAGES[index], index, len(STAGES))

    con = warehouse_connect(warehouse)
    try:
        con.execute(f"SET memory_limit = '{config.warehouse_memory_limit}'")
        con.execute(f"SET temp_directory = '{spill_directory()}'")
        stage(0)
        if records_build(con) == 0:
            raise NothingToLink(f"{warehouse.name}: no person records; run 'kinlink ingest' first")
        by_feed = {
            str(f): int(n)
            for f, n in con.execute(
                "SELECT feed, count(*) FROM _lk_records GROUP BY feed ORDER BY feed"
            ).fetchall()
        }
        stage(1)
        pre = entities_build(con, config)
        variants = con.sql(f"SELECT * FROM {VARIANTS} ORDER BY unique_id").to_arrow_table()
        must, cannot, within = decisions_for_run(con)
        incremental = (
            incremental
            and config.model_path.exists()
            and not config.retrain
            and _incremental_possible(con)
        )
        stage(2)
        trained = not incremental and (config.retrain or not config.model_path.exists())
        with backend_open(config) as backend:
            if trained:
                model_save(model_train(variants, config, backend), config.model_path)
            document = model_load(config.model_path)
            settings = splink_settings(document, backend.dialect)
            stage(3)
            new_records = new_records_count(con) if incremental else pre.records
            if incremental:
                del variants
                edges, scored = new_entity_edges(con, settings, config, backend)
            else:
                edges, scored = entity_edges(variants, settings, config, backend)
                del variants
        stage(4)
        yielding = guards_yielding(settings)
        cluster_stats = ClusterStats(
            pairs_above_threshold=scored,
            must_links=len(must),
            cannot_links=len(cannot),
            cannot_within_entity=within,
            guards_yielding=tuple(sorted(yielding)),
        )
        if incremental:
            cluster_incrementally(con, edges, config, cluster_stats, must, cannot, yielding)
        else:
            links = edges.filter(pc.greater_equal(edges["p"], config.threshold))
            cluster_entities(
                con,
                links,
                config.conflict_ids,
                cluster_stats,
                forced=must,
                cannot=cannot,
                profiled=[e for pair in must for e in pair],
                yielding=yielding,
            )
        stage(5)
        with transaction(con):
            tables_create(con)
            key_stats = keys_assign(con, run_id)
            cluster_stats.review_queued = queue_refresh(
                con,
                edges,
                config.review_low,
                config.review_high,
                run_id,
                replace=not incremental,
            )
            del edges
            _term_frequencies_save(con)
            summary = RunSummary(
                run_id=run_id,
                trained=trained,
                model_path=config.model_path,
                threshold=config.threshold,
                precollapse=pre,
                clusters=cluster_stats,
                keys=key_stats,
                seconds=seconds,
                records_by_feed=by_feed,
                incremental=incremental,
                new_records=new_records,
            )
            stage(6)
            con.execute(
                f"INSERT INTO {RUNS} VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    started,
                    utc_now(),
                    f"{MODEL_NAME}-v{MODEL_VERSION}",
                    trained,
                    json.dumps(config.as_dict()),
                    json.dumps(summary_dict(summary)),
                ],
            )
    finally:
        con.close()
    return summary


def summary_dict(summary: RunSummary) -> dict[str, object]:
    """A JSON-ready run summary (counts only, never personal data)."""
    return {
        "run_id": summary.run_id,
        "trained": summary.trained,
        "model": str(summary.model_path.name),
        "threshold": summary.threshold,
        "records": summary.precollapse.records,
        "entities": summary.precollapse.entities,
        "variants": summary.precollapse.variants,
        "id_edges_dropped": summary.precollapse.id_edges_dropped,
        "upn_typos_fixed": summary.precollapse.upn_typos_fixed,
        "id_only_unlinked": summary.precollapse.id_only_unlinked,
        "pairs_above_threshold": summary.clusters.pairs_above_threshold,
        "entity_edges": summary.clusters.entity_edges,
        "merges": summary.clusters.merges,
        "blocked_by_conflict": summary.clusters.blocked_by_conflict,
        "people": summary.clusters.people,
        "incremental": summary.incremental,
        "new_records": summary.new_records,
        "must_links": summary.clusters.must_links,
        "cannot_links": summary.clusters.cannot_links,
        "cannot_within_entity": summary.clusters.cannot_within_entity,
        "review_queued": summary.clusters.review_queued,
        "guards_yielding": list(summary.clusters.guards_yielding),
        "keys": {
            "kept": summary.keys.kept,
            "new": summary.keys.new,
            "merged": summary.keys.merged,
            "split": summary.keys.split,
            "retired": summary.keys.retired,
        },
        "seconds": summary.seconds,
        "records_by_feed": summary.records_by_feed,
    }


@dataclass(frozen=True)
class LevelRow:
    """One comparison level of the trained model, for ``kinlink linkage model show``."""

    comparison: str
    level: str
    m: float | None
    u: float | None
    weight: float | None  # log2(m / u)
    tf_column: str | None


@dataclass
class ModelView:
    """The trained model in a form a person can read."""

    path: Path
    name: str
    version: int
    trained_at: str
    prior: float
    levels: list[LevelRow]


def model_show(model_path: Path | None = None) -> ModelView:
    """Read the saved model: its prior and every level's m, u and match weight."""
    path = model_path or LinkageConfig().model_path
    document = model_load(path)
    settings = document["splink"]
    rows: list[LevelRow] = []
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            rows.append(
                LevelRow(
                    comparison=comparison["output_column_name"],
                    level=level["label_for_charts"],
                    m=m,
                    u=u,
                    weight=weight,
                    tf_column=level.get("tf_adjustment_column"),
                )
            )
    return ModelView(
        path=path,
        name=str(document["model"]),
        version=int(document["version"]),
        trained_at=str(document.get("trained_at", "")),
        prior=float(settings["probability_two_random_records_match"]),
        levels=rows,
    )


def explain(
    warehouse: Path, record_a: str, record_b: str, model_path: Path | None = None
) -> Explanation:
    """Explain how the model scores two records, and whether they share a key."""
    document = model_load(model_path or LinkageConfig().model_path)
    con = warehouse_connect(warehouse, read_only=True)
    try:
        return explain_pair(con, record_a, record_b, splink_settings(document))
    finally:
        con.close()


def export_links(warehouse: Path, out: Path) -> LinksExport:
    """Write the links CSV (feed, file, row_number, slot, person_key)."""
    con = warehouse_connect(warehouse, read_only=True)
    try:
        return links_export(con, out)
    finally:
        con.close()


def review_queue_list(warehouse: Path, limit: int | None = None) -> list[ReviewItem]:
    """Open pairs of the review queue, most doubtful first."""
    con = warehouse_connect(warehouse)
    try:
        return queue_list(con, limit)
    finally:
        con.close()


def review_decide(
    warehouse: Path,
    record_a: str,
    record_b: str,
    same_person: bool,
    reviewer: str,
    reason: str,
) -> Decision:
    """Record a reviewer's decision; every later run obeys it."""
    con = warehouse_connect(warehouse)
    try:
        with transaction(con):
            return decide(con, record_a, record_b, same_person, reviewer, reason)
    finally:
        con.close()
