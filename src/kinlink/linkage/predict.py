"""Scoring candidate pairs with the trained model and reducing them to entity edges.

Splink scores pairs of variants; two variants of the same entity are never compared
(every blocking rule excludes them). Scores above the threshold that agree on more than
names (a date of birth, an address or an identifier) are reduced to one edge per pair of
entities, carrying the best score between them, and handed back as Arrow so that
clustering can read them in batches.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from kinlink.linkage.models import LinkageConfig
from kinlink.linkage.splink_settings import evidence_sql
from kinlink.linkage.training import linker_for


def reduce_to_entity_edges(
    con: Any, table: str, threshold: float, link_threshold: float
) -> pa.Table:
    """Entity edges from a Splink predictions table (see ``entity_edges``).

    ``mw`` (JSON of the best pair's per-comparison match weights) is filled only for
    edges below ``link_threshold``: the review band.
    """
    evidence = evidence_sql()
    columns = [str(r[0]) for r in con.execute(f"DESCRIBE {table}").fetchall()]
    weights = ", ".join(f"'{c[3:]}', round({c}, 2)" for c in columns if c.startswith("mw_"))
    summary = f"to_json(arg_max(json_object({weights}), match_weight))" if weights else "NULL"
    return con.sql(
        f"""
        SELECT least(entity_id_l, entity_id_r) AS a,
               greatest(entity_id_l, entity_id_r) AS b,
               max(match_weight) AS w,
               max(match_probability) AS p,
               CASE WHEN max(match_probability) < {link_threshold}
                    THEN CAST({summary} AS VARCHAR) END AS mw
        FROM {table}
        WHERE entity_id_l <> entity_id_r AND {evidence} AND match_probability >= {threshold}
        GROUP BY 1, 2
        ORDER BY w DESC, a, b
        """
    ).to_arrow_table()


def entity_edges(
    variants: pa.Table, settings: dict[str, Any], config: LinkageConfig
) -> tuple[pa.Table, int]:
    """Entity pairs scoring at or above the threshold (or the review band's floor),
    strongest first.

    Returns ``(edges, pairs)`` where edges has columns ``a``, ``b`` (entity ids, ``a < b``),
    ``w`` (best match weight), ``p`` (best match probability) and ``mw`` (the best pair's
    weights, for band edges only), ordered by weight (which, unlike a probability, does
    not saturate near 1) then ids; ``pairs`` counts the variant pairs at or above the
    threshold.
    """
    settings = {**settings, "retain_intermediate_calculation_columns": True}
    linker, con = linker_for(variants, settings, config)
    try:
        predictions = linker.inference.predict(
            threshold_match_probability=config.score_floor, warning_mode="never"
        )
        table = predictions.physical_name
        edges = reduce_to_entity_edges(
            con, table, config.score_floor, max(config.threshold, config.review_high)
        )
        row = con.execute(
            f"SELECT count(*) FROM {table} WHERE match_probability >= ?", [config.threshold]
        ).fetchone()
        scored = int(row[0]) if row else 0
    finally:
        con.close()
    return edges, scored
