"""Features and labels as of a date, computed by the outcomes rule engine.

Everything here is SQL over temporary tables on a warehouse connection; the caller says
who is who by filling ``_oc_person_of(record_id, person_key)`` and ``_rk_people`` (see
``people_prepare``). One *row* is a person at an as-of date.

No look-ahead, by construction:

* a feature is a rule evaluated with the as-of date as its reference date: the engine only
  counts rows dated on or before it;
* a label is the label rule evaluated at ``as_of + horizon`` with a window of exactly the
  days after the as-of date, so it only counts rows dated strictly after it;
* the groups used for fairness figures (sex, ethnicity, SEN, free school meals, area) are
  read from rows observed on or before the as-of date.

Family membership comes from the latest families run (its ``valid_from`` is honoured): a
household feature of an early as-of date may use a family composition learnt later. The
events it counts are still all on or before the as-of date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb

from kinlink.families.tables import MEMBERS as FAMILY_MEMBERS
from kinlink.linkage.keys import MEMBERS as PERSON_MEMBERS
from kinlink.outcomes.engine import RuleEngine, months_before, rule_feeds, rule_windows
from kinlink.outcomes.models import AllOf, AnyOf, Calendar, Rule
from kinlink.risk.models import Feature, Label, Population
from kinlink.sources.models import FeedDefinition
from kinlink.warehouse.schema import PERSON_RECORD_TABLE

#: DfE ethnicity codes by their first letter: the major groups reported on.
ETHNIC_GROUPS = {
    "W": "White",
    "M": "Mixed",
    "A": "Asian",
    "B": "Black",
    "C": "Chinese",
    "O": "Other",
}
GROUP_KINDS = ("sex", "ethnicity", "sen", "fsm", "area")


def months_after(day: date, months: int) -> date:
    """The same day of the month ``months`` later (clamped to the month's length)."""
    return months_before(day, -months)


def with_window(rule: Rule, window: str) -> Rule:
    """The rule with every part's look-back replaced by ``window``."""
    if isinstance(rule, AnyOf):
        return AnyOf(any_of=tuple(with_window(r, window) for r in rule.any_of))
    if isinstance(rule, AllOf):
        return AllOf(all_of=tuple(with_window(r, window) for r in rule.all_of))
    return rule.model_copy(update={"window": window})


def label_window(as_of: date, horizon_months: int) -> tuple[date, str]:
    """Reference date and window of a label: the days after ``as_of`` up to the horizon."""
    end = months_after(as_of, horizon_months)
    return end, f"{(end - as_of).days} days"


@dataclass
class Dataset:
    """Rows (person, as-of date) with feature values, labels, groups and evidence."""

    feature_names: list[str]
    keys: list[tuple[str, date]] = field(default_factory=list)
    values: list[list[int]] = field(default_factory=list)
    labels: list[int | None] = field(default_factory=list)
    groups: list[dict[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.keys)


def people_prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Fill ``_oc_person_of`` and ``_rk_people`` / ``_rk_members`` from the linked warehouse."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _oc_person_of AS "
        f"SELECT record_id, person_key FROM {PERSON_MEMBERS}"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _rk_people AS
        SELECT k.person_key, list_aggregate(list_sort(list(r.dob)), 'mode') AS dob
        FROM {PERSON_MEMBERS} k JOIN {PERSON_RECORD_TABLE} r USING (record_id)
        WHERE r.dob IS NOT NULL GROUP BY k.person_key"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _rk_members AS
        SELECT person_key, any_value(family_key) AS family_key, min(valid_from) AS valid_from
        FROM {FAMILY_MEMBERS} WHERE basis = 'current' GROUP BY person_key"""
    )


def _age_sql(dob: str, ref: str) -> str:
    return (
        f"(date_diff('year', {dob}, {ref}) - CASE WHEN strftime({ref}, '%m%d') < "
        f"strftime({dob}, '%m%d') THEN 1 ELSE 0 END)"
    )


class FeatureBuilder:
    """Population, features, labels and groups for a list of as-of dates."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        definitions: dict[str, FeedDefinition],
        calendar: Calendar | None = None,
    ) -> None:
        self.con = con
        self.engine = RuleEngine(con, definitions, calendar or Calendar())

    # -- who -------------------------------------------------------------------------------

    def _subjects(self, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _oc_subjects AS {sql}")

    def _rule_holds(self, rule: Rule, ref_sql: str) -> str:
        """Name of a temp table of (person_key, as_of) for which ``rule`` holds.

        ``ref_sql`` gives each population row's reference date from ``as_of``.
        """
        self._subjects(
            f"SELECT person_key || '@' || CAST(as_of AS VARCHAR) AS subject_id, person_key, "
            f"{ref_sql} AS ref_date, CAST(NULL AS DATE) AS closure_date FROM _rk_population"
        )
        self.engine.windows_prepare(rule_windows(rule))
        result = self.engine.evaluate(rule)
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _rk_holds AS
            SELECT p.person_key, p.as_of FROM _rk_population p
            JOIN {result.outcome} o
              ON o.subject_id = p.person_key || '@' || CAST(p.as_of AS VARCHAR)
            WHERE o.met"""
        )
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _rk_holds_evidence AS
            SELECT DISTINCT p.person_key, p.as_of, e.record_id, e.event_date
            FROM {result.evidence} e JOIN {result.outcome} o USING (subject_id)
            JOIN _rk_population p ON e.subject_id = p.person_key || '@' || CAST(p.as_of AS VARCHAR)
            WHERE o.met"""
        )
        self.engine.drop(result)
        return "_rk_holds"

    def population(self, population: Population, label: Label, as_of_dates: Iterable[date]) -> int:
        """Fill ``_rk_population(person_key, as_of)``: the age band, less prior labels."""
        dates = sorted(set(as_of_dates))
        self.con.execute("CREATE OR REPLACE TEMP TABLE _rk_dates (as_of DATE)")
        self.con.executemany("INSERT INTO _rk_dates VALUES (?)", [(d,) for d in dates])
        age = _age_sql("p.dob", "d.as_of")
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _rk_population AS
            SELECT p.person_key, d.as_of FROM _rk_people p CROSS JOIN _rk_dates d
            WHERE p.dob <= d.as_of AND {age} BETWEEN {population.min_age} AND {population.max_age}
              -- known to some feed by the as-of date: nobody is scored on a record yet to come
              AND EXISTS (SELECT 1 FROM _oc_person_of o JOIN {PERSON_RECORD_TABLE} r
                          USING (record_id)
                          WHERE o.person_key = p.person_key AND r.observed_date <= d.as_of)"""
        )
        if population.exclude_prior_label:
            prior = with_window(label.rule, population.prior_window)
            held = self._rule_holds(prior, "as_of")
            self.con.execute(
                f"DELETE FROM _rk_population p WHERE EXISTS (SELECT 1 FROM {held} h "
                "WHERE h.person_key = p.person_key AND h.as_of = p.as_of)"
            )
        found = self.con.execute("SELECT count(*) FROM _rk_population").fetchone()
        return int(found[0]) if found else 0

    # -- what ------------------------------------------------------------------------------

    def features(self, features: Sequence[Feature]) -> None:
        """Fill ``_rk_values`` (person_key, as_of, feature) for features that hold, and
        ``_rk_evidence`` (person_key, as_of, feature, record_id, event_date)."""
        con = self.con
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _rk_values (person_key VARCHAR, as_of DATE, "
            "feature VARCHAR)"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _rk_evidence (person_key VARCHAR, as_of DATE, "
            "feature VARCHAR, record_id VARCHAR, event_date DATE)"
        )
        # Subjects: the population and, for household features, their family members.
        self._subjects(
            """WITH rows AS (
                SELECT person_key, as_of, person_key AS member FROM _rk_population
                UNION
                SELECT p.person_key, p.as_of, m2.person_key AS member
                FROM _rk_population p JOIN _rk_members m1 ON m1.person_key = p.person_key
                JOIN _rk_members m2 ON m2.family_key = m1.family_key
                WHERE m2.valid_from IS NULL OR m2.valid_from <= p.as_of
            )
            SELECT DISTINCT member || '@' || CAST(as_of AS VARCHAR) AS subject_id,
                   member AS person_key, as_of AS ref_date, CAST(NULL AS DATE) AS closure_date
            FROM rows"""
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _rk_household AS
            SELECT p.person_key, p.as_of, p.person_key AS member FROM _rk_population p
            UNION
            SELECT p.person_key, p.as_of, m2.person_key FROM _rk_population p
            JOIN _rk_members m1 ON m1.person_key = p.person_key
            JOIN _rk_members m2 ON m2.family_key = m1.family_key
            WHERE m2.valid_from IS NULL OR m2.valid_from <= p.as_of"""
        )
        windows: set[str] = set()
        for feature in features:
            windows |= rule_windows(feature.rule)
        self.engine.windows_prepare(windows)
        for feature in features:
            result = self.engine.evaluate(feature.rule)
            whose = (
                "_rk_household h"
                if feature.level == "household"
                else "(SELECT person_key, as_of, person_key AS member FROM _rk_population) h"
            )
            subject = "h.member || '@' || CAST(h.as_of AS VARCHAR)"
            con.execute(
                f"""INSERT INTO _rk_values
                SELECT DISTINCT h.person_key, h.as_of, ? FROM {whose}
                JOIN {result.outcome} o ON o.subject_id = {subject} WHERE o.met""",
                [feature.name],
            )
            con.execute(
                f"""INSERT INTO _rk_evidence
                SELECT DISTINCT h.person_key, h.as_of, ?, e.record_id, e.event_date
                FROM {whose} JOIN {result.outcome} o ON o.subject_id = {subject}
                JOIN {result.evidence} e ON e.subject_id = o.subject_id WHERE o.met""",
                [feature.name],
            )
            self.engine.drop(result)

    def labels(self, label: Label) -> None:
        """Fill ``_rk_labels`` (person_key, as_of, label) and ``_rk_label_evidence``."""
        con = self.con
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _rk_labels (person_key VARCHAR, as_of DATE, "
            "label BOOLEAN)"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _rk_label_evidence (person_key VARCHAR, as_of DATE, "
            "record_id VARCHAR, event_date DATE)"
        )
        dates = [r[0] for r in con.execute("SELECT DISTINCT as_of FROM _rk_population").fetchall()]
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _rk_population_all AS SELECT * FROM _rk_population"
        )
        try:
            for as_of in dates:
                end, window = label_window(as_of, label.horizon_months)
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE _rk_population AS "
                    "SELECT * FROM _rk_population_all WHERE as_of = ?",
                    [as_of],
                )
                held = self._rule_holds(
                    with_window(label.rule, window), f"DATE '{end.isoformat()}'"
                )
                con.execute(
                    f"""INSERT INTO _rk_labels SELECT p.person_key, p.as_of,
                    EXISTS (SELECT 1 FROM {held} h WHERE h.person_key = p.person_key)
                    FROM _rk_population p"""
                )
                con.execute("INSERT INTO _rk_label_evidence SELECT * FROM _rk_holds_evidence")
        finally:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _rk_population AS SELECT * FROM _rk_population_all"
            )
            con.execute("DROP TABLE _rk_population_all")

    def label_reach(self, label: Label) -> date | None:
        """The latest date the label's feeds reach: a label window must end by then."""
        feeds = sorted(rule_feeds(label.rule))
        found = self.con.execute(
            f"SELECT min(reach) FROM (SELECT max(observed_date) AS reach FROM "
            f"{PERSON_RECORD_TABLE} WHERE feed IN ({', '.join('?' for _ in feeds)}) "
            "GROUP BY feed)",
            feeds,
        ).fetchone()
        return found[0] if found else None

    # -- groups ----------------------------------------------------------------------------

    def groups(self) -> None:
        """Fill ``_rk_groups``: sex, ethnicity, SEN, FSM and area of each row, as of its date."""
        first_letter = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in ETHNIC_GROUPS.items())
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _rk_groups AS
            WITH rec AS (
                SELECT p.person_key, p.as_of, r.sex, r.postcode_district, r.observed_date
                FROM _rk_population p JOIN _oc_person_of o USING (person_key)
                JOIN {PERSON_RECORD_TABLE} r USING (record_id)
                WHERE r.observed_date <= p.as_of
            ), census AS (
                SELECT p.person_key, p.as_of, c.ethnicity, c.sen_provision, c.fsm_eligible,
                       c.census_date
                FROM _rk_population p JOIN _oc_person_of o USING (person_key)
                JOIN school_census c USING (record_id)
                WHERE c.census_date <= p.as_of
            ), s AS (
                SELECT person_key, as_of, list_aggregate(list_sort(
                    list(sex) FILTER (WHERE sex IN ('M', 'F'))), 'mode') AS sex,
                       arg_max(postcode_district, observed_date)
                           FILTER (WHERE postcode_district IS NOT NULL) AS area
                FROM rec GROUP BY person_key, as_of
            ), c AS (
                SELECT person_key, as_of,
                       arg_max(ethnicity, census_date) FILTER (WHERE ethnicity IS NOT NULL)
                           AS ethnicity,
                       arg_max(sen_provision, census_date) AS sen,
                       bool_or(coalesce(fsm_eligible, FALSE)) AS fsm
                FROM census GROUP BY person_key, as_of
            )
            SELECT p.person_key, p.as_of,
                   coalesce(s.sex, 'not recorded') AS sex,
                   coalesce(CASE left(c.ethnicity, 1) {first_letter} END, 'not recorded')
                       AS ethnicity,
                   CASE WHEN c.person_key IS NULL THEN 'not in school census'
                        WHEN c.sen IN ('E', 'K') THEN 'SEN' ELSE 'no SEN' END AS sen,
                   CASE WHEN c.person_key IS NULL THEN 'not in school census'
                        WHEN c.fsm THEN 'FSM' ELSE 'no FSM' END AS fsm,
                   coalesce(s.area, 'not recorded') AS area
            FROM _rk_population p LEFT JOIN s USING (person_key, as_of)
            LEFT JOIN c USING (person_key, as_of)"""
        )

    # -- all at once -----------------------------------------------------------------------

    def dataset(self, feature_names: Sequence[str], *, with_labels: bool) -> Dataset:
        """The rows of ``_rk_population`` with their features (and labels, groups)."""
        data = Dataset(list(feature_names))
        position = {name: i for i, name in enumerate(feature_names)}
        values: dict[tuple[str, date], list[int]] = {}
        order = self.con.execute(
            "SELECT person_key, as_of FROM _rk_population ORDER BY as_of, person_key"
        ).fetchall()
        for key, as_of in order:
            values[(key, as_of)] = [0] * len(feature_names)
        for key, as_of, name in self.con.execute("SELECT * FROM _rk_values").fetchall():
            if name in position and (key, as_of) in values:
                values[(key, as_of)][position[name]] = 1
        labels: dict[tuple[str, date], bool] = {}
        if with_labels:
            labels = {
                (k, d): bool(v)
                for k, d, v in self.con.execute("SELECT * FROM _rk_labels").fetchall()
            }
        groups = {
            (r[0], r[1]): dict(zip(GROUP_KINDS, r[2:], strict=True))
            for r in self.con.execute(
                f"SELECT person_key, as_of, {', '.join(GROUP_KINDS)} FROM _rk_groups"
            ).fetchall()
        }
        for key, as_of in order:
            data.keys.append((key, as_of))
            data.values.append(values[(key, as_of)])
            data.labels.append(int(labels[(key, as_of)]) if with_labels else None)
            data.groups.append(groups.get((key, as_of), {k: "not recorded" for k in GROUP_KINDS}))
        return data


def evidence_rows(
    con: duckdb.DuckDBPyConnection, person_key: str, as_of: date
) -> list[tuple[str, str, date, str, str, int, str]]:
    """(feature, record_id, event_date, feed, file_name, row_number, slot) behind a row."""
    rows = con.execute(
        f"""SELECT e.feature, e.record_id, e.event_date, r.feed, r.file_name, r.row_number,
                   r.slot
        FROM _rk_evidence e JOIN {PERSON_RECORD_TABLE} r USING (record_id)
        WHERE e.person_key = ? AND e.as_of = ? ORDER BY e.feature, e.event_date, e.record_id""",
        [person_key, as_of],
    ).fetchall()
    return [tuple(r) for r in rows]
