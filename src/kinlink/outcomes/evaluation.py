"""Measuring assessments against a synthetic city's truth (``truth/needs.csv``, families).

Two measurements, because two things can be wrong:

* **rules** (``links="truth"``): the framework evaluated with the truth's people and
  families (each record's true person, each person's true family and date of birth, and
  whether they still live in the city). Any disagreement here is the rule engine or the
  framework disagreeing with the truth's need definitions.
* **pipeline** (``links="kinlink"``): the last stored assessment, over Kinlink's own
  person and family keys. Each truth family is compared with the Kinlink family holding
  most of its people; each Kinlink family is judged by the truth family most of its
  people belong to. Disagreements here add linkage and family-grouping errors, and each
  is classified: the true family split over several Kinlink families, merged with another,
  a member's records split over several person keys, or the needs themselves.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import duckdb

from kinlink.core.errors import KinlinkError
from kinlink.families.evaluation import truth_folder
from kinlink.outcomes.assessment import Assessment
from kinlink.outcomes.loader import DEFAULT_FRAMEWORK, framework_load
from kinlink.outcomes.services import NotReady, membership_from_runs
from kinlink.outcomes.tables import FAMILIES, FAMILY_NEEDS, RUNS
from kinlink.sources import definitions_load
from kinlink.warehouse.schema import PERSON_RECORD_TABLE
from kinlink.warehouse.store import table_exists, warehouse_connect

Links = Literal["truth", "kinlink"]


@dataclass
class Score:
    """Precision and recall of one set against the truth's."""

    true: int = 0
    predicted: int = 0
    correct_true: int = 0  # truth items found
    correct_predicted: int = 0  # predicted items the truth has
    precision: float = 1.0
    recall: float = 1.0

    def finish(self) -> Score:
        """Fill precision and recall from the counts."""
        self.precision = self.correct_predicted / self.predicted if self.predicted else 1.0
        self.recall = self.correct_true / self.true if self.true else 1.0
        return self


@dataclass
class Disagreement:
    """One family the assessment and the truth disagree about, and the likely cause."""

    truth_family: str | None
    family_key: str | None
    kind: str  # missed (truth eligible, not found) or extra (found, truth not eligible)
    cause: str
    truth_needs: list[str]
    found_needs: list[str]


@dataclass
class OutcomesEvaluation:
    """Eligibility and needs against the truth."""

    links: str
    as_of: str
    truth_as_of: str | None
    eligibility: Score = field(default_factory=Score)
    family_needs: Score = field(default_factory=Score)
    person_needs: Score = field(default_factory=Score)
    by_need: dict[str, Score] = field(default_factory=dict)
    causes: dict[str, int] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return asdict(self)


class NoTruth(KinlinkError):
    """The truth folder has no needs.csv."""


def _p(path: Path) -> str:
    return str(path).replace("'", "''")


