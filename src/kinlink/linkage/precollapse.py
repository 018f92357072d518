"""Deterministic pre-collapse: records that share a trustworthy system id become one entity.

Partner systems that keep a record per person repeat its id on every row (a pupil's UPN
on every census, attendance and exclusion row; a child's LA id on every social care and
exploitation row). Joining those first makes probabilistic matching smaller and surer.
An id only joins records when it is safe: UPN, NHS number and ULN must pass their check,
and a record whose name or date of birth flatly contradicts the rest of its id group is
left out of it (a mistyped id can coincide with somebody else's). Attendance and
exclusion rows carry nothing but a UPN; when it fails its check, it is matched to the one
UPN one edit away at the same school, or the record is reported as unlinked.

Every step is SQL over temporary tables on the warehouse connection.
"""

from __future__ import annotations

import duckdb

from kinlink.linkage.graph import connected_components
from kinlink.linkage.models import LinkageConfig, PrecollapseStats
from kinlink.linkage.nicknames import variants_table
from kinlink.warehouse.schema import FACT_TABLES, PERSON_RECORD_TABLE

#: Columns of the prepared records that the Splink model compares.
MATCH_COLUMNS: tuple[str, ...] = (
    "forename_key",
    "forename_first",
    "forename_canonical",
    "forename_variants",
    "preferred_forename_key",
    "middle_names_key",
    "surname_key",
    "preferred_surname_key",
    "surname_tokens",
    "dob",
    "dob_swapped",
    "dob_year",
    "sex",
    "postcode",
    "postcode_sector",
    "postcode_district",
    "uprn",
    "address_tokens",
    "upn",
    "upn_valid",
    "former_upn",
    "uln",
    "uln_valid",
    "nhs_number",
    "nhs_number_valid",
    "la_child_id",
)

RECORDS = "_lk_records"
ENTITIES = "_lk_entities"
VARIANTS = "_lk_variants"


def _school_sql() -> str:
    """Record -> school URN, from every fact table that has one (census, attendance, ...)."""
    parts = [
        f"SELECT record_id, school_urn FROM {table}"
        for table, columns in FACT_TABLES.items()
        if any(c.name == "school_urn" for c in columns)
    ]
    if not parts:
        return "SELECT NULL::VARCHAR AS record_id, NULL::VARCHAR AS school_urn WHERE false"
    return (
        "SELECT record_id, min(school_urn) AS school_urn FROM ("
        + " UNION ALL ".join(parts)
        + ") GROUP BY record_id"
    )


def prepared_records_sql(where: str = "true") -> str:
    """SELECT of person records in the shape linkage compares (one row per person slot).

    Derived columns: the first forename word, its nickname variants (from ``_lk_names``),
    preferred names only where they differ, surname words, the date with day and month
    swapped, sex U as unknown, empty token lists as NULL.
    """
    return f"""
        SELECT
            p.record_id, p.feed, p.file_name, p.file_hash, p.row_number, p.slot,
            p.forename_key,
            split_part(p.forename_key, ' ', 1) AS forename_first,
            p.forename_canonical,
            n.variants AS forename_variants,
            nullif(p.preferred_forename_key, p.forename_key) AS preferred_forename_key,
            p.middle_names_key,
            p.surname_key,
            nullif(p.preferred_surname_key, p.surname_key) AS preferred_surname_key,
            CASE WHEN p.surname_key IS NOT NULL OR p.preferred_surname_key IS NOT NULL THEN
                list_filter(list_distinct(list_concat(
                    string_split(coalesce(p.surname_key, ''), ' '),
                    string_split(coalesce(p.preferred_surname_key, ''), ' ')
                )), lambda t: t <> '')
            END AS surname_tokens,
            p.dob,
            CASE WHEN day(p.dob) <= 12 AND day(p.dob) <> month(p.dob)
                THEN make_date(year(p.dob), day(p.dob), month(p.dob)) END AS dob_swapped,
            p.dob_year,
            nullif(p.sex, 'U') AS sex,
            p.postcode, p.postcode_sector, p.postcode_district, p.uprn,
            CASE WHEN len(p.address_tokens) > 0 THEN p.address_tokens END AS address_tokens,
            p.upn, coalesce(p.upn_valid, false) AS upn_valid,
            p.former_upn, coalesce(p.former_upn_valid, false) AS former_upn_valid,
            p.uln, coalesce(p.uln_valid, false) AS uln_valid,
            p.nhs_number, coalesce(p.nhs_number_valid, false) AS nhs_number_valid,
            p.la_child_id, p.source_id_kind, p.source_person_id
        FROM {PERSON_RECORD_TABLE} p
        LEFT JOIN _lk_names n ON n.name = split_part(p.forename_key, ' ', 1)
        WHERE {where}
    """


