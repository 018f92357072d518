"""The review queue: doubtful pairs for a person to decide, and decisions every run obeys.

A run keeps the pairs of entities whose best match probability falls in the review band
(``LinkageConfig.review_low`` to ``review_high``) and that clustering left in different
people, one pair per pair of people (the strongest), as open items of
``linkage_review_queue``. Each item names one record of each side, the probability, the
total match weight and each comparison's weight (no personal data).

A reviewer's decision goes to ``linkage_review_decisions`` (same person or different
people, who, why, when). Every later run, including one that retrains the model, applies
the latest decision on each pair: "same person" joins the two records' entities before
any scored link; "different people" is a pair the clustering guard never puts into one
person, so it splits a person the model would otherwise build.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from kinlink.core.clock import utc_now
from kinlink.core.errors import KinlinkError
from kinlink.warehouse.schema import PERSON_RECORD_TABLE

QUEUE = "linkage_review_queue"
DECISIONS = "linkage_review_decisions"

DDL = (
    f"""CREATE TABLE IF NOT EXISTS {QUEUE} (
        record_a VARCHAR,
        record_b VARCHAR,
        match_probability DOUBLE,
        match_weight DOUBLE,
        weights VARCHAR,
        created_run VARCHAR,
        created_at TIMESTAMPTZ,
        status VARCHAR
    )""",
    f"""CREATE TABLE IF NOT EXISTS {DECISIONS} (
        record_a VARCHAR,
        record_b VARCHAR,
        same_person BOOLEAN,
        reviewer VARCHAR,
        reason VARCHAR,
        decided_at TIMESTAMPTZ
    )""",
)


class ReviewError(KinlinkError):
    """A review decision that cannot be recorded (unknown record, missing reviewer...)."""


@dataclass(frozen=True)
class ReviewItem:
    """One open pair in the review queue."""

    record_a: str
    record_b: str
    match_probability: float
    match_weight: float
    weights: str
    created_run: str
    created_at: datetime


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on a pair."""

    record_a: str
    record_b: str
    same_person: bool
    reviewer: str
    reason: str
    decided_at: datetime


def review_tables_create(con: duckdb.DuckDBPyConnection) -> None:
    """Create the queue and decision tables if they are not there yet."""
    for statement in DDL:
        con.execute(statement)


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def decisions_for_run(
    con: duckdb.DuckDBPyConnection,
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int]:
    """The latest decision on each pair as entity pairs: ``(must, cannot, within)``.

    Expects ``_lk_records`` and ``_lk_entities``. Decisions on records that are no longer
    loaded are skipped; ``within`` counts "different people" pairs whose records a
    trusted identifier already joined into one entity (the guard cannot split those).
    """
    review_tables_create(con)
    rows = con.execute(
        f"""
        WITH latest AS (
            SELECT record_a, record_b, same_person,
                   row_number() OVER (
                       PARTITION BY record_a, record_b ORDER BY decided_at DESC
                   ) AS k
            FROM {DECISIONS}
        )
        SELECT ea.entity_id, eb.entity_id, l.same_person
        FROM latest l
        JOIN _lk_records ra ON ra.record_id = l.record_a
        JOIN _lk_entities ea ON ea.rid = ra.rid
        JOIN _lk_records rb ON rb.record_id = l.record_b
        JOIN _lk_entities eb ON eb.rid = rb.rid
        WHERE l.k = 1
        ORDER BY l.record_a, l.record_b
        """
    ).fetchall()
    must = [(int(a), int(b)) for a, b, same in rows if same and a != b]
    cannot = [(int(a), int(b)) for a, b, same in rows if not same and a != b]
    within = sum(1 for a, b, same in rows if not same and a == b)
    return must, cannot, within