def _truth_load(con: duckdb.DuckDBPyConnection, folder: Path) -> str | None:
    if not (folder / "needs.csv").is_file():
        raise NoTruth(f"{folder}: no needs.csv (a synthetic city's truth folder)")
    read = "all_varchar = true, header = true"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _ot_slots AS
        SELECT feed, file, CAST(row_number AS INTEGER) AS row_number, coalesce(slot, '') AS slot,
               person_id FROM read_csv('{_p(folder / "person_slots.csv")}', {read})"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _ot_people AS
        SELECT person_id, family_id, family_role, CAST(dob AS DATE) AS dob,
               in_city_at_end = 'true' AS in_city
        FROM read_csv('{_p(folder / "people.csv")}', {read})"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _ot_needs AS
        SELECT family_id, nullif(person_id, '') AS person_id, need
        FROM read_csv('{_p(folder / "needs.csv")}', {read}) WHERE derived = 'true'"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _ot_families AS
        SELECT family_id, eligible_3_needs = 'true' AS eligible,
               eligible_3_headlines = 'true' AS eligible_headlines
        FROM read_csv('{_p(folder / "families.csv")}', {read})"""
    )
    readme = folder / "README.md"
    if readme.is_file():
        for line in readme.read_text(encoding="utf-8").splitlines():
            if line.startswith("Window:") and '"As of the end date" means' in line:
                return line.rsplit("means", 1)[1].strip(" .")
    return None


def _truth_membership(con: duckdb.DuckDBPyConnection) -> None:
    """Who is who, from the truth: each record's true person and each person's family."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _oc_person_of AS
        SELECT r.record_id, s.person_id AS person_key
        FROM {PERSON_RECORD_TABLE} r JOIN _ot_slots s
          ON s.file = r.file_name AND s.row_number = r.row_number AND s.slot = r.slot"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _oc_people AS
        SELECT person_id AS person_key, family_id AS family_key, family_role AS role, dob,
               in_city AS resident FROM _ot_people"""
    )


def _key_truth(con: duckdb.DuckDBPyConnection) -> None:
    """Each person key's true person (majority of its records) and that person's family."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _ot_keys AS
        WITH votes AS (
            SELECT p.person_key, s.person_id, count(*) AS n
            FROM _oc_person_of p JOIN person_records r USING (record_id)
            JOIN _ot_slots s ON s.file = r.file_name AND s.row_number = r.row_number
                            AND s.slot = r.slot
            GROUP BY p.person_key, s.person_id
        )
        SELECT v.person_key, v.person_id, t.family_id, k.family_key
        FROM votes v JOIN _ot_people t USING (person_id)
        JOIN _oc_people k ON k.person_key = v.person_key
        QUALIFY row_number() OVER (PARTITION BY v.person_key ORDER BY v.n DESC, v.person_id) = 1"""
    )


def _score(con: duckdb.DuckDBPyConnection, truth_sql: str, found_sql: str) -> Score:
    """Sets of tuples: truth items found, and found items in the truth."""
    row = con.execute(
        f"""WITH t AS ({truth_sql}), f AS ({found_sql})
        SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM f),
               (SELECT count(*) FROM (SELECT * FROM t INTERSECT SELECT * FROM f)),
               (SELECT count(*) FROM (SELECT * FROM f INTERSECT SELECT * FROM t))"""
    ).fetchone()
    assert row is not None
    return Score(int(row[0]), int(row[1]), int(row[2]), int(row[3])).finish()


def _compare(con: duckdb.DuckDBPyConnection, report: OutcomesEvaluation, mapped: bool) -> None:
    """Eligibility, family needs and person needs, with the families mapped both ways."""
    if mapped:
        # Truth family -> the Kinlink family with most of its people; and the reverse.
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _ot_t2k AS
            SELECT family_id, family_key FROM _ot_keys GROUP BY family_id, family_key
            QUALIFY row_number() OVER (PARTITION BY family_id ORDER BY count(*) DESC,
                                       family_key) = 1"""
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _ot_k2t AS
            SELECT family_key, family_id FROM _ot_keys GROUP BY family_key, family_id
            QUALIFY row_number() OVER (PARTITION BY family_key ORDER BY count(*) DESC,
                                       family_id) = 1"""
        )
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _ot_t2k AS SELECT family_id, family_id AS family_key "
            "FROM _ot_people GROUP BY ALL"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _ot_k2t AS SELECT family_key, family_key AS family_id "
            "FROM _oc_people GROUP BY ALL"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _ot_keys AS SELECT person_key, person_key AS person_id, "
            "family_key AS family_id, family_key FROM _oc_people"
        )
    eligible = con.execute(
        """SELECT
            (SELECT count(*) FROM _ot_families WHERE eligible),
            (SELECT count(*) FROM _ot_families t JOIN _ot_t2k m USING (family_id)
             JOIN _ev_families f ON f.family_key = m.family_key WHERE t.eligible AND f.eligible),
            (SELECT count(*) FROM _ev_families WHERE eligible),
            (SELECT count(*) FROM _ev_families f JOIN _ot_k2t m USING (family_key)
             JOIN _ot_families t USING (family_id) WHERE f.eligible AND t.eligible)"""
    ).fetchone()
    assert eligible is not None
    report.eligibility = Score(
        int(eligible[0]), int(eligible[2]), int(eligible[1]), int(eligible[3])
    ).finish()
    report.family_needs = _score(
        con,
        "SELECT DISTINCT family_id, need FROM _ot_needs",
        "SELECT DISTINCT m.family_id, n.need FROM _ev_family_needs n JOIN _ot_k2t m "
        "USING (family_key)",
    )
    report.person_needs = _score(
        con,
        "SELECT DISTINCT person_id, need FROM _ot_needs WHERE person_id IS NOT NULL",
        "SELECT DISTINCT k.person_id, n.need FROM _ev_person_needs n JOIN _ot_keys k "
        "USING (person_key) WHERE n.level = 'person'",
    )
    needs = [r[0] for r in con.execute("SELECT DISTINCT need FROM _ot_needs ORDER BY 1").fetchall()]
    for need in needs:
        report.by_need[need] = _score(
            con,
            f"SELECT DISTINCT family_id FROM _ot_needs WHERE need = '{need}'",
            "SELECT DISTINCT m.family_id FROM _ev_family_needs n JOIN _ot_k2t m "
            f"USING (family_key) WHERE n.need = '{need}'",
        )
    _disagreements(con, report)


def _disagreements(con: duckdb.DuckDBPyConnection, report: OutcomesEvaluation) -> None:
    rows = con.execute(
        """
        WITH tneeds AS (
            SELECT family_id, list(DISTINCT need ORDER BY need) AS needs FROM _ot_needs GROUP BY 1
        ), kneeds AS (
            SELECT family_key, list(DISTINCT need ORDER BY need) AS needs
            FROM _ev_family_needs GROUP BY 1
        ), split AS (
            SELECT family_id FROM _ot_keys GROUP BY 1 HAVING count(DISTINCT family_key) > 1
        ), merged AS (
            SELECT family_key FROM _ot_keys GROUP BY 1 HAVING count(DISTINCT family_id) > 1
        ), person_split AS (
            SELECT DISTINCT family_id FROM _ot_keys GROUP BY family_id, person_id
            HAVING count(*) > 1
        ), left_city AS (
            SELECT family_id FROM _ot_people GROUP BY 1 HAVING NOT bool_or(in_city)
        ), cases AS (
            SELECT t.family_id, m.family_key, 'missed' AS kind FROM _ot_families t
            JOIN _ot_t2k m USING (family_id) LEFT JOIN _ev_families f USING (family_key)
            WHERE t.eligible AND NOT coalesce(f.eligible, FALSE)
            UNION ALL
            SELECT m.family_id, f.family_key, 'extra' FROM _ev_families f
            LEFT JOIN _ot_k2t m USING (family_key) LEFT JOIN _ot_families t USING (family_id)
            WHERE f.eligible AND NOT coalesce(t.eligible, FALSE)
        )
        SELECT c.family_id, c.family_key, c.kind,
               CASE WHEN c.family_id IN (SELECT family_id FROM left_city)
                        THEN 'family left the area (no resident dependant in the truth)'
                    WHEN c.family_id IN (SELECT family_id FROM split) THEN 'family split'
                    WHEN c.family_key IN (SELECT family_key FROM merged) THEN 'families merged'
                    WHEN c.family_id IN (SELECT family_id FROM person_split)
                        THEN 'person split over keys'
                    WHEN coalesce(tn.needs, []) = coalesce(kn.needs, [])
                        THEN 'dependants or residence'
                    ELSE 'needs differ' END AS cause,
               coalesce(tn.needs, []), coalesce(kn.needs, [])
        FROM cases c LEFT JOIN tneeds tn USING (family_id) LEFT JOIN kneeds kn USING (family_key)
        ORDER BY c.kind, c.family_id
        """
    ).fetchall()
    for family_id, family_key, kind, cause, tneeds, kneeds in rows:
        report.disagreements.append(
            Disagreement(family_id, family_key, kind, cause, list(tneeds), list(kneeds))
        )
        report.causes[f"{kind}: {cause}"] = report.causes.get(f"{kind}: {cause}", 0) + 1


def outcomes_evaluate(
    warehouse: Path,
    truth: Path,
    *,
    links: Links = "kinlink",
    framework: str | Path = DEFAULT_FRAMEWORK,
    as_of: date | None = None,
    sources_dirs: list[Path] | None = None,
) -> OutcomesEvaluation:
    """Compare eligibility and needs with the truth (see the module docstring)."""
    folder = truth_folder(truth)
    con = warehouse_connect(warehouse)
    try:
        truth_as_of = _truth_load(con, folder)
        if links == "truth":
            loaded = framework_load(framework, sources_dirs=sources_dirs or [])
            when = as_of or (date.fromisoformat(truth_as_of) if truth_as_of else None)
            if when is None:
                raise NoTruth(f"{folder}: no as-of date in README.md; give --as-of")
            _truth_membership(con)
            Assessment(con, loaded, definitions_load(sources_dirs or []), when).needs_assess()
            con.execute("CREATE OR REPLACE TEMP TABLE _ev_families AS FROM _oc_res_families")
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _ev_family_needs AS FROM _oc_res_family_needs"
            )
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _ev_person_needs AS FROM _oc_res_person_needs"
            )
            report = OutcomesEvaluation("truth", when.isoformat(), truth_as_of)
            _compare(con, report, mapped=False)
            return report
        run = con.execute(
            f"SELECT run_id, as_of FROM {RUNS} ORDER BY started_at DESC LIMIT 1"
        ).fetchone() if table_exists(con, RUNS) else None  # fmt: skip
        if run is None:
            raise NotReady("no assessment yet: run 'kinlink outcomes assess' first")
        run_id, run_as_of = run
        membership_from_runs(con)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _ev_families AS FROM {FAMILIES} WHERE run_id = ?",
            [run_id],
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _ev_family_needs AS FROM {FAMILY_NEEDS} "
            "WHERE run_id = ?",
            [run_id],
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _ev_person_needs AS
            SELECT DISTINCT e.person_key, e.need, n.level
            FROM outcome_need_evidence e JOIN outcome_family_needs n
              ON n.run_id = e.run_id AND n.family_key = e.family_key AND n.need = e.need
            WHERE e.run_id = ? AND e.stage = 'need'""",
            [run_id],
        )
        _key_truth(con)
        report = OutcomesEvaluation("kinlink", run_as_of.isoformat(), truth_as_of)
        _compare(con, report, mapped=True)
        return report
    finally:
        con.close()
