"""Clustering entities into people without chaining through households.

Plain connected components at a threshold lets one doubtful link join two people (twin A
links to a record that links to twin B). Here links are taken best first and a link is
refused when it would put into one person two things that cannot be one person:

* two different valid identifiers of a kind a person has only one of (UPN, NHS number,
  ULN, and each system's own person id), or
* two slots of the same source row (the victim and a child of one incident, two members
  of one household row), or
* the same date of birth under first names that cannot be one person's (the twin guard):
  no pair of the two sides' names at that date is the same, a nickname, an initial, the
  other cut short, or a keying slip of the other (and the names are not swapped, each
  allowing the same). Two names of one surname seen in different slots of one source
  row without different dates of birth (Leo and Leon Begum on one household row) are
  two people's however alike they look, or
* dates of birth that cannot be one person's (the date guard): no pair of the two sides'
  dates is equal, day-month swapped, one digit apart or the same day and month in
  another year. This stops a record without a date of birth from chaining two people
  who share a name.

The date guard stands for knowledge about people: one has one date of birth, give or
take a slip. Where the data bear that out it holds always. Where they do not (research
data whose duplicates get a date replaced outright, as in FEBRL), the model trained on
the data says so: a disagreeing date then costs a match less than ``YIELD_ABOVE_BITS``
of weight. In that case, and only for a link whose own best pair disagrees on the date
and still scores at the threshold with the disagreement counted against it, the guard
leaves the link to its score. Links that would bring together records never compared
(a record without a date chaining two namesakes) are guarded as always. On the
synthetic city a disagreeing date costs 8.7 bits (7.5 with every identifier removed):
the guard holds. On FEBRL3/4 it costs 3.8-4.3 bits: it yields.

The twin guard never yields. Twins share a surname, a birthday and a home, so a pair of
them looks just like a duplicate whose first name was replaced; no statistic of the
training data tells the two apart (EM counts twins sharing a birthday among the
matches, and then learns that a different first name is common among matches).

So the record "Jake Smith, 3/4/2015" joins the twin whose records say Jake (the stronger
link comes first) and the later, weaker link to Jack is refused because Jack's cluster
has another UPN. The result is deterministic: ties are broken by entity id.

Reviewers' decisions come first: a "same person" pair is joined before any link (forced,
like the records of one existing key in an incremental run), and a "different people"
pair is one more thing a person cannot hold both sides of (a ``cannot:N`` profile entry
with a different value on each side), so the guard refuses any link that would join them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import duckdb
import pyarrow as pa

from kinlink.linkage.models import ClusterStats
from kinlink.linkage.precollapse import ENTITIES, RECORDS
from kinlink.linkage.similarity import DistinctNames, dobs_compatible, names_compatible_at_dob

ROW_KIND = "row"
DOB_PREFIX = "dob:"
DOBS_KIND = "dobs"
CANNOT_PREFIX = "cannot:"

Profile = dict[str, set[str]]


def conflict_profiles_sql(conflict_ids: tuple[str, ...], entities_table: str) -> str:
    """SQL for ``(entity_id, kind, value)``: what a person can hold only one of, and the
    multi-person rows its records come from. Limited to the entities in ``entities_table``.
    """
    parts = []
    if "upn" in conflict_ids:
        # a temporary UPN and the permanent one that replaced it are joined before this
        # (the census lists the former UPN), so two UPNs here are two pupils
        parts.append(
            "SELECT rid, 'upn' AS kind, upn AS value FROM _lk_records WHERE upn_valid "
            "UNION ALL SELECT rid, 'upn', former_upn FROM _lk_records WHERE former_upn_valid"
        )
    if "nhs_number" in conflict_ids:
        parts.append("SELECT rid, 'nhs_number', nhs_number FROM _lk_records WHERE nhs_number_valid")
    if "uln" in conflict_ids:
        parts.append("SELECT rid, 'uln', uln FROM _lk_records WHERE uln_valid")
    others = [k for k in conflict_ids if k not in ("upn", "nhs_number", "uln")]
    if "la_child_id" in others:
        parts.append(
            "SELECT rid, 'la_child_id', la_child_id FROM _lk_records WHERE la_child_id IS NOT NULL"
        )
    kinds = ", ".join(f"'{k}'" for k in others if k != "la_child_id")
    if kinds:
        parts.append(
            "SELECT rid, source_id_kind, source_person_id FROM _lk_records "
            f"WHERE source_person_id IS NOT NULL AND source_id_kind IN ({kinds})"
        )
    parts.append(
        f"SELECT rid, '{ROW_KIND}', file_hash || ':' || row_number FROM _lk_records "
        "WHERE slot <> ''"
    )
    # the twin guard: first names (legal, preferred, middle; f:) and surname words (s:,
    # to recognise swapped names) by exact date of birth
    parts.append(
        f"""SELECT rid, '{DOB_PREFIX}' || CAST(dob AS VARCHAR), name FROM (
            SELECT rid, dob, unnest(list_filter(
                ['f:' || forename_first, 'f:' || split_part(preferred_forename_key, ' ', 1)]
                || list_transform(string_split(coalesce(middle_names_key, ''), ' '),
                                  lambda m: 'f:' || m)
                || list_transform(coalesce(surname_tokens, []), lambda t: 's:' || t),
                lambda n: n IS NOT NULL AND length(n) > 2)) AS name
            FROM _lk_records WHERE dob IS NOT NULL AND forename_first IS NOT NULL
        )"""
    )
    # the date-of-birth guard: one person has one date of birth (give or take a slip)
    parts.append(
        f"SELECT rid, '{DOBS_KIND}', CAST(dob AS VARCHAR) FROM _lk_records WHERE dob IS NOT NULL"
    )
    union = " UNION ALL ".join(parts)
    return f"""
        SELECT DISTINCT e.entity_id, x.kind, x.value
        FROM ({union}) x
        JOIN {ENTITIES} e USING (rid)
        JOIN {entities_table} t ON t.entity_id = e.entity_id
    """


def profiles_load(rows: Iterable[tuple[int, str, str]]) -> dict[int, Profile]:
    """Group ``(entity, kind, value)`` rows into one profile per entity."""
    profiles: dict[int, Profile] = {}
    for entity, kind, value in rows:
        profiles.setdefault(entity, {}).setdefault(kind, set()).add(value)
    return profiles


def distinct_names_load(con: duckdb.DuckDBPyConnection) -> DistinctNames:
    """First names of one surname seen in different slots of one source row with dates of
    birth that do not differ: twins, two people however alike their names.

    Only pairs close enough to pass for one name matter (Leo and Leon, Grace and Gracie),
    so only those are kept, with each word of the surname.
    """
    rows = con.execute(
        """
        SELECT DISTINCT unnest(string_split(a.surname_key, ' ')) AS surname,
               least(a.forename_first, b.forename_first) AS x,
               greatest(a.forename_first, b.forename_first) AS y
        FROM _lk_records a JOIN _lk_records b
          ON a.file_hash = b.file_hash AND a.row_number = b.row_number AND a.slot < b.slot
        WHERE a.slot <> '' AND a.surname_key = b.surname_key
          AND a.forename_first <> b.forename_first
          AND (a.dob IS NULL OR b.dob IS NULL OR a.dob = b.dob)
          AND (damerau_levenshtein(a.forename_first, b.forename_first) <= 1
               OR jaro_winkler_similarity(a.forename_first, b.forename_first) >= 0.85
               OR a.forename_canonical = b.forename_canonical)
        """
    ).fetchall()
    return frozenset((str(s), str(x), str(y)) for s, x, y in rows)


#: Guards a link's own score can answer for (see the module docstring): the link's best
#: pair disagrees on dates of birth, and the model marked it down for that.
DATES = "dates"
#: The comparison whose "All other comparisons" level tells how much a disagreement on
#: each such guard's field counts against a match.
GUARDED_COMPARISONS: dict[str, str] = {DATES: "dob"}
#: A guard yields to a link's score when the model's weight for a disagreement on its
#: field is above this (in bits: a disagreement makes a match less than 32 times less
#: likely), i.e. when the training data show the field replaced among true matches.
YIELD_ABOVE_BITS = -5.0


def guards_yielding(settings: dict[str, Any]) -> frozenset[str]:
    """The guards (``DATES``) that a trained model's weights say may yield."""
    out = set()
    for guard, name in GUARDED_COMPARISONS.items():
        comparison = next(
            (c for c in settings["comparisons"] if c["output_column_name"] == name), None
        )
        if comparison is None:
            continue
        last = comparison["comparison_levels"][-1]
        m, u = last.get("m_probability"), last.get("u_probability")
        if m and u and math.log2(m / u) > YIELD_ABOVE_BITS:
            out.add(guard)
    return frozenset(out)


