"""Address observations: where each person key was said to live, and when.

Every person record that carries an address is one observation for its person key. The
UPRN is the household key; when it is missing, the address is the postcode plus the
address's numbers and its first street word (``KC1 2AB|12|windsor``), which survives
abbreviations, a missing locality and the town written or not. A record with only a
postcode (health, social care, youth justice, NEET) is a weaker observation: it cannot
place a person at an address, but it can show that they have moved.

UPRNs are keyed by hand too. An observation's UPRN that is rarer than the UPRN most
records give for the same written address is taken to be a slip and replaced by it.
A written address that no record gives a UPRN for (police arrests carry none) takes the
UPRN of records that give the same number and street with no postcode, when that number
and street are written with one postcode only and belong to one UPRN only.

Written as SQL over temporary tables on the warehouse connection.
"""

from __future__ import annotations

from datetime import date

import duckdb

from kinlink.warehouse.schema import PERSON_RECORD_TABLE

PERSON_KEY_MEMBERS = "person_key_members"

#: Precision of an observation: a full address, a domestic abuse incident address given
#: for the perpetrator (where the incident happened, not necessarily where they live),
#: or a postcode alone.
ADDRESS, INCIDENT, POSTCODE = "address", "incident", "postcode"

_NUMBER = "'^[0-9]+[a-z]?$'"
_NOT_STREET = "('flat', 'apartment', 'apt', 'unit', 'room', 'no', 'number')"


def _text_key(alias: str) -> str:
    """SQL for the written-address key: postcode | numbers | first street word."""
    tokens = f"{alias}.address_tokens"
    return f"""
        CASE WHEN {alias}.postcode_valid AND len(list_filter({tokens},
                  lambda t: regexp_matches(t, {_NUMBER}))) > 0
             THEN {alias}.postcode || '|'
                  || array_to_string(list_filter({tokens},
                         lambda t: regexp_matches(t, {_NUMBER})), ' ') || '|'
                  || coalesce(list_filter({tokens},
                         lambda t: NOT regexp_matches(t, {_NUMBER})
                                   AND t NOT IN {_NOT_STREET})[1], '')
        END"""


def _street_key(alias: str) -> str:
    """SQL for the written address without its postcode: numbers | first street word."""
    tokens = f"{alias}.address_tokens"
    return f"""
        CASE WHEN len(list_filter({tokens}, lambda t: regexp_matches(t, {_NUMBER}))) > 0
             THEN array_to_string(list_filter({tokens},
                      lambda t: regexp_matches(t, {_NUMBER})), ' ') || '|'
                  || coalesce(list_filter({tokens},
                         lambda t: NOT regexp_matches(t, {_NUMBER})
                                   AND t NOT IN {_NOT_STREET})[1], '')
        END"""


def observations_build(con: duckdb.DuckDBPyConnection, as_of: date) -> int:
    """``_fm_obs``: one row per dated address observation of a person key, up to ``as_of``.

    Snapshot extracts (early help, social care) give the address as it was when the
    extract was taken, so an ended episode's address is dated by its end and an open
    one's by the extract: no earlier than the latest start or end date the extract holds.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fm_obs_raw AS
        WITH taken AS (
            SELECT batch_id, max(greatest(episode_start, coalesce(episode_end, episode_start)))
                       AS taken
            FROM early_help_episode GROUP BY batch_id
            UNION ALL
            SELECT batch_id, max(greatest(start_date, coalesce(end_date, start_date)))
            FROM social_care_episode GROUP BY batch_id
        )
        SELECT r.record_id, m.person_key, r.feed, r.role,
               CASE WHEN eh.episode_end IS NOT NULL
                    THEN greatest(r.observed_date, eh.episode_end)
                    WHEN sc.end_date IS NOT NULL
                    THEN greatest(r.observed_date, sc.end_date)
                    WHEN t.taken IS NOT NULL
                    THEN greatest(r.observed_date, t.taken)
                    ELSE r.observed_date END AS obs_date,
               nullif(trim(r.uprn), '') AS uprn,
               CASE WHEN r.postcode_valid THEN r.postcode END AS postcode,
               {_text_key("r")} AS tkey, {_street_key("r")} AS skey
        FROM {PERSON_RECORD_TABLE} r
        JOIN {PERSON_KEY_MEMBERS} m USING (record_id)
        LEFT JOIN early_help_episode eh USING (record_id)
        LEFT JOIN social_care_episode sc USING (record_id)
        LEFT JOIN taken t ON t.batch_id = coalesce(eh.batch_id, sc.batch_id)
        WHERE r.observed_date IS NOT NULL
          AND (nullif(trim(r.uprn), '') IS NOT NULL OR r.postcode_valid)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_obs_raw2 AS
        SELECT *,
               CASE WHEN uprn IS NULL AND tkey IS NULL THEN 'postcode'
                    WHEN role = 'perpetrator' THEN 'incident'
                    ELSE 'address' END AS precision
        FROM _fm_obs_raw WHERE obs_date <= ?
        """,
        [as_of],
    )
    _resolve(con)
    row = con.execute("SELECT count(*) FROM _fm_obs").fetchone()
    return int(row[0]) if row else 0


