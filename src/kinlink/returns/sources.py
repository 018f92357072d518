"""Row sources: the named SQL queries a return's fields are read from.

A spec says ``rows: claim_candidates`` and each field names one of that source's columns.
The catalog below is the only place that knows the assessment tables; specs stay
declarative, and a misspelt column is a load error listing the columns there are.

Every query reads one assessment run (``outcome_*`` tables, keyed by ``run_id``), the
current family memberships and, for person-level returns, the best identity of each
person key: the most frequent non-blank value across its records (ties: the smaller).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

import duckdb

from kinlink.linkage.keys import MEMBERS as PERSON_MEMBERS
from kinlink.outcomes.tables import (
    CLAIMS,
    EPISODES,
    EVIDENCE,
    FAMILIES,
    PROGRESS,
    RUNS,
)
from kinlink.outcomes.tables import MEMBERS as RUN_MEMBERS
from kinlink.warehouse.schema import PERSON_RECORD_TABLE

#: What a column holds, so the loader can insist that personal data leaving the council is
#: degraded on purpose: a date of birth, a postcode or a name must say how it is carried.
ColumnKind = Literal["value", "date_of_birth", "postcode", "name", "identifier"]

#: Degradations each kind of column accepts.
KIND_DEGRADATIONS: dict[str, tuple[str, ...]] = {
    "value": ("none",),
    "identifier": ("none",),
    "date_of_birth": ("none", "month", "year"),
    "postcode": ("none", "sector", "district"),
    "name": ("none", "initial"),
}

#: Identity attributes of a person key, taken from its records.
IDENTITY_FIELDS = ("forename", "surname", "dob", "sex", "postcode", "nhs_number", "upn")


@dataclass(frozen=True)
class RunContext:
    """The assessment run a return is built from."""

    run_id: str
    as_of: date

    @property
    def run_sql(self) -> str:
        """The run id as a SQL literal (run ids come from the warehouse, quoted anyway)."""
        return "'" + self.run_id.replace("'", "''") + "'"

    @property
    def as_of_sql(self) -> str:
        """The as-of date as a SQL literal."""
        return f"DATE '{self.as_of.isoformat()}'"


@dataclass(frozen=True)
class SourceColumn:
    """A column a row source provides, and what kind of data it is."""

    name: str
    description: str
    kind: ColumnKind = "value"


@dataclass(frozen=True)
class RowSource:
    """A named query over one assessment run, one row per unit of its grain."""

    name: str
    grain: str
    description: str
    columns: tuple[SourceColumn, ...]
    sql: Callable[[RunContext], str]
    order_by: tuple[str, ...]
    identity_scope: Callable[[RunContext], str] | None = None

    def column(self, name: str) -> SourceColumn | None:
        """The column called ``name``, if the source has one."""
        return next((c for c in self.columns if c.name == name), None)


def _c(name: str, description: str, kind: ColumnKind = "value") -> SourceColumn:
    return SourceColumn(name, description, kind)


# -- helper tables ----------------------------------------------------------------------------


def need_headlines_prepare(con: duckdb.DuckDBPyConnection, run: RunContext) -> None:
    """``_rt_needs(need, headline, need_order, headline_order)`` from the run's framework.

    Read from the framework the run recorded, so a return describes the run as assessed
    even after the framework file has changed.
    """
    found = con.execute(f"SELECT framework_json FROM {RUNS} WHERE run_id = ?", [run.run_id])
    row = found.fetchone()
    framework = json.loads(row[0]) if row and row[0] else {}
    rows: list[tuple[str | None, str, int, int]] = []
    for h_index, headline in enumerate(framework.get("headline_outcomes", [])):
        needs = headline.get("needs", []) or [{"code": None}]
        for need in needs:
            rows.append((need["code"], headline["code"], len(rows), h_index))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _rt_needs (need VARCHAR, headline VARCHAR, "
        "need_order INTEGER, headline_order INTEGER)"
    )
    if rows:
        con.executemany("INSERT INTO _rt_needs VALUES (?, ?, ?, ?)", rows)


def identity_prepare(con: duckdb.DuckDBPyConnection, people_sql: str) -> None:
    """``_rt_identity``: the best identity of each person key that ``people_sql`` selects."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _rt_scope AS SELECT DISTINCT person_key FROM ({people_sql})"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _rt_records AS
        SELECT k.person_key, r.*
        FROM {PERSON_MEMBERS} k JOIN _rt_scope s USING (person_key)
        JOIN {PERSON_RECORD_TABLE} r USING (record_id)"""
    )
    picks = []
    for field in IDENTITY_FIELDS:
        blank = f"r.{field} IS NOT NULL" + (
            "" if field == "dob" else f" AND trim(CAST(r.{field} AS VARCHAR)) <> ''"
        )
        picks.append(
            f"""{field}_pick AS (
                SELECT person_key, {field} FROM (
                    SELECT r.person_key, r.{field}, count(*) AS n
                    FROM _rt_records r WHERE {blank} GROUP BY ALL)
                QUALIFY row_number() OVER (PARTITION BY person_key ORDER BY n DESC, {field}) = 1)"""
        )
    joins = " ".join(f"LEFT JOIN {f}_pick USING (person_key)" for f in IDENTITY_FIELDS)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _rt_identity AS
        WITH {", ".join(picks)}
        SELECT s.person_key, {", ".join(IDENTITY_FIELDS)} FROM _rt_scope s {joins}"""
    )


