"""Stable family keys: the registry that survives rebuilding families.

Each run's families are mapped onto the previous run's family keys the way person keys
are mapped onto clusters: every family takes the previous key whose current members it
shares most person keys with (each previous key goes to at most one family; largest
overlap first, ties to the closer match by Jaccard similarity, then the smaller key, then
the smaller family id: a child moving from the mother's to the father's home does not
take the mother's key with them). Previous members
are followed through person key merges, so re-linking people does not lose families.

* the same input gives the same keys;
* a family that gains or loses a member keeps its key;
* when two families merge (they now share an address), the one with more continuing
  members keeps its key and the other is retired with ``merged_into``;
* when a family splits (someone moved out), the larger part keeps the key and the
  others get new keys, with a ``split`` event naming the old key;
* a key none of whose members remain is retired; keys are never reused.

Keys are ``F`` + 10 Crockford base-32 characters from a hash of the family's smallest
person key: reproducible, not sequential, checked against every key ever issued.

Membership keeps history: a membership that ends (the person moved, the role changed,
the key was merged away) is closed with ``valid_to`` and kept (``basis = 'closed'``);
earlier addresses of a person that are a current family's home give ``basis = 'moved'``
rows (for example the mother's family a child lived in before moving to the father's).
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pyarrow as pa

from kinlink.core.keys import opaque_key, overlap_assign
from kinlink.families.models import KeyStats
from kinlink.families.tables import EVENTS, KEYS, MEMBERS


def family_key_for(seed: str, attempt: int = 0) -> str:
    """``F`` + 10 base-32 characters from a hash of ``seed`` (and the attempt number)."""
    return opaque_key("F", f"family|{seed}|{attempt}")


def _new_keys(con: duckdb.DuckDBPyConnection, seeds: list[tuple[str, str]]) -> dict[str, str]:
    """A fresh key for each ``(family id, smallest person key)``, never issued before."""
    issued = {str(r[0]) for r in con.execute(f"SELECT family_key FROM {KEYS}").fetchall()}
    out: dict[str, str] = {}
    for family, seed in seeds:
        attempt = 0
        key = family_key_for(seed)
        while key in issued:
            attempt += 1
            key = family_key_for(seed, attempt)
        issued.add(key)
        out[family] = key
    return out


def keys_assign(
    con: duckdb.DuckDBPyConnection, run_id: str, as_of: date, now: datetime
) -> KeyStats:
    """Map ``_fm_family`` onto family keys; rewrite memberships; record events."""
    _previous(con)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_overlap AS
        WITH overlap AS (
            SELECT f.family_id, p.family_key, count(DISTINCT f.person_key) AS n
            FROM _fm_family f JOIN _fm_prev p USING (person_key)
            GROUP BY f.family_id, p.family_key
        ),
        new_size AS (SELECT family_id, count(*) AS size FROM _fm_family GROUP BY family_id),
        old_size AS (
            SELECT family_key, count(DISTINCT person_key) AS size FROM _fm_prev
            GROUP BY family_key
        )
        SELECT o.family_id, o.family_key, o.n,
               o.n / (a.size + b.size - o.n) AS jaccard
        FROM overlap o JOIN new_size a USING (family_id) JOIN old_size b USING (family_key)
        """
    )
    rows = con.execute(
        "SELECT family_id, family_key, n FROM _fm_overlap "
        "ORDER BY n DESC, jaccard DESC, family_key, family_id"
    ).fetchall()
    assigned = overlap_assign((str(f), str(k), int(n)) for f, k, n in rows)
    seeds = [
        (str(f), str(s))
        for f, s in con.execute(
            "SELECT family_id, min(person_key) FROM _fm_family GROUP BY family_id "
            "ORDER BY family_id"
        ).fetchall()
        if str(f) not in assigned
    ]
    fresh = _new_keys(con, seeds)
    con.register(
        "_fm_assign_rows",
        pa.table(
            {
                "family_id": pa.array(list(assigned) + list(fresh), pa.string()),
                "family_key": pa.array(list(assigned.values()) + list(fresh.values()), pa.string()),
                "is_new": pa.array([False] * len(assigned) + [True] * len(fresh), pa.bool_()),
            }
        ),
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _fm_assign AS SELECT * FROM _fm_assign_rows")
    con.unregister("_fm_assign_rows")
    stats = KeyStats(kept=len(assigned), new=len(fresh))
    _events(con, run_id, now, stats)
    con.execute(
        f"INSERT INTO {KEYS} SELECT family_key, ?, ?, NULL, NULL, NULL FROM _fm_assign "
        "WHERE is_new ORDER BY family_key",
        [now, run_id],
    )
    _members_write(con, run_id, as_of)
    return stats


def _previous(con: duckdb.DuckDBPyConnection) -> None:
    """``_fm_prev``: last run's current members, their person keys followed through
    merges into the keys that hold them now."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fm_prev AS
        WITH RECURSIVE chain(original, person_key, depth) AS (
            SELECT person_key, person_key, 0 FROM (
                SELECT DISTINCT person_key FROM {MEMBERS} WHERE basis = 'current')
            UNION ALL
            SELECT c.original, k.merged_into, c.depth + 1
            FROM chain c JOIN person_keys k ON k.person_key = c.person_key
            WHERE k.merged_into IS NOT NULL AND c.depth < 20
        ),
        resolved AS (
            SELECT original, arg_max(person_key, depth) AS person_key
            FROM chain GROUP BY original
        )
        SELECT r.person_key, m.family_key, m.person_key AS previous_person_key, m.role,
               m.valid_from
        FROM {MEMBERS} m JOIN resolved r ON r.original = m.person_key
        WHERE m.basis = 'current'
        """
    )