def conflicts(
    a: Profile,
    b: Profile,
    distinct: DistinctNames = frozenset(),
    weighed: frozenset[str] = frozenset(),
) -> bool:
    """Whether one person could not hold both profiles.

    ``weighed`` names the guards (``DATES``) left to the link's score because its own
    pair already disagreed on that field.
    """
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    for kind, values in small.items():
        other = large.get(kind)
        if other is None:
            continue
        if kind == ROW_KIND:
            if not values.isdisjoint(other):
                return True
        elif kind.startswith(DOB_PREFIX):
            if not names_compatible_at_dob(values, other, distinct):
                return True
        elif kind == DOBS_KIND:
            if DATES not in weighed and not dobs_compatible(values, other):
                return True
        elif values.isdisjoint(other):
            return True
    return False


def _merge_profiles(into: Profile, other: Profile) -> None:
    for kind, values in other.items():
        mine = into.get(kind)
        if mine is None:
            into[kind] = set(values)
        elif len(mine) >= len(values):
            mine.update(values)
        else:
            into[kind] = values | mine


class ConstrainedUnion:
    """Union-find whose unions are refused when the two sides' profiles conflict."""

    def __init__(self, profiles: dict[int, Profile], distinct: DistinctNames = frozenset()) -> None:
        self.parent: dict[int, int] = {}
        self.size: dict[int, int] = {}
        self.profiles = profiles
        self.distinct = distinct

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while (up := parent.get(root, root)) != root:
            root = up
        while (up := parent.get(x, x)) != root:
            parent[x] = root
            x = up
        return root

    def union(
        self, a: int, b: int, force: bool = False, weighed: frozenset[str] = frozenset()
    ) -> str:
        """Join the clusters of ``a`` and ``b``: 'same', 'merged' or 'conflict'.

        ``force`` joins them whatever their profiles say (a reviewer's decision, or the
        records of one existing person in an incremental run); ``weighed`` leaves those
        guards to the link's score (see ``conflicts``).
        """
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return "same"
        pa_, pb_ = self.profiles.get(ra), self.profiles.get(rb)
        if not force and pa_ and pb_ and conflicts(pa_, pb_, self.distinct, weighed):
            return "conflict"
        sa, sb = self.size.get(ra, 1), self.size.get(rb, 1)
        if sa < sb or (sa == sb and rb < ra):
            ra, rb = rb, ra
            pa_, pb_ = pb_, pa_
        # rb joins ra
        self.parent[rb] = ra
        self.size[ra] = sa + sb
        if pb_:
            if pa_ is None:
                self.profiles[ra] = pb_
            else:
                _merge_profiles(pa_, pb_)
            del self.profiles[rb]
        return "merged"

    def roots(self) -> Iterator[tuple[int, int]]:
        """``(entity, root)`` for every entity that joined another."""
        for node in list(self.parent):
            yield node, self.find(node)