def names_lookup(con: duckdb.DuckDBPyConnection, where: str = "true") -> None:
    """Create ``_lk_names`` (first forename word -> variants) for the records selected."""
    rows = con.execute(
        f"SELECT DISTINCT split_part(forename_key, ' ', 1) FROM {PERSON_RECORD_TABLE} "
        f"WHERE forename_key IS NOT NULL AND {where}"
    ).fetchall()
    variants_table(con, (str(r[0]) for r in rows), "_lk_names")


def forename_compatible_sql(x: str, y: str) -> str:
    """SQL: the forenames of ``x`` and ``y`` could be one person's (or one is missing)."""
    return f"""(
        {x}.forename_key IS NULL OR {y}.forename_key IS NULL
        OR {x}.forename_first = {y}.forename_first
        OR {x}.forename_canonical = {y}.forename_canonical
        OR {x}.preferred_forename_key = {y}.forename_key
        OR {x}.forename_key = {y}.preferred_forename_key
        OR list_contains({x}.forename_variants, {y}.forename_first)
        OR list_contains({y}.forename_variants, {x}.forename_first)
        OR damerau_levenshtein({x}.forename_key, {y}.forename_key) <= 1
        OR jaro_winkler_similarity({x}.forename_key, {y}.forename_key) >= 0.92
        OR ({x}.forename_key = {y}.surname_key AND {x}.surname_key = {y}.forename_key)
    )"""


def dob_compatible_sql(x: str, y: str) -> str:
    """SQL: the dates of birth of ``x`` and ``y`` could be one person's, allowing for a
    day-month swap, one wrong digit or a wrong year."""
    return f"""(
        {x}.dob_year IS NULL OR {y}.dob_year IS NULL
        OR ({x}.dob IS NOT NULL AND {y}.dob IS NOT NULL AND (
            {x}.dob = {y}.dob OR {x}.dob = {y}.dob_swapped
            OR damerau_levenshtein(CAST({x}.dob AS VARCHAR), CAST({y}.dob AS VARCHAR)) <= 1
            OR (month({x}.dob) = month({y}.dob) AND day({x}.dob) = day({y}.dob)
                AND abs(year({x}.dob) - year({y}.dob)) <= 10)
        ))
        OR (({x}.dob IS NULL OR {y}.dob IS NULL) AND abs({x}.dob_year - {y}.dob_year) <= 1)
    )"""


def _signature_sql() -> str:
    cols = [c for c in MATCH_COLUMNS if c not in ("forename_first", "forename_variants")]
    cols += ["source_id_kind", "source_person_id"]
    parts = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in cols)
    return f"md5(concat_ws('|', {parts}))"


