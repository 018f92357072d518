"""What families need to know about each person key: age, sex, surnames, early help role.

Each is the value most of the key's records give (a mistyped date of birth on one record
does not make a parent a child). Ages are at the as-of date; a key with only a year of
birth gets an age from the year. Some feeds (housing and benefits) carry no sex: a key
none of whose records gives one takes the sex its forename has in at least nine in ten
of the warehouse's own records that do (and at least ``_NAME_SEX_MIN`` of them).
"""

from __future__ import annotations

from datetime import date

import duckdb

from kinlink.warehouse.schema import PERSON_RECORD_TABLE

_NAME_SEX_MIN = 3


def people_build(con: duckdb.DuckDBPyConnection, as_of: date) -> int:
    """``_fm_people``: one row per current person key."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fm_people AS
        WITH r AS (
            SELECT m.person_key, p.dob, p.dob_year, p.sex, p.surname_key,
                   p.preferred_surname_key, p.forename_key, p.role
            FROM {PERSON_RECORD_TABLE} p JOIN person_key_members m USING (record_id)
        ),
        names AS (
            SELECT forename_key, count(*) FILTER (WHERE sex = 'M') AS m,
                   count(*) FILTER (WHERE sex = 'F') AS f
            FROM r WHERE sex IN ('M', 'F') AND forename_key IS NOT NULL
            GROUP BY forename_key HAVING count(*) >= {_NAME_SEX_MIN}
        ),
        name_sex AS (
            SELECT forename_key, CASE WHEN m >= 0.9 * (m + f) THEN 'M' ELSE 'F' END AS sex
            FROM names WHERE greatest(m, f) >= 0.9 * (m + f)
        ),
        guessed AS (
            SELECT r.person_key, list_aggregate(list_sort(list(n.sex)), 'mode') AS sex
            FROM r JOIN name_sex n USING (forename_key) GROUP BY r.person_key
        ),
        young_roles AS (
            SELECT DISTINCT person_key FROM r
            WHERE role IN ('pupil', 'child', 'child_present', 'young_person')
        ),
        dobs AS (
            SELECT person_key, dob FROM (
                SELECT person_key, dob, row_number() OVER (
                    PARTITION BY person_key ORDER BY count(*) DESC, dob) AS rank
                FROM r WHERE dob IS NOT NULL GROUP BY person_key, dob
            ) WHERE rank = 1
        ),
        years AS (
            SELECT person_key, dob_year FROM (
                SELECT person_key, dob_year, row_number() OVER (
                    PARTITION BY person_key ORDER BY count(*) DESC, dob_year) AS rank
                FROM r WHERE dob_year IS NOT NULL GROUP BY person_key, dob_year
            ) WHERE rank = 1
        ),
        sexes AS (
            SELECT person_key, sex FROM (
                SELECT person_key, sex, row_number() OVER (
                    PARTITION BY person_key ORDER BY count(*) DESC, sex) AS rank
                FROM r WHERE sex IN ('M', 'F') GROUP BY person_key, sex
            ) WHERE rank = 1
        ),
        words AS (
            SELECT person_key, list(DISTINCT word ORDER BY word) AS surnames FROM (
                SELECT person_key, unnest(string_split(surname_key, ' ')) AS word FROM r
                WHERE surname_key IS NOT NULL
                UNION ALL
                SELECT person_key, unnest(string_split(preferred_surname_key, ' ')) FROM r
                WHERE preferred_surname_key IS NOT NULL
            ) WHERE length(word) > 1
            GROUP BY person_key
        ),
        eh AS (
            SELECT m.person_key, arg_max(e.family_role, e.episode_start) AS eh_role
            FROM early_help_episode e JOIN person_key_members m USING (record_id)
            WHERE e.family_role IS NOT NULL AND e.episode_start <= ?
            GROUP BY m.person_key
        ),
        keys AS (
            -- people known by the as-of date (a record then, or an undated one)
            SELECT DISTINCT m.person_key
            FROM person_key_members m JOIN {PERSON_RECORD_TABLE} p USING (record_id)
            WHERE p.observed_date IS NULL OR p.observed_date <= ?
        )
        SELECT k.person_key, d.dob, coalesce(year(d.dob), y.dob_year) AS birth_year,
               CASE WHEN d.dob IS NOT NULL THEN date_diff('year', d.dob, ?::DATE)
                        - CASE WHEN strftime(d.dob, '%m%d') > strftime(?::DATE, '%m%d')
                               THEN 1 ELSE 0 END
                    WHEN y.dob_year IS NOT NULL THEN year(?::DATE) - y.dob_year - 1
               END AS age,
               coalesce(s.sex, g.sex) AS sex, s.sex IS NULL AND g.sex IS NOT NULL AS sex_guessed,
               coalesce(w.surnames, []) AS surnames, eh.eh_role,
               yr.person_key IS NOT NULL AS named_as_child
        FROM keys k
        LEFT JOIN dobs d USING (person_key)
        LEFT JOIN years y USING (person_key)
        LEFT JOIN sexes s USING (person_key)
        LEFT JOIN guessed g USING (person_key)
        LEFT JOIN young_roles yr USING (person_key)
        LEFT JOIN words w USING (person_key)
        LEFT JOIN eh USING (person_key)
        """,
        [as_of, as_of, as_of, as_of, as_of],
    )
    row = con.execute("SELECT count(*) FROM _fm_people").fetchone()
    return int(row[0]) if row else 0