# -- the sources ------------------------------------------------------------------------------


def _quarter_start(run: RunContext) -> str:
    return f"CAST({run.as_of_sql} - INTERVAL 3 MONTH + INTERVAL 1 DAY AS DATE)"


def _progress_measures_sql(run: RunContext) -> str:
    start, end = _quarter_start(run), run.as_of_sql
    return f"""
    WITH worked AS (
        SELECT * FROM {EPISODES}
        WHERE run_id = {run.run_sql} AND episode_start <= {end}
          AND (episode_end IS NULL OR episode_end >= {start})
    ), headlines AS (
        SELECT headline, min(headline_order) AS headline_order FROM _rt_needs GROUP BY headline
    ), identified AS (
        SELECT n.headline, count(*) AS value
        FROM (SELECT family_key, unnest(needs_identified) AS need FROM worked) w
        JOIN _rt_needs n USING (need) GROUP BY n.headline
    ), achieved AS (
        SELECT headline, count(*) AS value FROM {PROGRESS}
        WHERE run_id = {run.run_sql} AND status = 'met' AND measured_on BETWEEN {start} AND {end}
        GROUP BY headline
    ), measures AS (
        SELECT 1 AS measure_order, 'families_worked_with' AS measure, NULL AS headline,
               -1 AS headline_order, count(*) AS value FROM worked
        UNION ALL
        SELECT 2, 'eligible_families_worked_with', NULL, -1,
               count(*) FILTER (WHERE eligible_at_start) FROM worked
        UNION ALL
        SELECT 3, 'needs_identified', h.headline, h.headline_order, coalesce(i.value, 0)
        FROM headlines h LEFT JOIN identified i USING (headline)
        UNION ALL
        SELECT 4, 'outcomes_achieved', h.headline, h.headline_order, coalesce(a.value, 0)
        FROM headlines h LEFT JOIN achieved a USING (headline)
        UNION ALL
        SELECT 5, 'claim_candidates', NULL, -1, count(*) FROM {CLAIMS}
        WHERE run_id = {run.run_sql} AND sustain_until BETWEEN {start} AND {end}
    )
    SELECT {start} AS period_start, {end} AS period_end, measure, headline AS headline_outcome,
           value, measure_order, headline_order
    FROM measures"""


def _claims_sql(run: RunContext) -> str:
    return f"""
    WITH claim_headlines AS (
        SELECT c.family_key, string_agg(n.headline, ';' ORDER BY n.headline_order)
            AS headline_outcomes
        FROM (SELECT DISTINCT c.family_key, n.headline, n.headline_order
              FROM {CLAIMS} c, unnest(c.needs_identified) AS u(need)
              JOIN _rt_needs n ON n.need = u.need
              WHERE c.run_id = {run.run_sql}) c
        JOIN (SELECT DISTINCT headline, headline_order FROM _rt_needs) n USING (headline)
        GROUP BY c.family_key
    ), evidence AS (
        SELECT family_key, count(*) AS evidence_rows FROM {EVIDENCE}
        WHERE run_id = {run.run_sql} GROUP BY family_key
    )
    SELECT {run.as_of_sql} AS as_of, c.family_key, c.episode_id, c.episode_start,
           c.episode_end, c.sustain_until, c.lead_practitioner, c.end_reason,
           array_to_string(c.needs_identified, ';') AS needs_identified, c.n_needs,
           c.n_headlines, h.headline_outcomes, coalesce(e.evidence_rows, 0) AS evidence_rows
    FROM {CLAIMS} c LEFT JOIN claim_headlines h USING (family_key)
    LEFT JOIN evidence e USING (family_key)
    WHERE c.run_id = {run.run_sql}"""