def records_build(con: duckdb.DuckDBPyConnection) -> int:
    """Create ``_lk_records``: every person record, prepared, with a dense integer id."""
    names_lookup(con)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {RECORDS} AS
        WITH prepared AS ({prepared_records_sql()}),
        schools AS ({_school_sql()})
        SELECT
            CAST(row_number() OVER (ORDER BY p.record_id) AS BIGINT) AS rid,
            p.*,
            s.school_urn,
            (p.forename_key IS NOT NULL OR p.surname_key IS NOT NULL
                OR p.dob_year IS NOT NULL) AS has_identity,
            {_signature_sql()} AS sig,
            -- identical complete identities join, except slots of multi-person rows (twins
            -- named alike in one household row must stay apart)
            (p.forename_key IS NOT NULL AND p.surname_key IS NOT NULL
                AND p.dob IS NOT NULL AND p.slot = '') AS sig_complete
        FROM prepared p LEFT JOIN schools s USING (record_id)
        """
    )
    row = con.execute(f"SELECT count(*) FROM {RECORDS}").fetchone()
    return int(row[0]) if row else 0


def _id_edges(con: duckdb.DuckDBPyConnection, trusted: tuple[str, ...]) -> None:
    """``_lk_id_edges(rid, kind, value)``: each record's trustworthy ids."""
    parts = []
    if "upn" in trusted:
        parts.append(f"SELECT rid, 'upn' AS kind, upn AS value FROM {RECORDS} WHERE upn_valid")
        parts.append(f"SELECT rid, 'upn', former_upn FROM {RECORDS} WHERE former_upn_valid")
    if "nhs_number" in trusted:
        parts.append(f"SELECT rid, 'nhs_number', nhs_number FROM {RECORDS} WHERE nhs_number_valid")
    if "uln" in trusted:
        parts.append(f"SELECT rid, 'uln', uln FROM {RECORDS} WHERE uln_valid")
    if "la_child_id" in trusted:
        parts.append(
            f"SELECT rid, 'la_child_id', la_child_id FROM {RECORDS} WHERE la_child_id IS NOT NULL"
        )
    kinds = ", ".join(f"'{k}'" for k in trusted) or "NULL"
    parts.append(
        f"SELECT rid, source_id_kind, source_person_id FROM {RECORDS} "
        f"WHERE source_person_id IS NOT NULL AND source_id_kind IN ({kinds})"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _lk_id_edges AS " + " UNION ".join(parts))


def _upn_typos(con: duckdb.DuckDBPyConnection) -> int:
    """Join identifier-only records whose UPN no identified record carries to the single
    identified UPN at the same school within one edit (a keying error), preferring a slip
    in the digits to one in the check letter, and a pupil the same file does not already
    list. Returns how many records were joined."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _lk_upn_fixes AS
        WITH known AS (
            SELECT DISTINCT e.value AS upn, r.school_urn
            FROM _lk_id_edges e JOIN {RECORDS} r USING (rid)
            WHERE e.kind = 'upn' AND r.has_identity AND r.school_urn IS NOT NULL
        ),
        known_any AS (SELECT DISTINCT upn FROM known),
        orphans AS (
            SELECT DISTINCT upn, school_urn, file_hash FROM {RECORDS}
            WHERE NOT has_identity AND upn IS NOT NULL AND school_urn IS NOT NULL
              AND upn NOT IN (SELECT upn FROM known_any)
        ),
        in_file AS (SELECT DISTINCT upn, file_hash FROM {RECORDS} WHERE upn_valid),
        candidates AS (
            -- a slip in the digits (same check letter) is likelier than in the letter, and
            -- a pupil already listed in the same file is unlikely to be listed twice
            SELECT o.upn AS orphan, o.school_urn, o.file_hash, k.upn AS target,
                   2 * damerau_levenshtein(o.upn, k.upn)
                   + CASE WHEN left(o.upn, 1) = left(k.upn, 1) THEN 0 ELSE 1 END AS distance,
                   f.upn IS NOT NULL AS listed
            FROM orphans o JOIN known k USING (school_urn)
            LEFT JOIN in_file f ON f.upn = k.upn AND f.file_hash = o.file_hash
            WHERE damerau_levenshtein(o.upn, k.upn) <= 1
        ),
        ranked AS (
            SELECT *, dense_rank() OVER (
                PARTITION BY orphan, school_urn, file_hash ORDER BY distance, listed
            ) AS rank
            FROM candidates
        )
        SELECT orphan, school_urn, file_hash, min(target) AS target
        FROM ranked WHERE rank = 1
        GROUP BY orphan, school_urn, file_hash
        HAVING count(DISTINCT target) = 1
        """
    )
    con.execute(
        f"""
        INSERT INTO _lk_id_edges
        SELECT r.rid, 'upn', f.target
        FROM {RECORDS} r JOIN _lk_upn_fixes f
          ON f.orphan = r.upn AND f.school_urn = r.school_urn AND f.file_hash = r.file_hash
        WHERE NOT r.has_identity
        """
    )
    row = con.execute(
        f"""
        SELECT count(*) FROM {RECORDS} r
        JOIN _lk_upn_fixes f
          ON f.orphan = r.upn AND f.school_urn = r.school_urn AND f.file_hash = r.file_hash
        WHERE NOT r.has_identity
        """
    ).fetchone()
    return int(row[0]) if row else 0