def _events(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime, stats: KeyStats) -> None:
    """New, split, merge and retire events; retire keys that no family kept."""
    # previous keys no family took: merged into the family holding most of their members,
    # or retired when none of their members are in any family now
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_lost AS
        WITH active AS (
            SELECT DISTINCT family_key FROM _fm_prev
            WHERE family_key NOT IN (SELECT family_key FROM _fm_assign)
        ),
        destinations AS (
            SELECT o.family_key, a.family_key AS into_key, o.n,
                   row_number() OVER (
                       PARTITION BY o.family_key ORDER BY o.n DESC, a.family_key) AS rank
            FROM _fm_overlap o JOIN _fm_assign a USING (family_id)
            WHERE o.family_key IN (SELECT family_key FROM active)
        )
        SELECT k.family_key, d.into_key, coalesce(d.n, 0) AS n
        FROM active k LEFT JOIN destinations d ON d.family_key = k.family_key AND d.rank = 1
        """
    )
    con.execute(
        f"""
        INSERT INTO {EVENTS}
        SELECT ?, 'merge', into_key, [family_key], n,
               'family ' || family_key || ' joined this family: ' || n
                   || ' of its members now live at this family''s address', ?
        FROM _fm_lost WHERE into_key IS NOT NULL ORDER BY family_key
        """,
        [run_id, now],
    )
    con.execute(
        f"""
        INSERT INTO {EVENTS}
        SELECT ?, 'retire', family_key, [], 0,
               'none of the family''s members are in a family any more', ?
        FROM _fm_lost WHERE into_key IS NULL ORDER BY family_key
        """,
        [run_id, now],
    )
    con.execute(
        f"""
        UPDATE {KEYS} SET retired_at = ?, retired_run = ?, merged_into = l.into_key
        FROM _fm_lost l WHERE {KEYS}.family_key = l.family_key
        """,
        [now, run_id],
    )
    # new keys whose members came from families that live on under their old key: splits
    con.execute(
        f"""
        INSERT INTO {EVENTS}
        WITH origins AS (
            SELECT a.family_key, list(DISTINCT o.family_key ORDER BY o.family_key) AS old,
                   sum(o.n) AS n
            FROM _fm_assign a JOIN _fm_overlap o USING (family_id)
            WHERE a.is_new GROUP BY a.family_key
        )
        SELECT ?, 'split', family_key, old, n,
               n || ' member(s) of family ' || array_to_string(old, ', ')
                   || ' now live apart from it', ?
        FROM origins ORDER BY family_key
        """,
        [run_id, now],
    )
    con.execute(
        f"""
        INSERT INTO {EVENTS}
        SELECT ?, 'new', a.family_key, [], count(*), 'a family not seen before', ?
        FROM _fm_assign a JOIN _fm_family f USING (family_id)
        WHERE a.is_new AND a.family_key NOT IN (
            SELECT family_key FROM {EVENTS} WHERE run_id = ? AND kind = 'split')
        GROUP BY a.family_key ORDER BY a.family_key
        """,
        [run_id, now, run_id],
    )
    counts = dict(
        con.execute(
            f"SELECT kind, count(*) FROM {EVENTS} WHERE run_id = ? GROUP BY kind", [run_id]
        ).fetchall()
    )
    stats.merged = int(counts.get("merge", 0))
    stats.split = int(counts.get("split", 0))
    stats.retired = int(counts.get("retire", 0))


def _members_write(con: duckdb.DuckDBPyConnection, run_id: str, as_of: date) -> None:
    """Rewrite memberships: current rows, closed rows kept and newly closed, moves.

    A membership that changed ends when the person's new membership began, or, when they
    stayed where they were and the family changed around them, when the first newcomer
    arrived; failing both, at the as-of date of the run that noticed.
    """
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_now AS
        SELECT f.person_key, f.family_id, a.family_key, r.role, f.valid_from, f.address_id,
               f.basis AS placed_by
        FROM _fm_family f JOIN _fm_assign a USING (family_id)
        JOIN _fm_roles r USING (person_key)
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fm_ended AS
        SELECT p.person_key, p.family_key, p.role, p.valid_from, p.placed_by,
               CASE WHEN n.valid_from > p.valid_from THEN n.valid_from
                    ELSE coalesce((
                        SELECT min(o.valid_from) FROM _fm_now o
                        WHERE o.family_key = n.family_key AND o.person_key <> n.person_key
                          AND o.valid_from > p.valid_from), ?::DATE)
               END AS valid_to
        FROM {MEMBERS} p
        LEFT JOIN _fm_now n ON n.person_key = p.person_key
        WHERE p.basis = 'current'
          AND (n.person_key IS NULL OR n.family_key <> p.family_key OR n.role <> p.role)
        """,
        [as_of],
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fm_members_next AS
        -- current: a continuing membership keeps the date it began; a changed one starts
        -- when the one before it ended
        SELECT n.person_key, n.family_key, n.role,
               CASE WHEN p.person_key IS NOT NULL THEN p.valid_from
                    WHEN e.person_key IS NOT NULL THEN greatest(n.valid_from, e.valid_to)
                    ELSE n.valid_from END AS valid_from,
               NULL::DATE AS valid_to, ?::VARCHAR AS run_id, 'current' AS basis,
               n.placed_by
        FROM _fm_now n
        LEFT JOIN {MEMBERS} p
          ON p.basis = 'current' AND p.person_key = n.person_key
         AND p.family_key = n.family_key AND p.role = n.role
        LEFT JOIN _fm_ended e ON e.person_key = n.person_key
        UNION ALL
        -- closed earlier
        SELECT person_key, family_key, role, valid_from, valid_to, run_id, basis, placed_by
        FROM {MEMBERS} WHERE basis = 'closed'
        UNION ALL
        -- closed now: the person left, changed role, or the key was merged away
        SELECT person_key, family_key, role, valid_from, valid_to, ?, 'closed', placed_by
        FROM _fm_ended
        """,
        [run_id, run_id],
    )
    _moves(con, run_id)
    con.execute(f"DELETE FROM {MEMBERS}")
    con.execute(
        f"INSERT INTO {MEMBERS} SELECT * FROM _fm_members_next "
        "ORDER BY family_key, person_key, valid_from, basis"
    )


def _moves(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """History from residence: earlier episodes at an address that is a current family's
    home, as membership of that family for the time the person lived there."""
    con.execute(
        """
        INSERT INTO _fm_members_next
        WITH homes AS (
            SELECT DISTINCT address_id, family_key FROM _fm_now
            WHERE address_id IS NOT NULL AND family_id LIKE 'A:%'
        ),
        earlier AS (
            SELECT e.person_key, h.family_key, e.valid_from, e.valid_to, p.age,
                   p.birth_year
            FROM _fm_episodes e
            JOIN homes h USING (address_id)
            JOIN _fm_people p USING (person_key)
            JOIN _fm_now n USING (person_key)
            WHERE e.valid_to IS NOT NULL AND e.precision = 'address'
              AND n.family_key <> h.family_key
        ),
        parental AS (
            SELECT DISTINCT r.person_key_a AS person_key, n.family_key
            FROM _fm_edges r JOIN _fm_now n ON n.person_key = r.person_key_b
            WHERE r.relation IN ('PARENT_CHILD', 'CARER_CHILD', 'ADULT_CHILD')
        )
        SELECT e.person_key, e.family_key,
               CASE WHEN e.birth_year IS NOT NULL AND year(e.valid_to) - e.birth_year < 18
                        THEN 'CHILD'
                    WHEN pa.person_key IS NOT NULL THEN 'PARENT'
                    WHEN e.age <= 25 THEN 'YOUNG_ADULT'
                    ELSE 'OTHER_ADULT' END,
               e.valid_from, e.valid_to, ?, 'moved', 'earlier address'
        FROM earlier e
        LEFT JOIN parental pa ON pa.person_key = e.person_key AND pa.family_key = e.family_key
        """,
        [run_id],
    )
