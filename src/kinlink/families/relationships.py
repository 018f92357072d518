"""Relationship edges between person keys, each with its evidence and validity dates.

Evidence, strongest first:

* **early help**: people in one early help family (``eh_family_id``) with their recorded
  roles: parent and child, carer and child, partners, siblings, other relatives;
* **domestic abuse**: the perpetrator and victim of an incident, and the adults with the
  children present;
* **housing and benefits**: members named together under one household reference;
* **social care**: a child's episode at the postcode of the address they live at, with the
  adults living there;
* **co-residence**: person keys whose residence episodes at one address overlap.

Where the source gives no roles (housing, co-residence) the relation comes from ages at
the time: two children are siblings, an adult and a child at least ``parent_gap_min``
years younger are adult and child, anyone else is household.

Directed relations (``PARENT_CHILD``, ``CARER_CHILD``, ``ADULT_CHILD``,
``PERPETRATOR_VICTIM``) read from ``person_key_a`` to ``person_key_b``; the others have
``person_key_a < person_key_b``. Families are grouped by address, not by these edges: a
relationship does not say who lives together now. The edges explain a family, give roles
and keep a shared house from being split when the people in it are related.
"""

from __future__ import annotations

from datetime import date

import duckdb

from kinlink.families.models import FamiliesConfig

#: Relations whose direction matters (a is the adult, the perpetrator).
DIRECTED = ("PARENT_CHILD", "CARER_CHILD", "ADULT_CHILD", "PERPETRATOR_VICTIM")

EDGE_COLUMNS = (
    "person_key_a, person_key_b, relation, evidence, evidence_ref, detail, feeds, record_ids, "
    "valid_from, valid_to"
)


def _by_age(a_year: str, b_year: str, when: str, config: FamiliesConfig) -> str:
    """SQL: the relation two co-members have, judged by their years of birth on ``when``."""
    return f"""
        CASE WHEN {a_year} IS NULL OR {b_year} IS NULL THEN 'HOUSEHOLD'
             WHEN year({when}) - greatest({a_year}, {b_year}) < {config.adult_age}
                  AND year({when}) - least({a_year}, {b_year}) < {config.adult_age}
                  THEN 'SIBLING'
             WHEN abs({a_year} - {b_year}) BETWEEN {config.parent_gap_min}
                  AND {config.parent_gap_max}
                  AND year({when}) - greatest({a_year}, {b_year}) < {config.adult_age}
                  THEN 'ADULT_CHILD'
             ELSE 'HOUSEHOLD' END"""


def relationships_build(
    con: duckdb.DuckDBPyConnection, as_of: date, config: FamiliesConfig
) -> dict[str, int]:
    """Build ``_fm_edges``; count edges by evidence."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_edges (
            person_key_a VARCHAR, person_key_b VARCHAR, relation VARCHAR, evidence VARCHAR,
            evidence_ref VARCHAR, detail VARCHAR, feeds VARCHAR[], record_ids VARCHAR[],
            valid_from DATE, valid_to DATE
        )
        """
    )
    _early_help(con, as_of)
    _domestic_abuse(con, as_of)
    _housing(con, as_of, config)
    _social_care(con, as_of)
    _co_residence(con, as_of, config)
    return {
        str(kind): int(n)
        for kind, n in con.execute(
            "SELECT evidence, count(*) FROM _fm_edges GROUP BY evidence ORDER BY evidence"
        ).fetchall()
    }