def _episode_people_scope(run: RunContext) -> str:
    return f"""SELECT m.person_key FROM {EPISODES} e
        JOIN {RUN_MEMBERS} m ON m.family_key = e.family_key AND m.run_id = e.run_id
        WHERE e.run_id = {run.run_sql}"""


def _episode_people_sql(run: RunContext) -> str:
    return f"""
    WITH episodes AS (SELECT * FROM {EPISODES} WHERE run_id = {run.run_sql}),
    progress AS (
        SELECT p.*, coalesce(n.need_order, 0) AS need_order FROM {PROGRESS} p
        LEFT JOIN _rt_needs n USING (need) WHERE p.run_id = {run.run_sql}
    ), outcomes AS (
        SELECT family_key, string_agg(need || ':' || status, ';' ORDER BY need_order)
            AS need_outcomes
        FROM progress GROUP BY family_key
    ), person_needs AS (
        SELECT p.family_key, u.person_key,
               string_agg(p.need, ';' ORDER BY p.need_order) AS person_needs
        FROM progress p, unnest(p.person_keys) AS u(person_key) GROUP BY ALL
    )
    SELECT {run.as_of_sql} AS as_of, e.family_key, m.person_key, m.role,
           i.dob AS date_of_birth, i.sex, e.episode_id, e.episode_start, e.episode_end,
           e.episode_reason, e.end_reason, e.lead_practitioner, e.team,
           array_to_string(e.needs_identified, ';') AS needs_identified,
           pn.person_needs, o.need_outcomes, e.eligible_at_start
    FROM episodes e
    JOIN {RUN_MEMBERS} m ON m.family_key = e.family_key AND m.run_id = e.run_id
    LEFT JOIN _rt_identity i USING (person_key)
    LEFT JOIN outcomes o ON o.family_key = e.family_key
    LEFT JOIN person_needs pn ON pn.family_key = e.family_key AND pn.person_key = m.person_key"""


def _eligible_people_scope(run: RunContext) -> str:
    return f"""SELECT m.person_key FROM {FAMILIES} f
        JOIN {RUN_MEMBERS} m ON m.family_key = f.family_key AND m.run_id = f.run_id
        WHERE f.run_id = {run.run_sql} AND f.eligible"""


def _eligible_people_sql(run: RunContext) -> str:
    return f"""
    SELECT {run.as_of_sql} AS as_of, f.family_key, m.person_key, m.role, i.forename,
           i.surname, i.dob AS date_of_birth, i.sex, i.postcode, i.nhs_number, i.upn,
           f.eligible, f.n_needs, array_to_string(f.needs, ';') AS needs,
           array_to_string(f.headlines, ';') AS headline_outcomes
    FROM {FAMILIES} f
    JOIN {RUN_MEMBERS} m ON m.family_key = f.family_key AND m.run_id = f.run_id
    LEFT JOIN _rt_identity i USING (person_key)
    WHERE f.run_id = {run.run_sql} AND f.eligible"""


_AS_OF = _c("as_of", "The assessment run's as-of date")
_FAMILY = _c("family_key", "Family key (F + 10 characters)")
_PERSON = _c("person_key", "Person key (P + 10 characters)")
_ROLE = _c(
    "role", "Role in the current family: PARENT, CARER, OTHER, CHILD, YOUNG_ADULT, OTHER_ADULT"
)
_DOB = _c("date_of_birth", "Date of birth most of the person's records give", "date_of_birth")
_SEX = _c("sex", "Sex most of the person's records give: M, F or U")

