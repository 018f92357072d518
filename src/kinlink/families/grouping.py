"""Current families as of a date: who lives with whom now.

A family is the household a person lives in at the as-of date (the synthetic city's
truth defines it the same way), so grouping starts from where each person key was last
seen living:

1. **Placement.** A key's last known address is its current residence episode. A key
   known only by a postcode (or only as the perpetrator at an incident address), or whose
   latest record is at a new postcode, is placed at the one address at that postcode
   where someone sharing its surname (or one a single slip away), or someone it lived
   with before, has lived; with none, or several, it stays unplaced. A perpetrator known
   only by an incident address lives there when their victim is the one adult living
   there alone.
2. **Moving with the household.** Partner systems see people at different times: the
   school census sees the children at the new home in May, while the only record of a
   parent is a housing flag at the old one last November. When the children who lived
   with a key at its last known address and were seen after it all moved to one new
   address, nobody was seen staying behind, and the new address was not already someone
   else's home, the key is taken to have moved with them (a child whose only record
   since is a postcode, placed at an address there, counts as having gone to that
   address). An adult who moved elsewhere
   (a young adult, a separated parent) left on their own: they carry nobody with them
   and hold nobody back. A child still reported at the old address after their brothers
   and sisters moved (a school that never picked up the move) follows them too, unless
   an adult was seen there since.
3. **Same address, same family.** Keys placed at one address form one family.
4. **Shared houses.** Adults only (at most one of unknown age), none older than
   ``shared_max_age``, all within ``shared_age_span`` years, and not a man and a woman
   alone (far more often a couple): a house share, where each resident is a family of
   their own, except that residents with a surname in common or partner, parent or
   abuse evidence between them stay together.
5. Everyone else is a family of their own.

Family ids here are local to the run (``A:<address>``, ``S:<key>``, ``K:<key>``); the
key registry maps them onto stable family keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from kinlink.families.models import FamiliesConfig

_FAR = "DATE '9999-12-31'"


@dataclass
class GroupingStats:
    """Counts for the run summary."""

    without_address: int = 0
    shared_houses_split: int = 0
    attached_by_postcode: int = 0
    moved_with_household: int = 0


def families_group(con: duckdb.DuckDBPyConnection, config: FamiliesConfig) -> GroupingStats:
    """``_fm_family(person_key, family_id, address_id, valid_from, basis)``."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_current AS
        SELECT p.person_key, e.address_id, e.postcode, e.precision, e.valid_from,
               e.last_seen, p.age, p.birth_year, p.sex, p.surnames
        FROM _fm_people p
        LEFT JOIN _fm_episodes e ON e.person_key = p.person_key AND e.valid_to IS NULL
        """
    )
    _placements(con, config)
    _left_by_listing(con, config.listing_feeds)
    _follow_household(con, config)
    _shared_houses(con, config)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_family AS
        SELECT c.person_key,
               CASE WHEN s.address_id IS NOT NULL THEN 'S:' || s.label
                    WHEN p.address_id IS NOT NULL THEN 'A:' || p.address_id
                    ELSE 'K:' || c.person_key END AS family_id,
               p.address_id,
               coalesce(p.valid_from, c.valid_from) AS valid_from,
               CASE WHEN s.address_id IS NOT NULL THEN 'shared house'
                    WHEN p.address_id IS NOT NULL THEN p.basis
                    WHEN l.person_key IS NOT NULL THEN 'left: not in a later household listing'
                    WHEN c.precision IS NULL THEN 'no address'
                    ELSE c.precision || ' only' END AS basis
        FROM _fm_current c
        LEFT JOIN _fm_final p USING (person_key)
        LEFT JOIN _fm_shared s ON s.person_key = c.person_key
        LEFT JOIN _fm_left l ON l.person_key = c.person_key
        """
    )
    row = con.execute(
        """
        SELECT count(*) FILTER (WHERE basis LIKE '%only' OR basis = 'no address'),
               (SELECT count(DISTINCT address_id) FROM _fm_shared),
               count(*) FILTER (WHERE basis = 'postcode and a known resident'),
               count(*) FILTER (WHERE basis = 'moved with household')
        FROM _fm_family
        """
    ).fetchone()
    if row is None:
        return GroupingStats()
    return GroupingStats(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def _placements(con: duckdb.DuckDBPyConnection, config: FamiliesConfig) -> None:
    """``_fm_place``: each key's last known address and when it was last seen there.

    A perpetrator known only by the address of an incident is placed there when their
    victim is the one person living there: the couple share a home (an ex-partner who
    lives elsewhere, or a parent among children, is more often the case otherwise)."""
    adult_age, slip_length = config.adult_age, config.surname_slip_min_length
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fm_place AS
        WITH loose AS (
            SELECT * FROM _fm_current
            WHERE precision IN ('postcode', 'incident') AND postcode IS NOT NULL
        ),
        lived_with AS (
            -- people a loose key shared an earlier address with
            SELECT DISTINCT a.person_key, b.person_key AS other
            FROM loose l
            JOIN _fm_episodes a ON a.person_key = l.person_key AND a.precision = 'address'
            JOIN _fm_episodes b
              ON b.address_id = a.address_id AND b.person_key <> a.person_key
             AND b.precision = 'address'
             AND b.valid_from <= coalesce(a.valid_to, a.last_seen)
             AND coalesce(b.valid_to, b.last_seen) >= a.valid_from
        ),
        candidates AS (
            SELECT DISTINCT l.person_key, e.address_id
            FROM loose l
            JOIN _fm_episodes e ON e.postcode = l.postcode AND e.precision = 'address'
            JOIN _fm_people p ON p.person_key = e.person_key
            LEFT JOIN lived_with w ON w.person_key = l.person_key AND w.other = e.person_key
            WHERE e.person_key <> l.person_key
              AND (len(list_filter(p.surnames, lambda a: len(list_filter(l.surnames,
                       lambda b: a = b OR (least(length(a), length(b)) >= {slip_length}
                                           AND levenshtein(a, b) <= 1))) > 0)) > 0
                   OR w.other IS NOT NULL)
        ),
        attached AS (
            SELECT person_key, any_value(address_id) AS address_id
            FROM candidates GROUP BY person_key HAVING count(*) = 1
        ),
        residents AS (
            SELECT address_id, count(*) AS n, any_value(person_key) AS person_key,
                   bool_and(age >= {adult_age}) AS adults
            FROM _fm_current WHERE precision = 'address' GROUP BY address_id
        ),
        victim_home AS (
            -- a perpetrator known only at an incident where their victim lives alone
            SELECT c.person_key, c.address_id, c.valid_from, c.last_seen
            FROM _fm_current c
            JOIN residents r ON r.address_id = c.address_id AND r.n = 1 AND r.adults
            JOIN _fm_edges e
              ON e.relation = 'PERPETRATOR_VICTIM' AND e.person_key_a = c.person_key
             AND e.person_key_b = r.person_key
            WHERE c.precision = 'incident'
              AND c.person_key NOT IN (SELECT person_key FROM attached)
        )
        SELECT person_key, address_id, valid_from, last_seen, 'address' AS basis
        FROM _fm_current WHERE precision = 'address'
        UNION ALL
        SELECT l.person_key, a.address_id, l.valid_from, l.last_seen,
               'postcode and a known resident'
        FROM loose l JOIN attached a USING (person_key)
        UNION ALL
        SELECT DISTINCT person_key, address_id, valid_from, last_seen, 'incident and the victim'
        FROM victim_home
        """
    )


def _left_by_listing(con: duckdb.DuckDBPyConnection, feeds: tuple[str, ...]) -> None:
    """Drop from ``_fm_place`` keys that a later household listing at their address leaves
    out: a housing row naming the people they lived with, with room for more, or an early
    help episode of that household started after they were last seen. A listing naming
    someone born on the same day is no evidence: it may be the same person under a key
    the linkage did not join."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_listings AS
        WITH housing AS (
            SELECT 'housing:' || h.batch_id || ':' || h.row_number AS listing, m.person_key,
                   o.address_id, h.flag_date AS listed_on,
                   count(*) OVER (PARTITION BY h.batch_id, h.row_number) AS slots
            FROM housing_flag h
            JOIN person_key_members m USING (record_id)
            JOIN _fm_obs o USING (record_id)
            WHERE o.precision = 'address' AND h.flag_date IS NOT NULL
        ),
        help AS (
            SELECT 'early_help:' || e.batch_id || ':' || e.episode_id AS listing, m.person_key,
                   o.address_id, e.episode_start AS listed_on, 0 AS slots
            FROM early_help_episode e
            JOIN person_key_members m USING (record_id)
            JOIN _fm_obs o USING (record_id)
            WHERE o.precision = 'address' AND e.episode_id IS NOT NULL
              AND e.episode_start IS NOT NULL
        )
        SELECT * FROM housing
        WHERE slots < (SELECT max(slots) FROM housing) AND list_contains(?, 'housing_benefits')
        UNION ALL
        SELECT * FROM help WHERE list_contains(?, 'early_help')
        """,
        [list(feeds), list(feeds)],
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_left AS
        SELECT p.person_key, min(l.listed_on) AS left_by
        FROM _fm_place p
        JOIN _fm_listings l ON l.address_id = p.address_id AND l.listed_on > p.last_seen
        JOIN _fm_episodes e
          ON e.person_key = l.person_key AND e.address_id = p.address_id
         AND e.precision = 'address' AND e.valid_from <= p.last_seen
        JOIN _fm_people me ON me.person_key = p.person_key
        WHERE l.person_key <> p.person_key
          AND NOT EXISTS (
              -- listed, or someone listed could be them under another key (same birth)
              SELECT 1 FROM _fm_listings x JOIN _fm_people o USING (person_key)
              WHERE x.listing = l.listing
                AND (x.person_key = p.person_key OR o.dob = me.dob
                     OR (me.dob IS NULL AND o.birth_year = me.birth_year)))
        GROUP BY p.person_key
        """
    )
    con.execute("DELETE FROM _fm_place WHERE person_key IN (SELECT person_key FROM _fm_left)")


