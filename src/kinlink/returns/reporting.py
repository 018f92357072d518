"""The reporting model: stable, documented DuckDB views for dashboards and BI tools.

Power BI (or any tool that reads DuckDB) reads these views rather than the assessment
tables, so the tables can change behind them. Every view shows the latest assessment run
only, with its as-of date as ``period``; lists are flattened to text (', '-separated),
because BI tools handle text better than arrays. The definitions below are the single
source of ``docs/reporting.md`` (``kinlink returns views-doc``), and a test checks that
each view's real columns and types are the documented ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from kinlink.core.errors import KinlinkError
from kinlink.families.tables import table_exists
from kinlink.linkage.keys import MEMBERS as PERSON_MEMBERS
from kinlink.outcomes.tables import (
    CLAIMS,
    EPISODES,
    FAMILIES,
    FAMILY_NEEDS,
    PROGRESS,
    RUNS,
)
from kinlink.outcomes.tables import MEMBERS as RUN_MEMBERS
from kinlink.warehouse.schema import PERSON_RECORD_TABLE


class NoAssessmentTables(KinlinkError):
    """The views read assessment tables this warehouse does not have yet."""


@dataclass(frozen=True)
class ViewColumn:
    """A documented column: name, DuckDB type and meaning."""

    name: str
    sql_type: str
    meaning: str


@dataclass(frozen=True)
class ReportingView:
    """A view: its name, what one row is, its columns and its SQL."""

    name: str
    row: str
    columns: tuple[ViewColumn, ...]
    sql: str


def _col(name: str, sql_type: str, meaning: str) -> ViewColumn:
    return ViewColumn(name, sql_type, meaning)


_PERIOD = _col("period", "DATE", "As-of date of the latest assessment run")
_RUN = _col("run_id", "VARCHAR", "The assessment run the row comes from")
_FAMILY = _col("family_key", "VARCHAR", "Family key")

VIEWS: tuple[ReportingView, ...] = (
    ReportingView(
        name="rpt_run",
        row="The latest assessment run (one row): every other view reads it.",
        columns=(
            _RUN,
            _PERIOD,
            _col("framework", "VARCHAR", "Outcomes framework assessed"),
            _col("framework_version", "VARCHAR", "Version of the framework"),
            _col("finished_at", "TIMESTAMP WITH TIME ZONE", "When the run finished (UTC)"),
        ),
        sql=f"""SELECT run_id, as_of AS period, framework, framework_version, finished_at
            FROM {RUNS} ORDER BY finished_at DESC, run_id DESC LIMIT 1""",
    ),
    ReportingView(
        name="rpt_families",
        row="One row per current family assessed in the latest run.",
        columns=(
            _PERIOD,
            _RUN,
            _FAMILY,
            _col("members", "INTEGER", "Current members"),
            _col("dependent_children", "INTEGER", "Dependent children at the as-of date"),
            _col("n_needs", "INTEGER", "Needs at the as-of date"),
            _col("n_headlines", "INTEGER", "Headline outcomes those needs fall under"),
            _col("needs", "VARCHAR", "Need codes, ', '-separated"),
            _col("headline_outcomes", "VARCHAR", "Headline outcome codes, ', '-separated"),
            _col("eligible", "BOOLEAN", "Eligible for Supporting Families at the as-of date"),
            _col("has_episode", "BOOLEAN", "Has an early help episode started by the as-of date"),
            _col("episode_open", "BOOLEAN", "Its latest episode is open at the as-of date"),
            _col("claim_candidate", "BOOLEAN", "A results claim candidate in this run"),
            _col(
                "postcode_district",
                "VARCHAR",
                "Postcode district most members' latest records give (blank when none has one)",
            ),
        ),
        sql=f"""WITH person_district AS (
                SELECT k.person_key, r.postcode_district
                FROM {PERSON_MEMBERS} k JOIN {PERSON_RECORD_TABLE} r USING (record_id)
                WHERE r.postcode_district IS NOT NULL AND r.postcode_district <> ''
                QUALIFY row_number() OVER (PARTITION BY k.person_key
                    ORDER BY r.observed_date DESC NULLS LAST, r.record_id DESC) = 1
            ), family_district AS (
                SELECT family_key, postcode_district FROM (
                    SELECT m.family_key, d.postcode_district, count(*) AS n
                    FROM {RUN_MEMBERS} m JOIN rpt_run r ON r.run_id = m.run_id
                    JOIN person_district d USING (person_key) GROUP BY ALL)
                QUALIFY row_number() OVER (PARTITION BY family_key
                    ORDER BY n DESC, postcode_district) = 1
            )
            SELECT r.period, r.run_id, f.family_key, f.members, f.dependent_children, f.n_needs,
                   f.n_headlines, array_to_string(f.needs, ', ') AS needs,
                   array_to_string(f.headlines, ', ') AS headline_outcomes, f.eligible,
                   e.episode_id IS NOT NULL AS has_episode,
                   coalesce(e.episode_id IS NOT NULL AND e.episode_end IS NULL, FALSE)
                       AS episode_open,
                   c.family_key IS NOT NULL AS claim_candidate, d.postcode_district
            FROM rpt_run r JOIN {FAMILIES} f USING (run_id)
            LEFT JOIN {EPISODES} e ON e.run_id = f.run_id AND e.family_key = f.family_key
            LEFT JOIN {CLAIMS} c ON c.run_id = f.run_id AND c.family_key = f.family_key
            LEFT JOIN family_district d ON d.family_key = f.family_key""",
    ),
    ReportingView(
        name="rpt_family_needs",
        row="One row per need of a family at the as-of date of the latest run.",
        columns=(
            _PERIOD,
            _RUN,
            _FAMILY,
            _col("need", "VARCHAR", "Need code"),
            _col("headline_outcome", "VARCHAR", "Headline outcome the need falls under"),
            _col("level", "VARCHAR", "person (a member has it) or family (a household need)"),
            _col("people", "BIGINT", "Members the need was found for"),
            _col("first_date", "DATE", "Earliest evidence date"),
            _col("last_date", "DATE", "Latest evidence date"),
            _col("evidence_rows", "INTEGER", "Source rows behind the need"),
            _col("eligible", "BOOLEAN", "The family is eligible"),
        ),
        sql=f"""SELECT r.period, r.run_id, n.family_key, n.need, n.headline AS headline_outcome,
                   n.level, len(n.person_keys) AS people, n.first_date, n.last_date,
                   n.evidence_rows, f.eligible
            FROM rpt_run r JOIN {FAMILY_NEEDS} n USING (run_id)
            JOIN {FAMILIES} f ON f.run_id = n.run_id AND f.family_key = n.family_key""",
    ),
    ReportingView(
        name="rpt_needs_by_outcome_period",
        row="One row per headline outcome and need found in the latest run.",
        columns=(
            _PERIOD,
            _col("headline_outcome", "VARCHAR", "Headline outcome"),
            _col("need", "VARCHAR", "Need code"),
            _col("families", "BIGINT", "Families with the need"),
            _col("eligible_families", "BIGINT", "Of those, eligible families"),
            _col("people", "BIGINT", "Members the need was found for"),
        ),
        sql="""SELECT period, headline_outcome, need, count(*) AS families,
                   count(*) FILTER (WHERE eligible) AS eligible_families,
                   CAST(sum(people) AS BIGINT) AS people
            FROM rpt_family_needs GROUP BY period, headline_outcome, need""",
    ),
    ReportingView(
        name="rpt_episodes",
        row="One row per family's latest early help episode started by the as-of date.",
        columns=(
            _PERIOD,
            _RUN,
            _FAMILY,
            _col("episode_id", "VARCHAR", "Early help episode id"),
            _col("episode_start", "DATE", "Episode start"),
            _col("episode_end", "DATE", "Episode end (blank while open)"),
            _col("status", "VARCHAR", "open or closed at the as-of date"),
            _col("end_reason", "VARCHAR", "Why it closed"),
            _col("lead_practitioner", "VARCHAR", "Lead practitioner"),
            _col("team", "VARCHAR", "Team"),
            _col("sustain_until", "DATE", "End of the sustainment period after closure"),
            _col("needs_identified", "VARCHAR", "Needs identified at the start, ', '-separated"),
            _col("n_needs_identified", "BIGINT", "Number of needs identified at the start"),
            _col("eligible_at_start", "BOOLEAN", "The family was eligible at the start"),
            _col("days_open", "BIGINT", "Days from start to end (or to the as-of date)"),
        ),
        sql=f"""SELECT r.period, r.run_id, e.family_key, e.episode_id, e.episode_start,
                   e.episode_end, CASE WHEN e.episode_end IS NULL THEN 'open' ELSE 'closed' END
                   AS status, e.end_reason, e.lead_practitioner, e.team, e.sustain_until,
                   array_to_string(e.needs_identified, ', ') AS needs_identified,
                   len(e.needs_identified) AS n_needs_identified, e.eligible_at_start,
                   date_diff('day', e.episode_start, coalesce(e.episode_end, r.period))
                       AS days_open
            FROM rpt_run r JOIN {EPISODES} e USING (run_id)""",
    ),
    ReportingView(
        name="rpt_progress",
        row="One row per need identified at the start of a family's latest episode.",
        columns=(
            _PERIOD,
            _RUN,
            _FAMILY,
            _col("episode_id", "VARCHAR", "Early help episode id"),
            _col("need", "VARCHAR", "Need code"),
            _col("headline_outcome", "VARCHAR", "Headline outcome"),
            _col("level", "VARCHAR", "person or family"),
            _col("people", "BIGINT", "Members measured"),
            _col(
                "status",
                "VARCHAR",
                "in_progress, sustaining, met, not_met, not_measurable or no_success_measure",
            ),
            _col("measured_on", "DATE", "Date the success measure is (or will be) taken"),
            _col("value", "DOUBLE", "Measured value where the measure is a ratio"),
        ),
        sql=f"""SELECT r.period, r.run_id, p.family_key, p.episode_id, p.need,
                   p.headline AS headline_outcome, p.level, len(p.person_keys) AS people,
                   p.status, p.measured_on, p.value
            FROM rpt_run r JOIN {PROGRESS} p USING (run_id)""",
    ),
    ReportingView(
        name="rpt_claims",
        row="One row per results claim candidate of the latest run.",
        columns=(
            _PERIOD,
            _RUN,
            _FAMILY,
            _col("episode_id", "VARCHAR", "Early help episode id"),
            _col("episode_start", "DATE", "Episode start"),
            _col("episode_end", "DATE", "Episode end"),
            _col("sustain_until", "DATE", "Needs met and sustained up to this date"),
            _col("lead_practitioner", "VARCHAR", "Lead practitioner"),
            _col("end_reason", "VARCHAR", "Why it closed"),
            _col("needs_identified", "VARCHAR", "Needs identified, ', '-separated"),
            _col("n_needs", "INTEGER", "Number of needs identified"),
            _col("n_headlines", "INTEGER", "Headline outcomes they fall under"),
        ),
        sql=f"""SELECT r.period, r.run_id, c.family_key, c.episode_id, c.episode_start,
                   c.episode_end, c.sustain_until, c.lead_practitioner, c.end_reason,
                   array_to_string(c.needs_identified, ', ') AS needs_identified, c.n_needs,
                   c.n_headlines
            FROM rpt_run r JOIN {CLAIMS} c USING (run_id)""",
    ),
    ReportingView(
        name="rpt_schools",
        row=(
            "One row per school: pupils on roll at its latest census up to the as-of date, "
            "how many are in eligible families, and persistent absence (absence of at least "
            "10% of possible sessions over the school's latest academic year of figures, "
            "latest copy of each term's figures)."
        ),
        columns=(
            _PERIOD,
            _col("school_urn", "VARCHAR", "School URN"),
            _col("school_name", "VARCHAR", "School name at that census"),
            _col("census_date", "DATE", "The school's latest census date up to the as-of date"),
            _col("pupils", "BIGINT", "Pupils (person keys) on roll at that census"),
            _col("pupils_in_eligible_families", "BIGINT", "Of those, in eligible families"),
            _col("pupils_in_families_with_needs", "BIGINT", "Of those, in families with a need"),
            _col("attendance_year", "VARCHAR", "Academic year the absence figures are for"),
            _col("pupils_with_attendance", "BIGINT", "Pupils on roll with figures that year"),
            _col("persistent_absentees", "BIGINT", "Of those, absent 10% of sessions or more"),
            _col(
                "persistent_absence_rate",
                "DOUBLE",
                "persistent_absentees / pupils_with_attendance (blank without figures)",
            ),
        ),
        sql=f"""WITH latest_census AS (
                SELECT c.school_urn, max(c.census_date) AS census_date
                FROM school_census c, rpt_run r WHERE c.census_date <= r.period
                GROUP BY c.school_urn
            ), roll AS (
                SELECT c.school_urn, k.person_key, c.school_name
                FROM school_census c JOIN latest_census USING (school_urn, census_date)
                JOIN {PERSON_MEMBERS} k USING (record_id)
            ), names AS (
                SELECT school_urn, list_aggregate(list_sort(
                    list(school_name)), 'mode') AS school_name FROM roll GROUP BY school_urn
            ), families AS (
                SELECT m.person_key, f.eligible, f.n_needs > 0 AS has_needs
                FROM {RUN_MEMBERS} m JOIN {FAMILIES} f
                    ON f.family_key = m.family_key AND f.run_id = m.run_id
                JOIN rpt_run r ON r.run_id = f.run_id
            ), terms AS (
                SELECT k.person_key, a.school_urn, a.academic_year, a.sessions_possible,
                       coalesce(a.sessions_authorised, 0) + coalesce(a.sessions_unauthorised, 0)
                           AS absent
                FROM attendance_term a JOIN {PERSON_MEMBERS} k USING (record_id), rpt_run r
                WHERE a.as_of_date IS NULL OR a.as_of_date <= r.period
                QUALIFY row_number() OVER (
                    PARTITION BY k.person_key, a.school_urn, a.academic_year, a.term
                    ORDER BY a.as_of_date DESC NULLS LAST, a.record_id DESC) = 1
            ), latest_year AS (
                SELECT school_urn, max(academic_year) AS academic_year FROM terms
                GROUP BY school_urn
            ), absence AS (
                SELECT t.school_urn, t.person_key,
                       sum(t.absent) / nullif(sum(t.sessions_possible), 0) AS rate
                FROM terms t JOIN latest_year USING (school_urn, academic_year) GROUP BY ALL
            ), pupils AS (
                SELECT DISTINCT school_urn, person_key FROM roll
            )
            SELECT r.period, l.school_urn, n.school_name, l.census_date,
                   count(p.person_key) AS pupils,
                   count(p.person_key) FILTER (WHERE f.eligible) AS pupils_in_eligible_families,
                   count(p.person_key) FILTER (WHERE f.has_needs)
                       AS pupils_in_families_with_needs,
                   any_value(y.academic_year) AS attendance_year,
                   count(a.rate) AS pupils_with_attendance,
                   count(a.rate) FILTER (WHERE a.rate >= 0.10) AS persistent_absentees,
                   count(a.rate) FILTER (WHERE a.rate >= 0.10) / nullif(count(a.rate), 0)
                       AS persistent_absence_rate
            FROM latest_census l CROSS JOIN rpt_run r
            JOIN names n USING (school_urn)
            JOIN pupils p USING (school_urn)
            LEFT JOIN families f ON f.person_key = p.person_key
            LEFT JOIN latest_year y ON y.school_urn = l.school_urn
            LEFT JOIN absence a ON a.school_urn = p.school_urn AND a.person_key = p.person_key
            GROUP BY r.period, l.school_urn, n.school_name, l.census_date""",
    ),
    ReportingView(
        name="rpt_areas",
        row="One row per postcode district (blank: families with no known postcode).",
        columns=(
            _PERIOD,
            _col("postcode_district", "VARCHAR", "Postcode district, e.g. L8"),
            _col("families", "BIGINT", "Families assessed"),
            _col("eligible_families", "BIGINT", "Of those, eligible"),
            _col("families_with_needs", "BIGINT", "Of those, with at least one need"),
            _col("needs", "BIGINT", "Needs of those families, summed"),
            _col("people", "BIGINT", "Members of those families"),
            _col("families_with_episode", "BIGINT", "Families with an early help episode"),
        ),
        sql="""SELECT period, postcode_district, count(*) AS families,
                   count(*) FILTER (WHERE eligible) AS eligible_families,
                   count(*) FILTER (WHERE n_needs > 0) AS families_with_needs,
                   CAST(sum(n_needs) AS BIGINT) AS needs, CAST(sum(members) AS BIGINT) AS people,
                   count(*) FILTER (WHERE has_episode) AS families_with_episode
            FROM rpt_families GROUP BY period, postcode_district""",
    ),
)

VIEW_NAMES = tuple(v.name for v in VIEWS)

#: Tables the views read; the assessment creates the outcome tables on its first run.
_REQUIRED_TABLES = (RUNS, FAMILIES, FAMILY_NEEDS, EPISODES, PROGRESS, CLAIMS, RUN_MEMBERS,
                    PERSON_MEMBERS)  # fmt: skip


def reporting_views_create(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create (or replace) every reporting view; returns their names.

    Safe to call after each assessment: views hold no data, so replacing them is cheap
    and leaves dashboards pointing at the same names.
    """
    missing = [t for t in _REQUIRED_TABLES if not table_exists(con, t)]
    if missing:
        raise NoAssessmentTables(
            "the reporting views read the assessment tables, and this warehouse has no "
            f"{', '.join(missing)} yet: link people, build families and assess them first"
        )
    for view in VIEWS:
        con.execute(f"CREATE OR REPLACE VIEW {view.name} AS {view.sql}")
    return list(VIEW_NAMES)