ROW_SOURCES: dict[str, RowSource] = {
    source.name: source
    for source in (
        RowSource(
            name="progress_measures",
            grain="aggregate",
            description=(
                "Counts for the quarter ending on the run's as-of date: families worked with "
                "(latest episode open at any time in the quarter), needs identified and "
                "outcomes achieved by headline outcome, and claims that became claimable."
            ),
            columns=(
                _c(
                    "period_start",
                    "First day of the quarter (as-of date less three months, plus a day)",
                ),
                _c("period_end", "Last day of the quarter: the run's as-of date"),
                _c(
                    "measure",
                    "families_worked_with, eligible_families_worked_with, "
                    "needs_identified, outcomes_achieved or claim_candidates",
                ),
                _c("headline_outcome", "Headline outcome code (blank for whole-family measures)"),
                _c("value", "The count"),
            ),
            sql=_progress_measures_sql,
            order_by=("measure_order", "headline_order"),
        ),
        RowSource(
            name="claim_candidates",
            grain="claim",
            description=(
                "One row per claim candidate of the run: an episode closed with its outcomes "
                "met, every identified need met and sustained to the sustained-until date."
            ),
            columns=(
                _AS_OF,
                _FAMILY,
                _c("episode_id", "Early help episode id"),
                _c("episode_start", "Episode start"),
                _c("episode_end", "Episode end"),
                _c(
                    "sustain_until",
                    "Date to which every need was sustained (end plus the sustainment period)",
                ),
                _c("lead_practitioner", "Lead practitioner of the episode"),
                _c("end_reason", "Why the episode closed"),
                _c("needs_identified", "Needs identified at the episode's start, ';'-separated"),
                _c("n_needs", "Number of needs identified"),
                _c("n_headlines", "Number of headline outcomes those needs fall under"),
                _c("headline_outcomes", "Headline outcomes of the needs, ';'-separated"),
                _c(
                    "evidence_rows",
                    "Evidence rows the run stored for the family (need and success)",
                ),
            ),
            sql=_claims_sql,
            order_by=("family_key",),
        ),
        RowSource(
            name="episode_people",
            grain="person",
            description=(
                "One row per current member of each family with an early help episode in the "
                "run (the family's latest episode), with the episode and its needs."
            ),
            columns=(
                _AS_OF,
                _FAMILY,
                _PERSON,
                _ROLE,
                _DOB,
                _SEX,
                _c("episode_id", "Early help episode id"),
                _c("episode_start", "Episode start"),
                _c("episode_end", "Episode end (blank while open)"),
                _c("episode_reason", "Why the episode was opened (most frequent on its rows)"),
                _c("end_reason", "Why the episode closed (blank while open)"),
                _c("lead_practitioner", "Lead practitioner of the episode"),
                _c("team", "Team of the episode"),
                _c("needs_identified", "Family's needs identified at the start, ';'-separated"),
                _c("person_needs", "Needs identified for this person, ';'-separated"),
                _c("need_outcomes", "Status of each identified need, NEED:status;..."),
                _c("eligible_at_start", "Family was eligible at the episode's start"),
            ),
            sql=_episode_people_sql,
            order_by=("family_key", "person_key"),
            identity_scope=_episode_people_scope,
        ),
        RowSource(
            name="eligible_people",
            grain="person",
            description=(
                "One row per current member of each family eligible at the run's as-of date, "
                "with the person key's best identity."
            ),
            columns=(
                _AS_OF,
                _FAMILY,
                _PERSON,
                _ROLE,
                _c("forename", "Forename most of the person's records give", "name"),
                _c("surname", "Surname most of the person's records give", "name"),
                _DOB,
                _SEX,
                _c("postcode", "Postcode most of the person's records give", "postcode"),
                _c("nhs_number", "NHS number most of the person's records give", "identifier"),
                _c("upn", "Unique pupil number most of the person's records give", "identifier"),
                _c("eligible", "Family is eligible at the as-of date"),
                _c("n_needs", "Number of the family's needs"),
                _c("needs", "The family's needs, ';'-separated"),
                _c("headline_outcomes", "Headline outcomes of the family's needs, ';'-separated"),
            ),
            sql=_eligible_people_sql,
            order_by=("family_key", "person_key"),
            identity_scope=_eligible_people_scope,
        ),
    )
}