def _early_help(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    con.execute(
        """
        INSERT INTO _fm_edges
        WITH member AS (
            SELECT m.person_key, e.eh_family_id,
                   arg_max(e.family_role, e.episode_start) AS role,
                   list(e.record_id ORDER BY e.record_id) AS records,
                   min(e.episode_start) AS first_start,
                   CASE WHEN bool_or(e.episode_end IS NULL OR e.episode_end > ?) THEN NULL
                        ELSE max(e.episode_end) END AS last_end
            FROM early_help_episode e JOIN person_key_members m USING (record_id)
            WHERE e.eh_family_id IS NOT NULL AND e.episode_start <= ?
            GROUP BY m.person_key, e.eh_family_id
        ),
        ranked AS (
            SELECT *, CASE role WHEN 'PARENT' THEN 1 WHEN 'CARER' THEN 1 WHEN 'OTHER' THEN 2
                                ELSE 3 END AS generation
            FROM member
        )
        SELECT a.person_key, b.person_key,
               CASE WHEN a.role = 'OTHER' OR b.role = 'OTHER' THEN 'RELATIVE'
                    WHEN a.generation = 1 AND b.generation = 3
                         THEN CASE a.role WHEN 'CARER' THEN 'CARER_CHILD' ELSE 'PARENT_CHILD' END
                    WHEN a.generation = 1 THEN 'PARTNER'
                    ELSE 'SIBLING' END,
               'early_help', a.eh_family_id, a.role || '/' || b.role, ['early_help'],
               list_concat(a.records, b.records),
               greatest(a.first_start, b.first_start),
               CASE WHEN a.last_end IS NULL AND b.last_end IS NULL THEN NULL
                    ELSE least(a.last_end, b.last_end) END
        FROM ranked a JOIN ranked b
          ON a.eh_family_id = b.eh_family_id AND a.person_key <> b.person_key
         AND (a.generation < b.generation
              OR (a.generation = b.generation AND a.person_key < b.person_key))
        """,
        [as_of, as_of],
    )


def _domestic_abuse(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    con.execute(
        """
        INSERT INTO _fm_edges
        WITH named AS (
            SELECT m.person_key, d.incident_ref, d.role, d.record_id, d.incident_date
            FROM domestic_abuse_incident d JOIN person_key_members m USING (record_id)
            WHERE d.incident_ref IS NOT NULL AND d.incident_date <= ?
        ),
        pairs AS (
            SELECT a.person_key AS ka, b.person_key AS kb, a.incident_ref, a.role AS ra,
                   b.role AS rb, a.record_id AS rec_a, b.record_id AS rec_b,
                   a.incident_date
            FROM named a JOIN named b
              ON a.incident_ref = b.incident_ref AND a.person_key <> b.person_key
            WHERE (a.role = 'perpetrator' AND b.role = 'victim')
               OR (a.role IN ('victim', 'perpetrator') AND b.role = 'child_present')
               OR (a.role = 'child_present' AND b.role = 'child_present'
                   AND a.person_key < b.person_key)
        )
        SELECT ka, kb,
               CASE WHEN ra = 'perpetrator' AND rb = 'victim' THEN 'PERPETRATOR_VICTIM'
                    WHEN rb = 'child_present' AND ra <> 'child_present' THEN 'ADULT_CHILD'
                    ELSE 'SIBLING' END,
               'domestic_abuse', incident_ref, ra || '/' || rb, ['domestic_abuse'],
               list(DISTINCT rec ORDER BY rec), min(incident_date), max(incident_date)
        FROM (SELECT *, unnest([rec_a, rec_b]) AS rec FROM pairs)
        GROUP BY ka, kb, incident_ref, ra, rb
        """,
        [as_of],
    )


def _housing(con: duckdb.DuckDBPyConnection, as_of: date, config: FamiliesConfig) -> None:
    relation = _by_age("pa.birth_year", "pb.birth_year", "x.valid_from", config)
    con.execute(
        f"""
        INSERT INTO _fm_edges
        WITH member AS (
            SELECT m.person_key, h.household_ref, list(h.record_id ORDER BY h.record_id)
                       AS records, min(h.flag_date) AS first_date, max(h.flag_date) AS last_date
            FROM housing_flag h JOIN person_key_members m USING (record_id)
            WHERE h.household_ref IS NOT NULL AND h.flag_date <= ?
            GROUP BY m.person_key, h.household_ref
        ),
        x AS (
            SELECT a.person_key AS ka, b.person_key AS kb, a.household_ref,
                   list_concat(a.records, b.records) AS records,
                   greatest(a.first_date, b.first_date) AS valid_from,
                   least(a.last_date, b.last_date) AS valid_to
            FROM member a JOIN member b
              ON a.household_ref = b.household_ref AND a.person_key < b.person_key
        ),
        classified AS (
            SELECT x.*, {relation} AS relation,
                   coalesce(pa.birth_year, 9999) <= coalesce(pb.birth_year, 9999) AS a_older
            FROM x JOIN _fm_people pa ON pa.person_key = x.ka
                   JOIN _fm_people pb ON pb.person_key = x.kb
        )
        SELECT CASE WHEN relation = 'ADULT_CHILD' AND NOT a_older THEN kb ELSE ka END,
               CASE WHEN relation = 'ADULT_CHILD' AND NOT a_older THEN ka ELSE kb END,
               relation, 'housing_benefits', household_ref, 'member/member',
               ['housing_benefits'], records, valid_from, valid_to
        FROM classified
        """,
        [as_of],
    )


def _social_care(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    con.execute(
        """
        INSERT INTO _fm_edges
        WITH sc AS (
            SELECT m.person_key, s.record_id, s.episode_type, s.start_date, p.postcode
            FROM social_care_episode s
            JOIN person_key_members m USING (record_id)
            JOIN person_records p USING (record_id)
            WHERE s.start_date <= ? AND p.postcode_valid
        ),
        placed AS (
            SELECT sc.*, e.address_id, e.first_record
            FROM sc JOIN _fm_episodes e
              ON e.person_key = sc.person_key AND e.precision = 'address'
             AND e.postcode = sc.postcode AND e.valid_from <= sc.start_date
             AND (e.valid_to IS NULL OR e.valid_to > sc.start_date)
        )
        SELECT o.person_key, c.person_key, 'ADULT_CHILD', 'social_care', c.address_id,
               'adult/' || any_value(c.episode_type), ['social_care', 'residence'],
               list(DISTINCT r ORDER BY r), min(c.start_date), max(c.start_date)
        FROM placed c
        JOIN _fm_episodes o
          ON o.address_id = c.address_id AND o.person_key <> c.person_key
         AND o.precision = 'address' AND o.valid_from <= c.start_date
         AND (o.valid_to IS NULL OR o.valid_to > c.start_date)
        JOIN _fm_people p ON p.person_key = o.person_key
        JOIN _fm_people k ON k.person_key = c.person_key
        CROSS JOIN unnest([c.record_id, o.first_record]) AS t(r)
        WHERE p.birth_year IS NOT NULL AND year(c.start_date) - p.birth_year >= 18
          AND (k.birth_year IS NULL OR p.birth_year < k.birth_year)
        GROUP BY o.person_key, c.person_key, c.address_id
        """,
        [as_of],
    )


def _co_residence(con: duckdb.DuckDBPyConnection, as_of: date, config: FamiliesConfig) -> None:
    relation = _by_age("pa.birth_year", "pb.birth_year", "x.valid_from", config)
    con.execute(
        f"""
        INSERT INTO _fm_edges
        WITH small AS (
            SELECT address_id FROM _fm_episodes WHERE precision = 'address'
            GROUP BY address_id HAVING count(DISTINCT person_key) <= {config.max_household_size}
        ),
        ep AS (
            SELECT e.* FROM _fm_episodes e JOIN small USING (address_id)
            WHERE e.precision = 'address'
        ),
        x AS (
            SELECT a.person_key AS ka, b.person_key AS kb, a.address_id,
                   greatest(a.valid_from, b.valid_from) AS valid_from,
                   CASE WHEN a.valid_to IS NULL AND b.valid_to IS NULL THEN NULL
                        ELSE least(a.valid_to, b.valid_to) END AS valid_to,
                   list_distinct(list_concat(a.feeds, b.feeds)) AS feeds,
                   list_distinct([a.first_record, a.last_record, b.first_record,
                                  b.last_record])[:{config.edge_records}] AS records
            FROM ep a JOIN ep b
              ON a.address_id = b.address_id AND a.person_key < b.person_key
             AND a.valid_from <= coalesce(b.valid_to, greatest(?, b.valid_from))
             AND b.valid_from <= coalesce(a.valid_to, greatest(?, a.valid_from))
        ),
        best AS (
            SELECT * FROM x
            QUALIFY row_number() OVER (
                PARTITION BY ka, kb, address_id ORDER BY valid_from DESC) = 1
        ),
        classified AS (
            SELECT x.*, {relation} AS relation,
                   coalesce(pa.birth_year, 9999) <= coalesce(pb.birth_year, 9999) AS a_older
            FROM best x JOIN _fm_people pa ON pa.person_key = x.ka
                        JOIN _fm_people pb ON pb.person_key = x.kb
        )
        SELECT CASE WHEN relation = 'ADULT_CHILD' AND NOT a_older THEN kb ELSE ka END,
               CASE WHEN relation = 'ADULT_CHILD' AND NOT a_older THEN ka ELSE kb END,
               relation, 'co_residence', address_id, 'same address',
               list_sort(feeds), list_sort(records), valid_from, valid_to
        FROM classified
        """,
        [as_of, as_of],
    )