def _drop_contradictions(con: duckdb.DuckDBPyConnection) -> int:
    """Remove id edges of records whose name or dob contradict their id group's anchor.

    The anchor is the group's most frequent (forename, dob) among records that have them.
    Returns the number of edges removed.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _lk_anchor AS
        WITH groups AS (
            SELECT kind, value FROM _lk_id_edges GROUP BY ALL HAVING count(*) > 1
        ),
        combos AS (
            SELECT e.kind, e.value, r.forename_key, r.dob, count(*) AS n, min(r.rid) AS first
            FROM _lk_id_edges e JOIN groups g USING (kind, value) JOIN {RECORDS} r USING (rid)
            WHERE r.forename_key IS NOT NULL OR r.dob IS NOT NULL
            GROUP BY ALL
        )
        SELECT kind, value, first AS anchor FROM (
            SELECT *, row_number() OVER (
                PARTITION BY kind, value ORDER BY n DESC, first
            ) AS rank FROM combos
        ) WHERE rank = 1
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _lk_dropped AS
        SELECT e.rid, e.kind, e.value
        FROM _lk_id_edges e
        JOIN _lk_anchor a USING (kind, value)
        JOIN {RECORDS} r ON r.rid = e.rid
        JOIN {RECORDS} x ON x.rid = a.anchor
        WHERE r.has_identity AND r.rid <> x.rid AND NOT (
            {forename_compatible_sql("r", "x")} AND {dob_compatible_sql("r", "x")}
        )
        """
    )
    con.execute(
        "DELETE FROM _lk_id_edges e USING _lk_dropped d "
        "WHERE e.rid = d.rid AND e.kind = d.kind AND e.value = d.value"
    )
    row = con.execute("SELECT count(*) FROM _lk_dropped").fetchone()
    return int(row[0]) if row else 0


def entities_build(con: duckdb.DuckDBPyConnection, config: LinkageConfig) -> PrecollapseStats:
    """Create ``_lk_entities(rid, entity_id)`` and ``_lk_variants`` (the Splink input).

    Expects ``_lk_records``. An entity is a connected component of records joined by a
    trusted id or by an identical, complete identity (same names, dob, address and ids:
    repeated episodes and duplicate rows). The entity id is its smallest record id.
    """
    stats = PrecollapseStats()
    row = con.execute(f"SELECT count(*) FROM {RECORDS}").fetchone()
    stats.records = int(row[0]) if row else 0
    _id_edges(con, config.trusted_ids)
    stats.id_edges_dropped = _drop_contradictions(con)
    stats.upn_typos_fixed = _upn_typos(con) if "upn" in config.trusted_ids else 0
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _lk_graph AS
        WITH nodes AS (
            SELECT kind, value, (SELECT max(rid) FROM {RECORDS})
                + dense_rank() OVER (ORDER BY kind, value) AS node
            FROM (
                SELECT DISTINCT kind, value FROM _lk_id_edges
                UNION SELECT DISTINCT 'sig', sig FROM {RECORDS} WHERE sig_complete
            )
        )
        SELECT e.rid AS a, n.node AS b FROM _lk_id_edges e JOIN nodes n USING (kind, value)
        UNION ALL
        SELECT r.rid, n.node FROM {RECORDS} r
        JOIN nodes n ON n.kind = 'sig' AND n.value = r.sig
        WHERE r.sig_complete
        """
    )
    connected_components(con, "_lk_graph", "_lk_components")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {ENTITIES} AS
        SELECT r.rid, coalesce(c.component, r.rid) AS entity_id
        FROM {RECORDS} r LEFT JOIN _lk_components c ON c.node = r.rid
        """
    )
    cols = ", ".join(MATCH_COLUMNS)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {VARIANTS} AS
        SELECT CAST(row_number() OVER (ORDER BY entity_id, sig) AS BIGINT) AS unique_id,
               entity_id, {cols}
        FROM (
            SELECT e.entity_id, r.*,
                   row_number() OVER (PARTITION BY e.entity_id, r.sig ORDER BY r.rid) AS k
            FROM {RECORDS} r JOIN {ENTITIES} e USING (rid)
            WHERE r.has_identity
        ) WHERE k = 1
        """
    )
    counts = con.execute(
        f"SELECT (SELECT count(DISTINCT entity_id) FROM {ENTITIES}), "
        f"(SELECT count(*) FROM {VARIANTS})"
    ).fetchone()
    if counts:
        stats.entities, stats.variants = int(counts[0]), int(counts[1])
    stats.id_only_unlinked = dict(
        (str(f), int(n))
        for f, n in con.execute(
            f"""
            WITH identified AS (
                SELECT DISTINCT e.entity_id FROM {ENTITIES} e JOIN {RECORDS} r USING (rid)
                WHERE r.has_identity
            )
            SELECT r.feed, count(*) FROM {RECORDS} r JOIN {ENTITIES} e USING (rid)
            WHERE e.entity_id NOT IN (SELECT entity_id FROM identified)
            GROUP BY r.feed ORDER BY r.feed
            """
        ).fetchall()
    )
    return stats