def _resolve(con: duckdb.DuckDBPyConnection) -> None:
    """Give every full observation an ``address_id``: its UPRN, corrected where a rarer
    UPRN contradicts the written address, else the written address's usual UPRN, else the
    written address itself."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_uprn_n AS
        SELECT uprn, count(*) AS n FROM _fm_obs_raw2 WHERE uprn IS NOT NULL GROUP BY uprn
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_tkey_uprn AS
        SELECT tkey, uprn, n FROM (
            SELECT o.tkey, o.uprn, u.n,
                   row_number() OVER (PARTITION BY o.tkey ORDER BY count(*) DESC, u.n DESC,
                                      o.uprn) AS rank
            FROM _fm_obs_raw2 o JOIN _fm_uprn_n u USING (uprn)
            WHERE o.tkey IS NOT NULL
            GROUP BY o.tkey, o.uprn, u.n
        ) WHERE rank = 1
        """
    )
    # A written address with no UPRN on any record that also gives its postcode (a police
    # arrest) takes the UPRN of records that give the same number and street without a
    # postcode (a domestic abuse incident whose postcode was left blank), when that number
    # and street belong to one UPRN only and are written with one postcode only.
    con.execute(
        """
        INSERT INTO _fm_tkey_uprn
        WITH bare AS (
            SELECT skey, min(uprn) AS uprn, count(DISTINCT uprn) AS uprns
            FROM _fm_obs_raw2
            WHERE skey IS NOT NULL AND uprn IS NOT NULL AND postcode IS NULL
            GROUP BY skey
        ),
        written AS (
            SELECT skey, min(tkey) AS tkey, count(DISTINCT tkey) AS tkeys
            FROM _fm_obs_raw2 WHERE tkey IS NOT NULL GROUP BY skey
        ),
        uprn_streets AS (
            SELECT uprn, count(DISTINCT skey) AS skeys FROM _fm_obs_raw2
            WHERE uprn IS NOT NULL AND skey IS NOT NULL GROUP BY uprn
        )
        SELECT w.tkey, b.uprn, u.n
        FROM written w
        JOIN bare b USING (skey)
        JOIN _fm_uprn_n u ON u.uprn = b.uprn
        JOIN uprn_streets us ON us.uprn = b.uprn
        WHERE w.tkeys = 1 AND b.uprns = 1 AND us.skeys = 1
          AND w.tkey NOT IN (SELECT tkey FROM _fm_tkey_uprn)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_obs AS
        SELECT o.record_id, o.person_key, o.feed, o.role, o.obs_date, o.precision,
               o.postcode,
               CASE
                   WHEN o.precision = 'postcode' THEN 'postcode:' || o.postcode
                   WHEN o.uprn IS NOT NULL AND t.uprn IS NOT NULL AND t.uprn <> o.uprn
                        AND u.n < t.n THEN t.uprn
                   WHEN o.uprn IS NOT NULL THEN o.uprn
                   WHEN t.uprn IS NOT NULL THEN t.uprn
                   ELSE 'address:' || o.tkey
               END AS address_id
        FROM _fm_obs_raw2 o
        LEFT JOIN _fm_tkey_uprn t USING (tkey)
        LEFT JOIN _fm_uprn_n u ON u.uprn = o.uprn
        """
    )
    # The postcode of each address, for comparing with postcode-only observations.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_address_postcode AS
        SELECT address_id, list_aggregate(list_sort(list(postcode)), 'mode') AS postcode,
               CASE WHEN address_id LIKE 'address:%' THEN NULL ELSE address_id END AS uprn
        FROM _fm_obs WHERE precision <> 'postcode'
        GROUP BY address_id
        """
    )
    for table in ("_fm_obs_raw", "_fm_obs_raw2", "_fm_uprn_n", "_fm_tkey_uprn"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