def cluster_entities(
    con: duckdb.DuckDBPyConnection,
    edges: pa.Table,
    conflict_ids: tuple[str, ...],
    stats: ClusterStats,
    *,
    forced: list[tuple[int, int]] | None = None,
    cannot: list[tuple[int, int]] | None = None,
    profiled: list[int] | None = None,
    yielding: frozenset[str] = frozenset(),
) -> None:
    """Create ``_lk_clusters(rid, cluster)`` from the entity edges (best first).

    ``forced`` entity pairs are joined first regardless of the guards; each ``cannot``
    pair may never end up in one cluster. ``profiled`` lists more entities whose
    profiles matter (those of forced pairs that may meet a scored link). ``yielding``
    names the guards the model lets yield to a link's own score (``guards_yielding``).
    """
    forced, cannot = forced or [], cannot or []
    stats.entity_edges = edges.num_rows
    extra = [e for pair in cannot for e in pair] + (profiled or [])
    con.register("_lk_edge_rows", edges.select(["a", "b"]))
    con.register("_lk_extra_rows", pa.table({"e": pa.array(extra, pa.int64())}))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _lk_edge_entities AS "
        "SELECT a AS entity_id FROM _lk_edge_rows UNION SELECT b FROM _lk_edge_rows "
        "UNION SELECT e FROM _lk_extra_rows"
    )
    con.unregister("_lk_edge_rows")
    con.unregister("_lk_extra_rows")
    profiles = profiles_load(
        (int(e), str(k), str(v))
        for e, k, v in con.execute(
            conflict_profiles_sql(conflict_ids, "_lk_edge_entities")
        ).fetchall()
    )
    for n, (x, y) in enumerate(cannot):
        profiles.setdefault(x, {})[f"{CANNOT_PREFIX}{n}"] = {"a"}
        profiles.setdefault(y, {})[f"{CANNOT_PREFIX}{n}"] = {"b"}
    union = ConstrainedUnion(profiles, distinct_names_load(con))
    for x, y in forced:
        union.union(x, y, force=True)
    if "dates_weighed" not in edges.column_names:
        edges = edges.append_column("dates_weighed", pa.nulls(edges.num_rows, pa.bool_()))
    dates = frozenset({DATES}) & yielding
    for batch in edges.select(["a", "b", "dates_weighed"]).to_batches(max_chunksize=200_000):
        values = (batch.column(i).to_pylist() for i in range(3))
        for a, b, weighed in zip(*values, strict=True):
            outcome = union.union(a, b, weighed=dates if weighed else frozenset())
            if outcome == "merged":
                stats.merges += 1
            elif outcome == "conflict":
                stats.blocked_by_conflict += 1
    mapping = list(union.roots())
    con.register(
        "_lk_root_rows",
        pa.table(
            {
                "entity_id": pa.array([m[0] for m in mapping], pa.int64()),
                "root": pa.array([m[1] for m in mapping], pa.int64()),
            }
        ),
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _lk_clusters AS
        SELECT r.rid, coalesce(m.root, e.entity_id) AS cluster
        FROM {RECORDS} r JOIN {ENTITIES} e USING (rid)
        LEFT JOIN _lk_root_rows m USING (entity_id)
        """
    )
    con.unregister("_lk_root_rows")
    row = con.execute("SELECT count(DISTINCT cluster) FROM _lk_clusters").fetchone()
    stats.people = int(row[0]) if row else 0
