"""Incremental linking: new person records against the people already keyed.

Only records not yet in ``person_key_members`` are scored. Pre-collapse runs over every
record (SQL, cheap), so a new record sharing a trusted id with a known person joins that
person's entity outright. Entities made only of new records are scored with the saved
model against the existing variants (``predict_between``, the same blocking rules, term
frequencies from all variants as in a full run) and among themselves
(``predict_within``). Clustering then starts from the existing people (the entities of
each key joined unconditionally) and applies the new links best first under the same
guards and review decisions; the key step maps the result onto the keys as a full run
does, so a new record that joins a person takes that person's key and a new person gets
a new key, with events.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from kinlink.linkage.backends import Backend, linker_for
from kinlink.linkage.clustering import cluster_entities
from kinlink.linkage.keys import MEMBERS
from kinlink.linkage.models import ClusterStats, LinkageConfig
from kinlink.linkage.precollapse import ENTITIES, RECORDS, VARIANTS
from kinlink.linkage.predict import EDGES_SCHEMA, edges_from_predictions

EMPTY_EDGES = EDGES_SCHEMA


def new_records_count(con: duckdb.DuckDBPyConnection) -> int:
    """Prepared records that no key holds yet (expects ``_lk_records`` and the registry)."""
    row = con.execute(
        f"SELECT count(*) FROM {RECORDS} WHERE record_id NOT IN (SELECT record_id FROM {MEMBERS})"
    ).fetchone()
    return int(row[0]) if row else 0


def _new_entities(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _lk_new_entities AS
        SELECT e.entity_id
        FROM {ENTITIES} e JOIN {RECORDS} r USING (rid)
        LEFT JOIN {MEMBERS} m USING (record_id)
        GROUP BY e.entity_id
        HAVING bool_and(m.record_id IS NULL)
        """
    )


def new_entity_edges(
    con: duckdb.DuckDBPyConnection,
    settings: dict[str, Any],
    config: LinkageConfig,
    backend: Backend,
) -> tuple[pa.Table, int]:
    """Edges between new-only entities and the rest, and among new-only entities, scored
    on ``backend`` (``settings`` written in its dialect)."""
    _new_entities(con)
    new = con.sql(
        f"SELECT * FROM {VARIANTS} WHERE entity_id IN (SELECT entity_id FROM _lk_new_entities) "
        "ORDER BY unique_id"
    ).to_arrow_table()
    if new.num_rows == 0:
        return EMPTY_EDGES.empty_table(), 0
    variants = con.sql(f"SELECT * FROM {VARIANTS} ORDER BY unique_id").to_arrow_table()
    existing = con.sql(
        f"SELECT * FROM {VARIANTS} WHERE entity_id NOT IN "
        "(SELECT entity_id FROM _lk_new_entities) ORDER BY unique_id"
    ).to_arrow_table()
    settings = {**settings, "retain_intermediate_calculation_columns": True}
    parts: list[pa.Table] = []
    scored = 0
    with backend.database() as database:
        linker = linker_for(database, variants, settings)
        # term frequencies over every variant, exactly as a full run computes them
        for column in _tf_columns(settings):
            linker.table_management.compute_tf_table(column)
        new_sdf = database.db_api.register(new, dataset_display_name="new_variants")
        predictions = [linker.inference.predict_within(
            new_sdf, threshold_match_probability=config.score_floor, warning_mode="never"
        )]  # fmt: skip
        if existing.num_rows:
            existing_sdf = database.db_api.register(
                existing, dataset_display_name="existing_variants"
            )
            predictions.append(
                linker.inference.predict_between(
                    new_sdf,
                    existing_sdf,
                    threshold_match_probability=config.score_floor,
                    warning_mode="never",
                )
            )
        for frame in predictions:
            edges, count = edges_from_predictions(
                database, backend.dialect, frame.physical_name, settings, config
            )
            parts.append(edges)
            scored += count
    edges = pa.concat_tables([p.cast(EMPTY_EDGES) for p in parts])
    # one edge per entity pair (best), strongest first, as in a full run
    con.register("_lk_new_edge_rows", edges)
    try:
        edges = con.sql(
            """
            SELECT a, b, max(w) AS w, max(p) AS p, arg_max(mw, w) AS mw,
                   arg_max(dates_weighed, w) AS dates_weighed
            FROM _lk_new_edge_rows GROUP BY a, b ORDER BY w DESC, a, b
            """
        ).to_arrow_table()
    finally:
        con.unregister("_lk_new_edge_rows")
    return edges.cast(EMPTY_EDGES), scored


def _tf_columns(settings: dict[str, Any]) -> list[str]:
    columns: list[str] = []
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            column = level.get("tf_adjustment_column")
            if column and column not in columns:
                columns.append(column)
    return columns


def cluster_incrementally(
    con: duckdb.DuckDBPyConnection,
    edges: pa.Table,
    config: LinkageConfig,
    stats: ClusterStats,
    must: list[tuple[int, int]],
    cannot: list[tuple[int, int]],
    yielding: frozenset[str] = frozenset(),
) -> None:
    """Create ``_lk_clusters``: existing people as they are, new entities joined to them
    (or to each other) by the links at or above the threshold, best first, under the
    guards."""
    links = edges.filter(pc.greater_equal(edges["p"], config.threshold))
    rows = con.execute(
        f"""
        SELECT DISTINCT m.person_key, e.entity_id
        FROM {MEMBERS} m JOIN {RECORDS} r USING (record_id) JOIN {ENTITIES} e USING (rid)
        ORDER BY m.person_key, e.entity_id
        """
    ).fetchall()
    forced: list[tuple[int, int]] = []
    first: dict[str, int] = {}
    entities_of: dict[str, list[int]] = {}
    key_of: dict[int, list[str]] = {}
    for key, entity in rows:
        key, entity = str(key), int(entity)
        entities_of.setdefault(key, []).append(entity)
        key_of.setdefault(entity, []).append(key)
        if key in first:
            forced.append((first[key], entity))
        else:
            first[key] = entity
    # profiles matter for the people a new link can reach
    touched: set[int] = set()
    for entity in set(links.column("a").to_pylist()) | set(links.column("b").to_pylist()):
        for key in key_of.get(entity, []):
            touched.update(entities_of[key])
    for pair in must:
        touched.update(pair)
    cluster_entities(
        con,
        links,
        config.conflict_ids,
        stats,
        forced=forced + must,
        cannot=cannot,
        profiled=sorted(touched),
        yielding=yielding,
    )
