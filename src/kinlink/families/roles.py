"""Family roles: PARENT, CARER, CHILD, YOUNG_ADULT, OTHER_ADULT.

Roles follow generations within a current family, judged by ages at the as-of date:

* under ``adult_age``: CHILD;
* an adult with a member ``parent_gap_min``..``parent_gap_max`` years older, who has no
  one that much younger and is at most ``young_adult_max_age`` + 5: YOUNG_ADULT (a grown
  child still at home);
* an adult with a member that much younger: PARENT, unless one of those younger members
  is a parent too (then they are a grandparent: OTHER_ADULT);
* another adult in a family with children: YOUNG_ADULT up to ``young_adult_max_age``
  (a grown sibling whose parents no record shows), else PARENT when close in age to
  another adult (the partner), else OTHER_ADULT;
* in a family without children: YOUNG_ADULT when living alone (or as relatives in a
  house share) at up to ``young_adult_max_age``, otherwise OTHER_ADULT (a couple, a
  sharer over the age).

The early help role, when the person has one and the family has children, refines
this: its CARER (a step-parent) and OTHER (a grandparent, an aunt) are kept.
"""

from __future__ import annotations

import duckdb

from kinlink.families.models import FamiliesConfig


def roles_assign(con: duckdb.DuckDBPyConnection, config: FamiliesConfig) -> dict[str, int]:
    """``_fm_roles(person_key, family_id, role)``; returns counts by role."""
    c = config
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fm_roles AS
        WITH m AS (
            SELECT f.person_key, f.family_id, p.age, p.eh_role, p.named_as_child
            FROM _fm_family f JOIN _fm_people p USING (person_key)
        ),
        sizes AS (
            SELECT family_id, count(*) AS n, count(*) FILTER (WHERE age < {c.adult_age})
                       AS minors
            FROM m GROUP BY family_id
        ),
        gaps AS (
            SELECT a.person_key,
                   bool_or(a.age - b.age BETWEEN {c.parent_gap_min} AND {c.parent_gap_max})
                       AS has_younger,
                   bool_or(b.age - a.age BETWEEN {c.parent_gap_min} AND {c.parent_gap_max})
                       AS has_older,
                   bool_or(abs(a.age - b.age) < {c.parent_gap_min} AND b.age >= {c.adult_age})
                       AS has_peer_adult
            FROM m a JOIN m b ON a.family_id = b.family_id AND a.person_key <> b.person_key
            WHERE a.age IS NOT NULL AND b.age IS NOT NULL
            GROUP BY a.person_key
        ),
        generation AS (
            SELECT m.*, s.n, s.minors, coalesce(g.has_younger, false) AS has_younger,
                   coalesce(g.has_older, false) AS has_older,
                   coalesce(g.has_peer_adult, false) AS has_peer_adult,
                   m.age IS NOT NULL AND m.age >= {c.adult_age}
                       AND coalesce(g.has_older, false)
                       AND NOT coalesce(g.has_younger, false)
                       AND m.age <= {c.young_adult_max_age + 5} AS grown_child
            FROM m JOIN sizes s USING (family_id) LEFT JOIN gaps g USING (person_key)
        ),
        parents AS (
            -- adults with a member a generation younger who is not a grown child or child
            -- of theirs but a parent: grandparents
            SELECT a.person_key,
                   bool_or(b.has_younger AND a.age - b.age BETWEEN {c.parent_gap_min}
                           AND {c.parent_gap_max}) AS is_grandparent
            FROM generation a JOIN generation b
              ON a.family_id = b.family_id AND a.person_key <> b.person_key
            WHERE a.has_younger
            GROUP BY a.person_key
        ),
        base AS (
            SELECT g.person_key, g.family_id, g.eh_role, g.n, g.minors, g.grown_child,
                   g.named_as_child,
                   CASE
                       WHEN g.age < {c.adult_age} THEN 'CHILD'
                       WHEN g.age IS NULL THEN
                           CASE WHEN g.eh_role IN ('CHILD', 'SIBLING') THEN 'YOUNG_ADULT'
                                WHEN g.eh_role IN ('PARENT', 'CARER') AND g.n > 1
                                    THEN g.eh_role
                                WHEN g.named_as_child THEN 'CHILD'
                                ELSE 'OTHER_ADULT' END
                       WHEN g.grown_child THEN 'YOUNG_ADULT'
                       WHEN g.has_younger AND coalesce(p.is_grandparent, false)
                           THEN 'OTHER_ADULT'
                       WHEN g.has_younger THEN 'PARENT'
                       WHEN g.minors > 0 AND g.age <= {c.young_adult_max_age}
                            AND NOT g.has_younger THEN 'YOUNG_ADULT'
                       WHEN g.minors > 0 AND g.has_peer_adult THEN 'PARENT'
                       WHEN g.minors > 0 THEN 'OTHER_ADULT'
                       WHEN (g.n = 1 OR g.family_id LIKE 'S:%')
                            AND g.age <= {c.young_adult_max_age} THEN 'YOUNG_ADULT'
                       ELSE 'OTHER_ADULT'
                   END AS role
            FROM generation g LEFT JOIN parents p USING (person_key)
        )
        SELECT person_key, family_id,
               CASE WHEN role = 'PARENT' AND eh_role = 'CARER' THEN 'CARER'
                    WHEN role = 'PARENT' AND eh_role = 'OTHER' THEN 'OTHER_ADULT'
                    ELSE role END AS role
        FROM base
        """
    )
    return {
        str(role): int(n)
        for role, n in con.execute(
            "SELECT role, count(*) FROM _fm_roles GROUP BY role ORDER BY role"
        ).fetchall()
    }