def _settled(verdict: str, moved_on: str) -> str:
    """SQL: the keys of ``verdict`` whose destination was already someone's home (someone
    who never lived at the key's address) before ``moved_on``."""
    return f"""
        SELECT DISTINCT v.person_key
        FROM {verdict} v
        JOIN _fm_episodes r
          ON r.address_id = v.dest AND r.precision = 'address' AND r.valid_to IS NULL
         AND r.valid_from < v.{moved_on}
        WHERE NOT EXISTS (
            SELECT 1 FROM _fm_episodes x
            WHERE x.person_key = r.person_key AND x.address_id = v.address_id
        )"""


def _destinations(con: duckdb.DuckDBPyConnection) -> None:
    """``_fm_dest(person_key, address_id, precision)``: where each key went, for judging
    whether a household moved together. A key whose latest record gives only a postcode
    but who was placed at an address there (by a surname or a past co-resident) counts
    as having gone to that address: a teenager whose only record since the move is a
    careers-service postcode went with their brothers and sisters."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_dest AS
        SELECT c.person_key,
               CASE WHEN p.basis = 'postcode and a known resident' THEN p.address_id
                    ELSE c.address_id END AS address_id,
               CASE WHEN p.basis = 'postcode and a known resident' THEN 'address'
                    ELSE c.precision END AS precision
        FROM _fm_current c LEFT JOIN _fm_place p USING (person_key)
        """
    )


