"""Connected components in DuckDB SQL, so that millions of edges never pass through Python.

Label propagation with pointer jumping: every node takes the smallest label among itself
and its neighbours, then the label of its label. Identifier graphs here are shallow
(records hang off a few identifier nodes), so a handful of rounds suffice.
"""

from __future__ import annotations

import duckdb

_MAX_ROUNDS = 200


def connected_components(con: duckdb.DuckDBPyConnection, edges: str, out: str) -> int:
    """Write ``out(node BIGINT, component BIGINT)`` for every node of ``edges(a, b)``.

    The component is the smallest node id in it, so it is deterministic. Returns the
    number of rounds taken.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _cc_edges AS
        SELECT a, b FROM {edges} WHERE a <> b
        UNION SELECT b AS a, a AS b FROM {edges} WHERE a <> b
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _cc_labels AS
        SELECT node, min(label) AS label FROM (
            SELECT a AS node, least(a, b) AS label FROM _cc_edges
            UNION ALL SELECT a AS node, a AS label FROM {edges}
            UNION ALL SELECT b AS node, b AS label FROM {edges}
        ) GROUP BY node
        """
    )
    rounds = 0
    while rounds < _MAX_ROUNDS:
        rounds += 1
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _cc_next AS
            WITH spread AS (
                SELECT l.node, least(l.label, min(n.label)) AS label
                FROM _cc_labels l
                JOIN _cc_edges e ON e.a = l.node
                JOIN _cc_labels n ON n.node = e.b
                GROUP BY l.node, l.label
            ),
            merged AS (
                SELECT l.node, coalesce(s.label, l.label) AS label
                FROM _cc_labels l LEFT JOIN spread s USING (node)
            )
            SELECT m.node, least(m.label, j.label) AS label
            FROM merged m JOIN merged j ON j.node = m.label
            """
        )
        changed = con.execute(
            """
            SELECT count(*) FROM _cc_next n JOIN _cc_labels l USING (node)
            WHERE n.label <> l.label
            """
        ).fetchone()
        con.execute("DROP TABLE _cc_labels")
        con.execute("ALTER TABLE _cc_next RENAME TO _cc_labels")
        if not changed or changed[0] == 0:
            break
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT node, label AS component FROM _cc_labels"
    )
    con.execute("DROP TABLE _cc_labels")
    con.execute("DROP TABLE _cc_edges")
    return rounds
