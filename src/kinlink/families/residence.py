"""Residence episodes and households, from dated address observations.

A person key's observations, in date order, fall into runs at one address; each run is a
residence episode from its first observation until the next episode starts (open while
it is the latest). Two kinds of noise are handled before that:

* **stale copies.** After a move, partner systems keep the old address for a while. An
  observation of an address made after a *newer* address was first seen (within
  ``stale_days``) is a stale copy and is ignored; a return after longer is a real move.
* **moves seen only by postcode.** Health, social care and NEET records carry a postcode
  but no address. When the latest of them, after the last full observation, gives a
  postcode the person has never been seen at, the person has moved somewhere unknown:
  their episode at the old address ends and a postcode-only episode begins.

A household is the set of person keys whose episodes at one address overlap: the
address's episodes are grouped into islands of overlapping periods.
"""

from __future__ import annotations

from datetime import date

import duckdb


def episodes_build(con: duckdb.DuckDBPyConnection, stale_days: int) -> int:
    """``_fm_episodes`` from ``_fm_obs``; returns the number of episodes."""
    # Each key's evidence of the best precision it has: an address, else the address of an
    # incident where they were named perpetrator, else postcodes alone.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_primary AS
        WITH best AS (
            SELECT person_key,
                   min(CASE precision WHEN 'address' THEN 1 WHEN 'incident' THEN 2 ELSE 3 END)
                       AS level
            FROM _fm_obs GROUP BY person_key
        )
        SELECT o.* FROM _fm_obs o JOIN best b USING (person_key)
        WHERE CASE o.precision WHEN 'address' THEN 1 WHEN 'incident' THEN 2 ELSE 3 END = b.level
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_first AS
        SELECT person_key, address_id, min(obs_date) AS first_seen
        FROM _fm_primary GROUP BY person_key, address_id
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_fresh AS
        SELECT o.* FROM _fm_primary o JOIN _fm_first f USING (person_key, address_id)
        WHERE NOT EXISTS (
            SELECT 1 FROM _fm_first g
            WHERE g.person_key = o.person_key AND g.address_id <> o.address_id
              AND g.first_seen > f.first_seen AND g.first_seen <= o.obs_date
              AND o.obs_date - g.first_seen <= ?
        )
        """,
        [stale_days],
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_runs AS
        WITH ordered AS (
            SELECT *, CASE WHEN address_id IS DISTINCT FROM lag(address_id) OVER w
                           THEN 1 ELSE 0 END AS change
            FROM _fm_fresh
            WINDOW w AS (PARTITION BY person_key ORDER BY obs_date, address_id, record_id)
        )
        SELECT *, sum(change) OVER (
            PARTITION BY person_key ORDER BY obs_date, address_id, record_id
            ROWS UNBOUNDED PRECEDING
        ) AS run
        FROM ordered
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_episodes0 AS
        SELECT person_key, run, any_value(address_id) AS address_id,
               any_value(precision) AS precision,
               min(obs_date) AS valid_from, max(obs_date) AS last_seen,
               count(*) AS observations, list(DISTINCT feed ORDER BY feed) AS feeds,
               arg_min(record_id, obs_date) AS first_record,
               arg_max(record_id, obs_date) AS last_record
        FROM _fm_runs GROUP BY person_key, run
        """
    )
    _moves_by_postcode(con)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_episodes AS
        SELECT e.person_key, e.address_id, a.uprn,
               coalesce(a.postcode, CASE WHEN e.precision = 'postcode'
                                         THEN substr(e.address_id, 10) END) AS postcode,
               e.precision, e.valid_from,
               lead(e.valid_from) OVER (
                   PARTITION BY e.person_key ORDER BY e.valid_from, e.run
               ) AS valid_to,
               e.last_seen, e.observations, e.feeds, e.first_record, e.last_record
        FROM (SELECT * FROM _fm_episodes0 UNION ALL BY NAME SELECT * FROM _fm_moved) e
        LEFT JOIN _fm_address_postcode a USING (address_id)
        """
    )
    for table in ("_fm_primary", "_fm_first", "_fm_fresh", "_fm_runs", "_fm_episodes0"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    row = con.execute("SELECT count(*) FROM _fm_episodes").fetchone()
    return int(row[0]) if row else 0


def _moves_by_postcode(con: duckdb.DuckDBPyConnection) -> None:
    """``_fm_moved``: a postcode-only episode for keys whose latest postcode-only record,
    after their last full observation, is at a postcode they were never seen at."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_moved AS
        WITH latest AS (
            SELECT e.person_key, e.run, e.last_seen, a.postcode
            FROM _fm_episodes0 e JOIN _fm_address_postcode a USING (address_id)
            WHERE e.precision <> 'postcode'
            QUALIFY row_number() OVER (
                PARTITION BY e.person_key ORDER BY e.valid_from DESC, e.run DESC
            ) = 1
        ),
        known AS (
            SELECT DISTINCT e.person_key, a.postcode
            FROM _fm_episodes0 e JOIN _fm_address_postcode a USING (address_id)
            WHERE a.postcode IS NOT NULL
        ),
        after AS (
            SELECT o.person_key, o.postcode, o.obs_date, o.record_id, o.feed, l.run
            FROM _fm_obs o JOIN latest l USING (person_key)
            WHERE o.precision = 'postcode' AND o.obs_date > l.last_seen
              AND l.postcode IS NOT NULL
        ),
        last_word AS (
            SELECT * FROM after
            QUALIFY row_number() OVER (
                PARTITION BY person_key ORDER BY obs_date DESC, postcode
            ) = 1
        )
        SELECT w.person_key, w.run + 1 AS run, 'postcode:' || w.postcode AS address_id,
               'postcode' AS precision, min(a.obs_date) AS valid_from,
               max(a.obs_date) AS last_seen, count(*) AS observations,
               list(DISTINCT a.feed ORDER BY a.feed) AS feeds,
               arg_min(a.record_id, a.obs_date) AS first_record,
               arg_max(a.record_id, a.obs_date) AS last_record
        FROM last_word w
        JOIN after a ON a.person_key = w.person_key AND a.postcode = w.postcode
        WHERE NOT EXISTS (
            SELECT 1 FROM known k WHERE k.person_key = w.person_key AND k.postcode = w.postcode
        )
        GROUP BY w.person_key, w.run, w.postcode
        """
    )


def households_build(con: duckdb.DuckDBPyConnection, as_of: date) -> int:
    """``_fm_households``: islands of overlapping episodes at each full address."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_households AS
        WITH spans AS (
            SELECT person_key, address_id, valid_from,
                   coalesce(valid_to, greatest(?, valid_from)) AS until, valid_to
            FROM _fm_episodes WHERE precision = 'address'
        ),
        marked AS (
            SELECT *, CASE WHEN valid_from > max(until) OVER (
                               PARTITION BY address_id ORDER BY valid_from, person_key
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                           THEN 1 ELSE 0 END AS gap
            FROM spans
        ),
        islands AS (
            SELECT *, sum(gap) OVER (
                PARTITION BY address_id ORDER BY valid_from, person_key
                ROWS UNBOUNDED PRECEDING
            ) AS island
            FROM marked
        )
        SELECT address_id || '#' || strftime(min(valid_from) OVER (
                   PARTITION BY address_id, island), '%Y-%m-%d') AS household_id,
               address_id, person_key, valid_from, valid_to
        FROM islands
        """,
        [as_of],
    )
    row = con.execute("SELECT count(DISTINCT household_id) FROM _fm_households").fetchone()
    return int(row[0]) if row else 0
