"""Family assessment as of a date: needs with evidence, eligibility, progress and claims.

Pure computation over temporary tables on a warehouse connection. The caller says who is
who by filling ``_oc_person_of(record_id, person_key)`` and ``_oc_people(person_key,
family_key, role, dob)``: from the linkage and families runs (``services.py``) or, to
measure the rules alone, from a synthetic city's truth (``evaluation.py``). Results are
left in ``_oc_res_*`` tables for the caller to store or compare.

* A need holds for a person when its rule holds at the reference date and the person's
  age fits ``applies_to``; a household need holds for the family when it holds for any
  current member. A family's needs are the distinct need codes of its members.
* A family is eligible with a dependent child (or an expectant parent) and at least the
  framework's minimum of needs (or of headline outcomes, by the counting rule).
* Progress: the family's latest episode of the claims feed (early help); the needs
  identified at its start; each need's success measure at closure plus the sustainment
  period. A claim candidate has every identified need met and sustained.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from kinlink.outcomes.engine import RuleEngine, months_before, rule_windows
from kinlink.outcomes.models import Framework, HeadlineOutcome, Need
from kinlink.sources.models import FeedDefinition

#: Progress statuses of an identified need.
IN_PROGRESS = "in_progress"  # the episode is open
SUSTAINING = "sustaining"  # closed, the sustainment period has not yet passed
MET = "met"
NOT_MET = "not_met"
NOT_MEASURABLE = "not_measurable"
NO_MEASURE = "no_success_measure"


@dataclass
class AssessmentCounts:
    """Headline figures of one computation."""

    people: int = 0
    families: int = 0
    families_with_needs: int = 0
    eligible: int = 0
    needs: dict[str, int] = field(default_factory=dict)
    episodes: int = 0
    progress: dict[str, int] = field(default_factory=dict)
    claims: int = 0


def _age_sql(dob: str, ref: str) -> str:
    return f"date_diff('year', {dob}, {ref}) - CASE WHEN strftime({ref}, '%m%d') < strftime({dob}, '%m%d') THEN 1 ELSE 0 END"  # noqa: E501


def _applies_sql(framework: Framework, need: Need, age: str) -> str:
    ages = framework.ages
    low, high = {
        "child": (None, ages.child_max),
        "adult": (ages.child_max + 1, None),
        "young_person": (ages.young_person_min, ages.young_person_max),
    }.get(need.applies_to, (None, None))
    if need.applies_to != "household":
        low = need.min_age if need.min_age is not None else low
        high = need.max_age if need.max_age is not None else high
    tests = ([f"{age} >= {low}"] if low is not None else []) + (
        [f"{age} <= {high}"] if high is not None else []
    )
    return f"coalesce({' AND '.join(tests)}, FALSE)" if tests else "TRUE"


class Assessment:
    """One computation: needs at each subject date, eligibility, progress and claims."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        framework: Framework,
        definitions: dict[str, FeedDefinition],
        as_of: date,
    ) -> None:
        self.con = con
        self.framework = framework
        self.as_of = as_of
        self.engine = RuleEngine(con, definitions, framework.calendar)
        self.episode_table = definitions[framework.claims.episode_feed].target
        self.episode_feed = framework.claims.episode_feed

    # -- needs -----------------------------------------------------------------------------

    def _needs_at(self, subjects_sql: str) -> None:
        """Evaluate every need for the (person, date) subjects; results in _oc_need_hits."""
        con = self.con
        con.execute(f"CREATE OR REPLACE TEMP TABLE _oc_subjects AS {subjects_sql}")
        windows: set[str] = set()
        for _, need in self.framework.needs:
            windows |= rule_windows(need.rule)
        self.engine.windows_prepare(windows)
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _oc_need_hits (
                subject_id VARCHAR, need VARCHAR, first_date DATE, last_date DATE)"""
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _oc_need_evidence (
                subject_id VARCHAR, need VARCHAR, record_id VARCHAR, event_date DATE)"""
        )
        for _, need in self.framework.needs:
            result = self.engine.evaluate(need.rule)
            applies = _applies_sql(self.framework, need, _age_sql("p.dob", "s.ref_date"))
            con.execute(
                f"""INSERT INTO _oc_need_hits
                SELECT o.subject_id, ?, o.first_date, o.last_date
                FROM {result.outcome} o JOIN _oc_subjects s USING (subject_id)
                JOIN _oc_people p ON p.person_key = s.person_key
                WHERE o.met AND {applies}""",
                [need.code],
            )
            con.execute(
                f"""INSERT INTO _oc_need_evidence
                SELECT DISTINCT e.subject_id, ?, e.record_id, e.event_date
                FROM {result.evidence} e
                SEMI JOIN _oc_need_hits h ON h.subject_id = e.subject_id AND h.need = ?""",
                [need.code, need.code],
            )
            self.engine.drop(result)

    def _need_table(self) -> None:
        rows = [
            (need.code, headline.code, "family" if need.applies_to == "household" else "person")
            for headline, need in self.framework.needs
        ]
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE _oc_need_defs (need VARCHAR, headline VARCHAR, "
            "level VARCHAR, ordinal INTEGER)"
        )
        self.con.executemany(
            "INSERT INTO _oc_need_defs VALUES (?, ?, ?, ?)",
            [(*row, i) for i, row in enumerate(rows)],
        )

    def needs_assess(self) -> None:
        """Needs and eligibility of every current family at the as-of date."""
        con = self.con
        self._need_table()
        self._needs_at(
            f"SELECT person_key AS subject_id, person_key, DATE '{self.as_of.isoformat()}' "
            "AS ref_date, CAST(NULL AS DATE) AS closure_date FROM _oc_people"
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _oc_res_person_needs AS
            SELECT p.person_key, p.family_key, h.need, d.headline, d.level,
                   h.first_date, h.last_date
            FROM _oc_need_hits h JOIN _oc_people p ON p.person_key = h.subject_id
            JOIN _oc_need_defs d USING (need)"""
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _oc_res_evidence AS
            SELECT p.family_key, e.need, p.person_key, e.record_id, e.event_date
            FROM _oc_need_evidence e JOIN _oc_people p ON p.person_key = e.subject_id"""
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _oc_res_family_needs AS
            SELECT n.family_key, n.need, any_value(n.headline) AS headline,
                   any_value(n.level) AS level, list(DISTINCT n.person_key ORDER BY n.person_key)
                   AS person_keys, min(n.first_date) AS first_date, max(n.last_date) AS last_date,
                   (SELECT count(*) FROM _oc_res_evidence e
                    WHERE e.family_key = n.family_key AND e.need = n.need) AS evidence_rows
            FROM _oc_res_person_needs n GROUP BY n.family_key, n.need"""
        )
        self._eligibility("_oc_res_family_needs", "_oc_res_families")

    def _expectant_sql(self) -> str:
        """Person keys marked as expectant parents at the as-of date, if the framework can."""
        rule = self.framework.eligibility.expectant_parent
        if rule is None:
            return "SELECT CAST(NULL AS VARCHAR) AS person_key WHERE FALSE"
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _oc_subjects AS
            SELECT person_key AS subject_id, person_key, DATE '{self.as_of.isoformat()}' AS
            ref_date, CAST(NULL AS DATE) AS closure_date FROM _oc_people"""
        )
        self.engine.windows_prepare(rule_windows(rule))
        result = self.engine.evaluate(rule)
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE _oc_expectant AS "
            f"SELECT subject_id AS person_key FROM {result.outcome} WHERE met"
        )
        return "SELECT person_key FROM _oc_expectant"

    def _eligibility(self, needs_table: str, out: str, *, at_episode_start: bool = False) -> None:
        """Per family: members, dependants, needs, headline outcomes and eligibility."""
        rule = self.framework.eligibility
        ref = "e.episode_start" if at_episode_start else f"DATE '{self.as_of.isoformat()}'"
        episodes = "JOIN _oc_res_episodes e USING (family_key)" if at_episode_start else ""
        counted = "n_needs" if rule.count == "needs" else "n_headlines"
        age = _age_sql("p.dob", ref)
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {out} AS
            WITH members AS (
                SELECT p.family_key, count(*) AS members,
                       count(*) FILTER (WHERE p.resident AND coalesce(
                           {age} <= {rule.dependent_child_max_age}, p.role = 'CHILD'))
                           AS dependent_children,
                       count(*) FILTER (WHERE p.person_key IN ({self._expectant_sql()}))
                           AS expectant_parents
                FROM _oc_people p {episodes} GROUP BY p.family_key
            ), needs AS (
                SELECT n.family_key, count(*) AS n_needs, count(DISTINCT n.headline) AS n_headlines,
                       list(n.need ORDER BY d.ordinal) AS needs,
                       list(DISTINCT n.headline ORDER BY n.headline) AS headlines
                FROM {needs_table} n JOIN _oc_need_defs d USING (need) GROUP BY n.family_key
            )
            SELECT m.family_key, m.members, m.dependent_children, m.expectant_parents,
                   coalesce(n.n_needs, 0) AS n_needs, coalesce(n.n_headlines, 0) AS n_headlines,
                   coalesce(n.needs, []) AS needs, coalesce(n.headlines, []) AS headlines,
                   (m.dependent_children > 0 OR m.expectant_parents > 0)
                       AND coalesce(n.{counted}, 0) >= {rule.minimum} AS eligible
            FROM members m LEFT JOIN needs n USING (family_key)"""
        )

    # -- progress --------------------------------------------------------------------------

    def progress_assess(self) -> None:
        """Each family's latest episode, its identified needs, their success and claims."""
        con = self.con
        claims = self.framework.claims
        as_of = f"DATE '{self.as_of.isoformat()}'"
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _oc_episode_rows AS
            SELECT p.person_key, t.record_id, t.episode_id, t.episode_start, t.episode_end,
                   t.episode_reason, t.end_reason, t.lead_practitioner, t.team
            FROM {self.episode_table} t JOIN _oc_person_of p USING (record_id)
            WHERE t.feed = ? AND t.episode_start <= {as_of}
            QUALIFY row_number() OVER (PARTITION BY p.person_key, t.episode_id
                ORDER BY t.episode_end IS NULL, t.episode_end DESC, t.record_id DESC) = 1""",
            [self.episode_feed],
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _oc_res_episodes AS
            SELECT p.family_key, e.episode_id, min(e.episode_start) AS episode_start,
                   CASE WHEN bool_and(e.episode_end IS NOT NULL AND e.episode_end <= {as_of})
                        THEN max(e.episode_end) END AS episode_end,
                   list_aggregate(list_sort(list(e.episode_reason)), 'mode') AS episode_reason,
                   any_value(e.end_reason) FILTER (WHERE e.episode_end <= {as_of}) AS end_reason,
                   any_value(e.lead_practitioner) AS lead_practitioner,
                   any_value(e.team) AS team,
                   list(DISTINCT e.record_id ORDER BY e.record_id) AS record_ids
            FROM _oc_episode_rows e JOIN _oc_people p USING (person_key)
            GROUP BY p.family_key, e.episode_id
            QUALIFY row_number() OVER (PARTITION BY p.family_key
                ORDER BY min(e.episode_start) DESC, e.episode_id DESC) = 1"""
        )
        con.execute(
            f"""ALTER TABLE _oc_res_episodes ADD COLUMN sustain_until DATE;
            UPDATE _oc_res_episodes SET sustain_until = episode_end
                + INTERVAL {claims.sustain_months} MONTH WHERE episode_end IS NOT NULL"""
        )
        # Needs identified at the start of the episode, for the family as it is now.
        self._needs_at(
            """SELECT p.person_key || '@' || e.episode_id AS subject_id, p.person_key,
                      e.episode_start AS ref_date, CAST(NULL AS DATE) AS closure_date
               FROM _oc_res_episodes e JOIN _oc_people p USING (family_key)"""
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _oc_res_identified_evidence AS
            SELECT p.family_key, e.need, p.person_key, e.record_id, e.event_date
            FROM _oc_need_evidence e
            JOIN _oc_people p ON p.person_key = split_part(e.subject_id, '@', 1)"""
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _oc_identified AS
            SELECT p.family_key, h.need, any_value(d.headline) AS headline,
                   any_value(d.level) AS level, list(DISTINCT p.person_key) AS person_keys
            FROM _oc_need_hits h
            JOIN _oc_people p ON p.person_key = split_part(h.subject_id, '@', 1)
            JOIN _oc_need_defs d USING (need)
            GROUP BY p.family_key, h.need"""
        )
        self._eligibility("_oc_identified", "_oc_identified_families", at_episode_start=True)
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _oc_res_progress (
                family_key VARCHAR, episode_id VARCHAR, need VARCHAR, headline VARCHAR,
                level VARCHAR, person_keys VARCHAR[], status VARCHAR, measured_on DATE,
                value DOUBLE)"""
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _oc_res_progress_evidence (
                family_key VARCHAR, need VARCHAR, person_key VARCHAR, record_id VARCHAR,
                event_date DATE)"""
        )
        for headline, need in self.framework.needs:
            self._success(headline, need)
        self._claims()

    def _success(self, headline: HeadlineOutcome, need: Need) -> None:
        con = self.con
        as_of = f"DATE '{self.as_of.isoformat()}'"
        # Who is measured: the people who had a person need; every member for a household one.
        subjects = f"""
            SELECT i.family_key || '|' || p.person_key AS subject_id, p.person_key,
                   e.sustain_until AS ref_date, e.episode_end AS closure_date, i.family_key
            FROM _oc_identified i JOIN _oc_res_episodes e USING (family_key)
            JOIN _oc_people p ON p.family_key = i.family_key
                AND (i.level = 'family' OR list_contains(i.person_keys, p.person_key))
            WHERE i.need = {_lit(need.code)}"""
        status_pending = f"""
            SELECT i.family_key, e.episode_id, i.need, i.headline, i.level, i.person_keys,
                   CASE WHEN e.episode_end IS NULL THEN '{IN_PROGRESS}'
                        WHEN e.sustain_until > {as_of} THEN '{SUSTAINING}'
                        ELSE '{NO_MEASURE}' END, e.sustain_until, NULL
            FROM _oc_identified i JOIN _oc_res_episodes e USING (family_key)
            WHERE i.need = {_lit(need.code)}"""
        if need.success is None:
            con.execute(f"INSERT INTO _oc_res_progress {status_pending}")
            return
        con.execute(
            f"INSERT INTO _oc_res_progress {status_pending} AND "
            f"(e.episode_end IS NULL OR e.sustain_until > {as_of})"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _oc_subjects AS SELECT * FROM ({subjects}) "
            f"WHERE ref_date <= {as_of}"
        )
        count = con.execute("SELECT count(*) FROM _oc_subjects").fetchone()
        if not count or not count[0]:
            return
        self.engine.windows_prepare(rule_windows(need.success))
        result = self.engine.evaluate(need.success)
        con.execute(
            f"""INSERT INTO _oc_res_progress
            SELECT s.family_key, any_value(e.episode_id), {_lit(need.code)},
                   {_lit(headline.code)}, any_value(i.level), any_value(i.person_keys),
                   CASE WHEN bool_and(o.measurable) AND bool_and(o.met) THEN '{MET}'
                        WHEN bool_and(o.measurable) OR bool_or(o.measurable AND NOT o.met)
                            THEN '{NOT_MET}'
                        ELSE '{NOT_MEASURABLE}' END,
                   any_value(s.ref_date), min(o.value)
            FROM {result.outcome} o JOIN _oc_subjects s USING (subject_id)
            JOIN _oc_res_episodes e ON e.family_key = s.family_key
            JOIN _oc_identified i ON i.family_key = s.family_key AND i.need = {_lit(need.code)}
            GROUP BY s.family_key"""
        )
        con.execute(
            f"""INSERT INTO _oc_res_progress_evidence
            SELECT s.family_key, {_lit(need.code)}, s.person_key, ev.record_id, ev.event_date
            FROM {result.evidence} ev JOIN _oc_subjects s USING (subject_id)"""
        )
        self.engine.drop(result)

    def _claims(self) -> None:
        claims = self.framework.claims
        reasons = ", ".join(_lit(r) for r in claims.end_reasons) or "NULL"
        lead = "AND e.lead_practitioner IS NOT NULL AND e.lead_practitioner <> ''" if (
            claims.require_lead_practitioner) else ""  # fmt: skip
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _oc_res_claims AS
            SELECT e.family_key, e.episode_id, e.episode_start, e.episode_end, e.sustain_until,
                   e.lead_practitioner, e.end_reason, f.needs AS needs_identified,
                   f.n_needs, f.n_headlines
            FROM _oc_res_episodes e JOIN _oc_identified_families f USING (family_key)
            WHERE e.episode_end IS NOT NULL AND e.sustain_until <= DATE '{self.as_of.isoformat()}'
              AND e.end_reason IN ({reasons}) {lead} AND f.eligible
              AND NOT EXISTS (SELECT 1 FROM _oc_res_progress p
                              WHERE p.family_key = e.family_key AND p.status <> '{MET}')"""
        )

    def run(self) -> AssessmentCounts:
        """Needs, eligibility, progress and claims; the counts for the summary."""
        self.needs_assess()
        self.progress_assess()
        return self.counts()

    def counts(self) -> AssessmentCounts:
        """Figures from the result tables."""
        con = self.con

        def one(sql: str) -> int:
            found = con.execute(sql).fetchone()
            return int(found[0]) if found and found[0] is not None else 0

        counts = AssessmentCounts(
            people=one("SELECT count(*) FROM _oc_people"),
            families=one("SELECT count(*) FROM _oc_res_families"),
            families_with_needs=one("SELECT count(*) FROM _oc_res_families WHERE n_needs > 0"),
            eligible=one("SELECT count(*) FROM _oc_res_families WHERE eligible"),
            episodes=one("SELECT count(*) FROM _oc_res_episodes"),
            claims=one("SELECT count(*) FROM _oc_res_claims"),
        )
        counts.needs = dict(
            con.execute(
                "SELECT need, count(*) FROM _oc_res_family_needs n JOIN _oc_need_defs d "
                "USING (need) GROUP BY need, d.ordinal ORDER BY d.ordinal"
            ).fetchall()
        )
        counts.progress = dict(
            con.execute(
                "SELECT status, count(*) FROM _oc_res_progress GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )
        return counts


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


__all__ = ["Assessment", "AssessmentCounts", "months_before"]