def queue_refresh(
    con: duckdb.DuckDBPyConnection,
    edges: pa.Table,
    low: float,
    high: float,
    run_id: str,
    replace: bool = True,
) -> int:
    """Replace (or, incrementally, add to) the open items of the queue with this run's
    band pairs; return how many this run queued.

    Expects ``_lk_clusters``, ``_lk_records`` and ``_lk_entities``. A band pair is an
    entity edge with ``low <= p < high`` whose entities ended in different people and
    on which no decision has been taken; one item per pair of people (the strongest).
    """
    review_tables_create(con)
    band = edges.filter(pc.and_(pc.greater_equal(edges["p"], low), pc.less(edges["p"], high)))
    if replace:
        con.execute(f"DELETE FROM {QUEUE} WHERE status = 'open'")
    con.register("_lk_band_rows", band)
    try:
        con.execute(
            f"""
            INSERT INTO {QUEUE}
            WITH reps AS (
                SELECT e.entity_id, min(r.record_id) AS record_id,
                       min(c.cluster) AS cluster
                FROM _lk_entities e JOIN _lk_records r USING (rid)
                JOIN _lk_clusters c USING (rid)
                WHERE e.entity_id IN (SELECT a FROM _lk_band_rows UNION SELECT b FROM _lk_band_rows)
                GROUP BY e.entity_id
            ),
            decided AS (
                SELECT DISTINCT ca.cluster AS x, cb.cluster AS y
                FROM {DECISIONS} d
                JOIN _lk_records ra ON ra.record_id = d.record_a
                JOIN _lk_clusters ca ON ca.rid = ra.rid
                JOIN _lk_records rb ON rb.record_id = d.record_b
                JOIN _lk_clusters cb ON cb.rid = rb.rid
            ),
            pairs AS (
                SELECT least(ra.record_id, rb.record_id) AS record_a,
                       greatest(ra.record_id, rb.record_id) AS record_b,
                       b.p, b.w, b.mw,
                       least(ra.cluster, rb.cluster) AS x,
                       greatest(ra.cluster, rb.cluster) AS y
                FROM _lk_band_rows b
                JOIN reps ra ON ra.entity_id = b.a
                JOIN reps rb ON rb.entity_id = b.b
                WHERE ra.cluster <> rb.cluster
            )
            SELECT record_a, record_b, p, w, coalesce(mw, '{{}}'), ?, ?, 'open'
            FROM pairs
            WHERE NOT EXISTS (
                SELECT 1 FROM {QUEUE} q
                WHERE q.status = 'open' AND q.record_a = pairs.record_a
                  AND q.record_b = pairs.record_b
            ) AND NOT EXISTS (
                SELECT 1 FROM decided d
                WHERE (d.x = pairs.x AND d.y = pairs.y) OR (d.x = pairs.y AND d.y = pairs.x)
            )
            QUALIFY row_number() OVER (PARTITION BY x, y ORDER BY w DESC, record_a, record_b) = 1
            """,
            [run_id, utc_now()],
        )
    finally:
        con.unregister("_lk_band_rows")
    row = con.execute(
        f"SELECT count(*) FROM {QUEUE} WHERE status = 'open' AND created_run = ?", [run_id]
    ).fetchone()
    return int(row[0]) if row else 0


def queue_list(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[ReviewItem]:
    """Open items, most doubtful first (probability nearest one half), then by records."""
    review_tables_create(con)
    sql = (
        f"SELECT record_a, record_b, match_probability, match_weight, weights, created_run, "
        f"created_at FROM {QUEUE} WHERE status = 'open' "
        "ORDER BY abs(match_probability - 0.5), record_a, record_b"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [
        ReviewItem(str(a), str(b), float(p), float(w), str(mw), str(run), at)
        for a, b, p, w, mw, run, at in con.execute(sql).fetchall()
    ]


def decide(
    con: duckdb.DuckDBPyConnection,
    record_a: str,
    record_b: str,
    same_person: bool,
    reviewer: str,
    reason: str,
) -> Decision:
    """Record a decision on two records and close the pair in the queue."""
    if record_a == record_b:
        raise ReviewError("a decision needs two different records")
    if not reviewer.strip():
        raise ReviewError("a decision needs a reviewer")
    if not reason.strip():
        raise ReviewError("a decision needs a reason")
    for record in (record_a, record_b):
        if not con.execute(
            f"SELECT 1 FROM {PERSON_RECORD_TABLE} WHERE record_id = ?", [record]
        ).fetchone():
            raise ReviewError(f"unknown record: {record}")
    review_tables_create(con)
    a, b = _ordered(record_a, record_b)
    now = utc_now()
    con.execute(
        f"INSERT INTO {DECISIONS} VALUES (?, ?, ?, ?, ?, ?)",
        [a, b, same_person, reviewer.strip(), reason.strip(), now],
    )
    con.execute(
        f"UPDATE {QUEUE} SET status = 'decided' WHERE record_a = ? AND record_b = ?", [a, b]
    )
    return Decision(a, b, same_person, reviewer.strip(), reason.strip(), now)