def _children_follow(con: duckdb.DuckDBPyConnection, config: FamiliesConfig) -> None:
    """``_fm_child_follow``: children still reported at an address their brothers and
    sisters have moved on from. A child does not stay behind alone: a school that never
    picked up the move keeps sending the old address. The child follows when every child
    who lived with them there and moved went to one known address, no adult was seen at
    the old address since, and the new address was not already someone else's home."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fm_child_follow AS
        WITH kids AS (
            SELECT k.person_key, k.address_id, e.valid_from AS since, k.last_seen,
                   p.birth_year
            FROM _fm_place k
            JOIN _fm_people p USING (person_key)
            JOIN _fm_episodes e
              ON e.person_key = k.person_key AND e.address_id = k.address_id
             AND e.valid_to IS NULL
            WHERE k.basis = 'address' AND p.birth_year IS NOT NULL
        ),
        moved AS (
            -- children who lived with the kid at its address and moved on
            SELECT kd.person_key, kd.address_id, e.valid_to AS moved_on,
                   d.address_id AS dest, d.precision AS dest_precision
            FROM kids kd
            JOIN _fm_episodes e
              ON e.address_id = kd.address_id AND e.person_key <> kd.person_key
             AND e.precision = 'address' AND e.valid_to IS NOT NULL
             AND e.valid_to > kd.since AND e.valid_from <= kd.last_seen
            JOIN _fm_people sp ON sp.person_key = e.person_key
            JOIN _fm_dest d ON d.person_key = e.person_key
            WHERE year(e.valid_to) - sp.birth_year < {config.adult_age}
              AND year(e.valid_to) - kd.birth_year < {config.adult_age}
        ),
        verdict AS (
            SELECT person_key, any_value(address_id) AS address_id, min(dest) AS dest,
                   count(DISTINCT dest) AS dests, bool_and(dest_precision = 'address') AS placed,
                   min(moved_on) AS moved_on
            FROM moved GROUP BY person_key
        ),
        stayed AS (
            -- an adult (or someone of unknown age) seen at the old address since the move
            SELECT DISTINCT v.person_key
            FROM verdict v
            JOIN _fm_episodes e
              ON e.address_id = v.address_id AND e.person_key <> v.person_key
             AND e.precision = 'address' AND e.valid_to IS NULL AND e.last_seen >= v.moved_on
            JOIN _fm_people o ON o.person_key = e.person_key
            WHERE o.birth_year IS NULL OR year(v.moved_on) - o.birth_year >= {config.adult_age}
        ),
        settled AS ({_settled("verdict", "moved_on")})
        SELECT v.person_key, v.dest AS address_id, v.moved_on
        FROM verdict v
        WHERE v.dests = 1 AND v.placed AND v.dest <> v.address_id
          AND v.person_key NOT IN (SELECT person_key FROM stayed)
          AND v.person_key NOT IN (SELECT person_key FROM settled)
        """
    )


