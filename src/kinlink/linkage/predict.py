"""Scoring candidate pairs with the trained model and reducing them to entity edges.

Splink scores pairs of variants; two variants of the same entity are never compared
(every blocking rule excludes them). Scores above the threshold that agree on more than
names (a date of birth, an address or an identifier) are reduced to one edge per pair of
entities, carrying the best score between them. The reduction runs where Splink scored
(DuckDB or Spark), so only the edges travel back, as Arrow, for clustering.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from kinlink.linkage.backends import Backend, SplinkDatabase, linker_for
from kinlink.linkage.models import LinkageConfig
from kinlink.linkage.splink_settings import evidence_sql

EDGES_SCHEMA = pa.schema(
    [("a", pa.int64()), ("b", pa.int64()), ("w", pa.float64()), ("p", pa.float64()),
     ("mw", pa.string()), ("dates_weighed", pa.bool_())]
)  # fmt: skip


def _weights_json_sql(comparisons: list[str], dialect: str) -> str:
    """SQL: the best pair's per-comparison match weights (rounded) as a JSON object."""
    if not comparisons:
        return "NULL"
    if dialect == "spark":
        fields = ", ".join(f"'{c}', round(mw_{c}, 2)" for c in comparisons)
        as_json = f"to_json(named_struct({fields}), map('ignoreNullFields', 'false'))"
        return f"max_by({as_json}, match_weight)"
    fields = ", ".join(f"'{c}', round(mw_{c}, 2)" for c in comparisons)
    return f"CAST(to_json(arg_max(json_object({fields}), match_weight)) AS VARCHAR)"


def entity_edges_sql(
    table: str, comparisons: list[str], dialect: str, threshold: float, link_threshold: float
) -> str:
    """SQL over a Splink predictions table: one edge per pair of entities (see
    ``entity_edges``). ``mw`` is filled only for edges below ``link_threshold``."""
    a = "least(entity_id_l, entity_id_r)"
    b = "greatest(entity_id_l, entity_id_r)"
    best = "max_by" if dialect == "spark" else "arg_max"
    return f"""
        SELECT {a} AS a, {b} AS b,
               max(match_weight) AS w,
               max(match_probability) AS p,
               CASE WHEN max(match_probability) < {link_threshold}
                    THEN {_weights_json_sql(comparisons, dialect)} END AS mw,
               {best}(mw_dob < 0, match_weight) AS dates_weighed
        FROM {table}
        WHERE entity_id_l <> entity_id_r AND {evidence_sql()}
          AND match_probability >= {threshold}
        GROUP BY {a}, {b}
    """


def edges_from_predictions(
    database: SplinkDatabase,
    dialect: str,
    table: str,
    settings: dict[str, Any],
    config: LinkageConfig,
) -> tuple[pa.Table, int]:
    """``(edges, pairs)`` from a Splink predictions table in ``database``: edges strongest
    first (weight, then ids, so the order never depends on the backend), and the count of
    variant pairs at or above the threshold."""
    comparisons = [c["output_column_name"] for c in settings["comparisons"]]
    link_threshold = max(config.threshold, config.review_high)
    edges = database.arrow(
        entity_edges_sql(table, comparisons, dialect, config.score_floor, link_threshold)
    )
    edges = edges.select(EDGES_SCHEMA.names).cast(EDGES_SCHEMA)
    edges = edges.sort_by([("w", "descending"), ("a", "ascending"), ("b", "ascending")])
    counted = database.arrow(
        f"SELECT count(*) AS n FROM {table} WHERE match_probability >= {config.threshold}"
    )
    scored = int(counted.column("n")[0].as_py()) if counted.num_rows else 0
    return edges, scored


def entity_edges(
    variants: pa.Table, settings: dict[str, Any], config: LinkageConfig, backend: Backend
) -> tuple[pa.Table, int]:
    """Entity pairs scoring at or above the threshold (or the review band's floor),
    strongest first, scored on ``backend`` (``settings`` written in its dialect).

    Returns ``(edges, pairs)`` where edges has columns ``a``, ``b`` (entity ids, ``a < b``),
    ``w`` (best match weight), ``p`` (best match probability), ``mw`` (the best pair's
    weights, for band edges only) and ``dates_weighed`` (the best pair's dates of birth
    disagree and its score already counts that against it), ordered by weight (which,
    unlike a probability, does not saturate near 1) then ids; ``pairs`` counts the
    variant pairs at or above the threshold.
    """
    settings = {**settings, "retain_intermediate_calculation_columns": True}
    with backend.database() as database:
        linker = linker_for(database, variants, settings)
        predictions = linker.inference.predict(
            threshold_match_probability=config.score_floor, warning_mode="never"
        )
        return edges_from_predictions(
            database, backend.dialect, predictions.physical_name, settings, config
        )
