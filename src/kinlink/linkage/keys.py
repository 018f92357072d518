"""Stable person keys: the registry that survives re-linking.

Cluster ids change whenever anything changes; people need keys that do not. Each run maps
every new cluster to the previous key it shares most records with (each previous key goes
to at most one cluster; ties go to the smaller key, then the smaller cluster), so:

* the same input gives the same keys;
* a record joining a person keeps that person's key;
* when two people merge, the larger keeps its key and the other key is retired with
  ``merged_into`` pointing at the survivor;
* when a person splits, the larger part keeps the key and the rest get new keys;
* a key whose records are all gone is retired; no key is ever reused.

Keys look like ``P`` + 10 Crockford base-32 characters derived from a hash of the
cluster's first record id: not sequential (they reveal nothing about order or counts),
but reproducible, and checked against every key ever issued.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from kinlink.core.clock import utc_now
from kinlink.core.keys import opaque_key, overlap_assign
from kinlink.linkage.models import KeyStats

KEYS = "person_keys"
MEMBERS = "person_key_members"
EVENTS = "person_key_events"
RUNS = "linkage_runs"


DDL = (
    f"""CREATE TABLE IF NOT EXISTS {KEYS} (
        person_key VARCHAR PRIMARY KEY,
        created_at TIMESTAMPTZ,
        created_run VARCHAR,
        retired_at TIMESTAMPTZ,
        retired_run VARCHAR,
        merged_into VARCHAR
    )""",
    f"""CREATE TABLE IF NOT EXISTS {MEMBERS} (
        record_id VARCHAR,
        person_key VARCHAR,
        run_id VARCHAR
    )""",
    f"""CREATE TABLE IF NOT EXISTS {EVENTS} (
        run_id VARCHAR,
        kind VARCHAR,
        person_key VARCHAR,
        related_keys VARCHAR[],
        records INTEGER,
        reason VARCHAR,
        created_at TIMESTAMPTZ
    )""",
    f"""CREATE TABLE IF NOT EXISTS {RUNS} (
        run_id VARCHAR,
        started_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ,
        model VARCHAR,
        trained BOOLEAN,
        config VARCHAR,
        summary VARCHAR
    )""",
)


def tables_create(con: duckdb.DuckDBPyConnection) -> None:
    """Create the key registry tables if they are not there yet."""
    for statement in DDL:
        con.execute(statement)


def key_for(seed: str, attempt: int = 0) -> str:
    """``P`` + 10 base-32 characters from a hash of ``seed`` (and the attempt number)."""
    return opaque_key("P", f"{seed}|{attempt}")


def _new_keys(con: duckdb.DuckDBPyConnection, seeds: list[tuple[int, str]]) -> dict[int, str]:
    """A fresh key for each ``(cluster, first record id)``, never one issued before."""
    out: dict[int, str] = {}
    if not seeds:
        return out
    proposals = {cluster: key_for(seed) for cluster, seed in seeds}
    con.register(
        "_lk_proposed", pa.table({"person_key": pa.array(list(proposals.values()), pa.string())})
    )
    clashes = {
        str(r[0])
        for r in con.execute(
            f"SELECT p.person_key FROM _lk_proposed p JOIN {KEYS} k USING (person_key)"
        ).fetchall()
    }
    con.unregister("_lk_proposed")
    used: set[str] = set()
    for cluster, seed in seeds:
        key, attempt = proposals[cluster], 0
        while key in used or key in clashes:
            attempt += 1
            key = key_for(seed, attempt)
            if con.execute(f"SELECT 1 FROM {KEYS} WHERE person_key = ?", [key]).fetchone():
                clashes.add(key)
        used.add(key)
        out[cluster] = key
    return out


def keys_assign(con: duckdb.DuckDBPyConnection, run_id: str) -> KeyStats:
    """Give every cluster in ``_lk_clusters`` a key and record what changed.

    Replaces ``person_key_members`` with this run's membership, adds new keys, retires
    keys that lost all their records or were merged, and writes events.
    """
    tables_create(con)
    now = utc_now()
    stats = KeyStats()
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _lk_cluster_records AS
        SELECT c.cluster, r.record_id FROM _lk_clusters c JOIN _lk_records r USING (rid)
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _lk_overlap AS
        SELECT c.cluster, m.person_key, count(*) AS n
        FROM _lk_cluster_records c JOIN {MEMBERS} m USING (record_id)
        GROUP BY ALL
        """
    )
    # Unambiguous pairs (a cluster overlapping one key that overlaps only it) need no sort.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _lk_overlap_counts AS
        SELECT cluster, person_key, n,
               count(*) OVER (PARTITION BY cluster) AS keys_of_cluster,
               count(*) OVER (PARTITION BY person_key) AS clusters_of_key
        FROM _lk_overlap
        """
    )
    assigned: dict[int, str] = {
        int(c): str(k)
        for c, k in con.execute(
            "SELECT cluster, person_key FROM _lk_overlap_counts "
            "WHERE keys_of_cluster = 1 AND clusters_of_key = 1"
        ).fetchall()
    }
    contested = con.execute(
        "SELECT cluster, person_key, n FROM _lk_overlap_counts "
        "WHERE keys_of_cluster > 1 OR clusters_of_key > 1 "
        "ORDER BY n DESC, person_key, cluster"
    ).fetchall()
    assigned.update(overlap_assign((int(c), str(k), int(n)) for c, k, n in contested))
    seeds = [
        (int(c), str(s))
        for c, s in con.execute(
            "SELECT cluster, min(record_id) FROM _lk_cluster_records GROUP BY cluster "
            "ORDER BY cluster"
        ).fetchall()
        if int(c) not in assigned
    ]
    fresh = _new_keys(con, seeds)
    con.register(
        "_lk_assign_rows",
        pa.table(
            {
                "cluster": pa.array(list(assigned) + list(fresh), pa.int64()),
                "person_key": pa.array(list(assigned.values()) + list(fresh.values()), pa.string()),
                "is_new": pa.array([False] * len(assigned) + [True] * len(fresh), pa.bool_()),
            }
        ),
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _lk_assign AS SELECT * FROM _lk_assign_rows")
    con.unregister("_lk_assign_rows")
    stats.kept, stats.new = len(assigned), len(fresh)
    _record_events(con, run_id, now, stats)
    con.execute(
        f"INSERT INTO {KEYS} SELECT person_key, ?, ?, NULL, NULL, NULL FROM _lk_assign "
        "WHERE is_new",
        [now, run_id],
    )
    con.execute(f"DELETE FROM {MEMBERS}")
    con.execute(
        f"""
        INSERT INTO {MEMBERS}
        SELECT c.record_id, a.person_key, ? FROM _lk_cluster_records c JOIN _lk_assign a
        USING (cluster)
        """,
        [run_id],
    )
    return stats


def _record_events(
    con: duckdb.DuckDBPyConnection, run_id: str, now: object, stats: KeyStats
) -> None:
    """Write new/merge/split/retire events and retire keys that no cluster kept."""
    # Previous active keys that no cluster took: merged into the cluster holding most of
    # their records, or retired when none of their records remain.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _lk_lost AS
        WITH active AS (
            SELECT DISTINCT person_key FROM {MEMBERS}
            WHERE person_key NOT IN (SELECT person_key FROM _lk_assign)
        ),
        destinations AS (
            SELECT o.person_key, a.person_key AS into_key, o.n,
                   row_number() OVER (
                       PARTITION BY o.person_key ORDER BY o.n DESC, a.person_key
                   ) AS rank
            FROM _lk_overlap o JOIN _lk_assign a USING (cluster)
            WHERE o.person_key IN (SELECT person_key FROM active)
        )
        SELECT k.person_key, d.into_key, coalesce(d.n, 0) AS n
        FROM active k LEFT JOIN destinations d ON d.person_key = k.person_key AND d.rank = 1
        """
    )
    con.execute(
        f"""
        INSERT INTO {EVENTS}
        SELECT ?, 'merge', into_key, [person_key], n,
               'records of ' || person_key || ' now belong to ' || into_key
               || '; ' || person_key || ' retired', ?
        FROM _lk_lost WHERE into_key IS NOT NULL
        """,
        [run_id, now],
    )
    con.execute(
        f"""
        INSERT INTO {EVENTS}
        SELECT ?, 'retire', person_key, [], 0, 'none of its records are loaded any more', ?
        FROM _lk_lost WHERE into_key IS NULL
        """,
        [run_id, now],
    )
    con.execute(
        f"""
        UPDATE {KEYS} SET retired_at = ?, retired_run = ?, merged_into = l.into_key
        FROM _lk_lost l WHERE {KEYS}.person_key = l.person_key
        """,
        [now, run_id],
    )
    # Records that left a key which lives on elsewhere: a split from that key.
    con.execute(
        f"""
        INSERT INTO {EVENTS}
        SELECT ?, 'split', a.person_key, [o.person_key], o.n,
               CASE WHEN a.is_new
                    THEN 'new key for ' || o.n || ' records split from ' || o.person_key
                    ELSE o.n || ' records moved here from ' || o.person_key END, ?
        FROM _lk_overlap o
        JOIN _lk_assign a USING (cluster)
        JOIN _lk_assign kept ON kept.person_key = o.person_key
        WHERE a.person_key <> o.person_key
        """,
        [run_id, now],
    )
    con.execute(
        f"""
        INSERT INTO {EVENTS}
        SELECT ?, 'new', a.person_key, [], count(*), 'a person not seen before', ?
        FROM _lk_assign a JOIN _lk_cluster_records c USING (cluster)
        WHERE a.is_new AND a.cluster NOT IN (SELECT cluster FROM _lk_overlap)
        GROUP BY a.person_key
        """,
        [run_id, now],
    )
    counts = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE kind = 'merge'), count(*) FILTER (WHERE kind = 'split'),
               count(*) FILTER (WHERE kind = 'retire')
        FROM {EVENTS} WHERE run_id = ?
        """,
        [run_id],
    ).fetchone()
    if counts:
        stats.merged, stats.split, stats.retired = (int(v) for v in counts)