def _follow_household(con: duckdb.DuckDBPyConnection, config: FamiliesConfig) -> None:
    """``_fm_final``: placements, with keys moved on where their household moved."""
    _destinations(con)
    _children_follow(con, config)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fm_follow AS
        WITH co AS (
            -- who lived at the key's last known address when the key was last seen there;
            -- a child following their brothers and sisters counts as having moved
            SELECT k.person_key, k.address_id, k.last_seen, e.person_key AS other,
                   coalesce(e.valid_to, cf.moved_on) AS left_on, e.last_seen AS other_seen,
                   cf.address_id AS followed_to
            FROM _fm_place k
            JOIN _fm_episodes e
              ON e.address_id = k.address_id AND e.person_key <> k.person_key
             AND e.precision = 'address'
             AND e.valid_from <= k.last_seen AND coalesce(e.valid_to, {_FAR}) > k.last_seen
            LEFT JOIN _fm_child_follow cf
              ON cf.person_key = e.person_key AND e.valid_to IS NULL
        ),
        movers AS (
            SELECT co.*, coalesce(co.followed_to, d.address_id) AS dest,
                   CASE WHEN co.followed_to IS NOT NULL THEN 'address'
                        ELSE d.precision END AS dest_precision,
                   year(co.left_on) - p.birth_year < {config.adult_age} AS minor
            FROM co
            JOIN _fm_dest d ON d.person_key = co.other
            JOIN _fm_people p ON p.person_key = co.other
            WHERE co.left_on IS NOT NULL
        ),
        verdict AS (
            -- where the children went; an adult who moved elsewhere left on their own
            SELECT person_key, any_value(address_id) AS address_id,
                   min(dest) FILTER (WHERE minor) AS dest,
                   count(DISTINCT dest) FILTER (WHERE minor) AS dests,
                   bool_and(dest_precision = 'address') FILTER (WHERE minor) AS placed,
                   bool_or(minor) AS with_child, min(left_on) FILTER (WHERE minor) AS moved_on
            FROM movers GROUP BY person_key
        ),
        stayed AS (
            SELECT DISTINCT co.person_key
            FROM co JOIN verdict v USING (person_key)
            WHERE co.left_on IS NULL AND co.other_seen >= v.moved_on
        ),
        -- destinations that were already someone's home before the movers came
        settled AS ({_settled("verdict", "moved_on")})
        SELECT v.person_key, v.dest AS address_id, v.moved_on
        FROM verdict v
        WHERE v.dests = 1 AND v.placed AND v.with_child AND v.dest <> v.address_id
          AND v.person_key NOT IN (SELECT person_key FROM stayed)
          AND v.person_key NOT IN (SELECT person_key FROM settled)
          AND v.person_key NOT IN (SELECT person_key FROM _fm_child_follow)
        UNION ALL
        SELECT person_key, address_id, moved_on FROM _fm_child_follow
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_final AS
        SELECT p.person_key, coalesce(f.address_id, p.address_id) AS address_id,
               CASE WHEN f.person_key IS NULL THEN p.valid_from ELSE f.moved_on END
                   AS valid_from,
               CASE WHEN f.person_key IS NULL THEN p.basis ELSE 'moved with household' END
                   AS basis
        FROM _fm_place p LEFT JOIN _fm_follow f USING (person_key)
        """
    )


def _shared_houses(con: duckdb.DuckDBPyConnection, config: FamiliesConfig) -> None:
    """``_fm_shared(person_key, address_id, label)``: residents of shared houses, each
    labelled by the smallest key among those they are related to there (by a surname in
    common or partner, parent or abuse evidence), so relatives in a house share stay
    together and everyone else is on their own."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fm_shared AS
        WITH placed AS (
            SELECT f.person_key, f.address_id, c.age, c.sex, p.named_as_child
            FROM _fm_final f JOIN _fm_current c USING (person_key)
            JOIN _fm_people p USING (person_key)
        ),
        shape AS (
            SELECT address_id, count(*) AS n, count(age) AS aged, min(age) AS youngest,
                   max(age) AS oldest, count(sex) AS sexed, count(DISTINCT sex) AS sexes,
                   bool_or(age IS NULL AND named_as_child) AS unaged_child
            FROM placed GROUP BY address_id
        )
        SELECT p.person_key, p.address_id, p.person_key AS label
        FROM placed p JOIN shape s USING (address_id)
        WHERE s.n >= 2 AND s.aged >= greatest(2, s.n - 1) AND NOT s.unaged_child
          AND s.youngest >= {config.adult_age}
          AND s.oldest <= {config.shared_max_age}
          AND s.oldest - s.youngest <= {config.shared_age_span}
          AND (s.n >= 3 OR (s.sexed = 2 AND s.sexes = 1))
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fm_shared_kin AS
        SELECT a.person_key AS ka, b.person_key AS kb
        FROM _fm_shared a
        JOIN _fm_shared b ON a.address_id = b.address_id AND a.person_key < b.person_key
        JOIN _fm_people pa ON pa.person_key = a.person_key
        JOIN _fm_people pb ON pb.person_key = b.person_key
        WHERE len(list_intersect(pa.surnames, pb.surnames)) > 0
           OR EXISTS (
               SELECT 1 FROM _fm_edges e
               WHERE e.relation IN ('PARTNER', 'PARENT_CHILD', 'CARER_CHILD',
                                    'PERPETRATOR_VICTIM')
                 AND ((e.person_key_a = a.person_key AND e.person_key_b = b.person_key)
                   OR (e.person_key_a = b.person_key AND e.person_key_b = a.person_key))
           )
        """
    )
    # smallest-label propagation over the (few, small) related groups
    for _ in range(config.max_household_size):
        changed = con.execute(
            """
            UPDATE _fm_shared SET label = n.label
            FROM (
                SELECT k, min(label) AS label FROM (
                    SELECT k.kb AS k, s.label FROM _fm_shared_kin k
                    JOIN _fm_shared s ON s.person_key = k.ka
                    UNION ALL
                    SELECT k.ka, s.label FROM _fm_shared_kin k
                    JOIN _fm_shared s ON s.person_key = k.kb
                ) GROUP BY k
            ) n
            WHERE _fm_shared.person_key = n.k AND n.label < _fm_shared.label
            """
        ).fetchone()
        if not changed or not changed[0]:
            break