_INTRO = """\
# The reporting model

Generated by `kinlink returns views-doc`; do not edit by hand (a test checks it is current,
and that every view's real columns and types are the ones listed here).

`kinlink returns views` creates these views in the warehouse (and replaces them, so it is
safe to run after every assessment). Dashboards and BI tools (Power BI through the DuckDB
ODBC driver, or anything that reads DuckDB) read the views, never the assessment tables:
a view's columns are only ever added, so a report built on them keeps working.

* Every view shows the **latest assessment run** (`rpt_run`), with its as-of date as
  `period`; earlier runs stay in the `outcome_*` tables.
* Lists are flattened to text, `', '`-separated.
* Counts of pupils and families are of **person keys and family keys**, so a person the
  linkage has not joined counts twice; see `docs/linkage.md` for how often that happens.
* The views carry person and family keys but no names, dates of birth or addresses of
  family members (episodes and claims name the lead practitioner); who may open them is a
  matter for the council's access control on the warehouse file.
"""


def reporting_markdown() -> str:
    """``docs/reporting.md``: every view, what a row is, its columns and their meaning."""
    parts = [_INTRO]
    for view in VIEWS:
        lines = [
            f"## `{view.name}`",
            "",
            view.row,
            "",
            "| column | type | meaning |",
            "|---|---|---|",
        ]
        lines += [f"| `{c.name}` | {c.sql_type} | {c.meaning} |" for c in view.columns]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)
