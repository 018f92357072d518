"""Measuring current families against a synthetic city's ground truth, in SQL.

Units are person keys. Each key's true person is the person most of its records belong
to (``truth/person_slots.csv`` joined on file, row number and slot), and its true family
is that person's ``family_id`` in ``truth/people.csv``. Two keys of one true person (a
split the linkage left) count as a true pair: they are in one family.

* pairwise precision, recall and F1 of "same family", counted by groups: a group of n
  keys holds n(n-1)/2 pairs;
* B-cubed precision and recall per key (the share of its predicted family that is truly
  its family, and of its true family that was predicted with it), averaged over keys,
  overall and by the true family's household type;
* true families split over several predicted families, predicted families merging
  several true families, and the share of keys whose role matches the truth's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from kinlink.core.errors import InputError
from kinlink.families.tables import MEMBERS
from kinlink.warehouse.schema import PERSON_RECORD_TABLE


@dataclass
class TypeScore:
    """B-cubed over the keys whose true family has one household type."""

    household_type: str
    keys: int
    bcubed_precision: float
    bcubed_recall: float


@dataclass
class FamilyEvaluation:
    """Family grouping quality over person keys."""

    keys: int = 0
    keys_without_truth: int = 0
    true_families: int = 0
    predicted_families: int = 0
    true_pairs: int = 0
    predicted_pairs: int = 0
    correct_pairs: int = 0
    precision: float = 1.0
    recall: float = 1.0
    f1: float = 1.0
    bcubed_precision: float = 1.0
    bcubed_recall: float = 1.0
    bcubed_f1: float = 1.0
    families_split: int = 0
    families_merged: int = 0
    families_exact: int = 0
    role_accuracy: float = 0.0
    roles_confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    by_household_type: list[TypeScore] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return asdict(self)


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def truth_folder(truth: Path) -> Path:
    """The folder holding ``people.csv`` and ``person_slots.csv`` (or the city above it)."""
    for candidate in (truth, truth / "truth"):
        if (candidate / "people.csv").is_file() and (candidate / "person_slots.csv").is_file():
            return candidate
    raise InputError(str(truth), "no people.csv and person_slots.csv here (the city's truth)")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _truth_load(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fe_slots AS
        SELECT feed, file, CAST(row_number AS INTEGER) AS row_number,
               coalesce(slot, '') AS slot, person_id
        FROM read_csv('{_sql_path(folder / "person_slots.csv")}', all_varchar = true,
                      header = true)
        """
    )
    families = folder / "families.csv"
    household_type = "'unknown'"
    join = ""
    if families.is_file():
        household_type = "coalesce(f.household_type, 'unknown')"
        join = (
            f"LEFT JOIN read_csv('{_sql_path(families)}', all_varchar = true, header = true) f "
            "USING (family_id)"
        )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fe_people AS
        SELECT p.person_id, p.family_id, p.family_role, {household_type} AS household_type
        FROM read_csv('{_sql_path(folder / "people.csv")}', all_varchar = true, header = true) p
        {join}
        """
    )


def evaluate_families(con: duckdb.DuckDBPyConnection, truth: Path) -> FamilyEvaluation:
    """Compare current family memberships with the truth's families."""
    _truth_load(con, truth_folder(truth))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fe_keys AS
        WITH current AS (
            SELECT person_key, family_key, role FROM {MEMBERS} WHERE basis = 'current'
        ),
        votes AS (
            SELECT m.person_key, s.person_id, count(*) AS n
            FROM person_key_members m
            JOIN {PERSON_RECORD_TABLE} r USING (record_id)
            JOIN _fe_slots s
              ON s.feed = r.feed AND s.file = r.file_name AND s.row_number = r.row_number
             AND s.slot = r.slot
            GROUP BY m.person_key, s.person_id
        ),
        majority AS (
            SELECT person_key, person_id FROM (
                SELECT *, row_number() OVER (
                    PARTITION BY person_key ORDER BY n DESC, person_id) AS rank
                FROM votes
            ) WHERE rank = 1
        )
        SELECT c.person_key, c.family_key, c.role, p.person_id, p.family_id, p.family_role,
               p.household_type
        FROM current c
        LEFT JOIN majority m USING (person_key)
        LEFT JOIN _fe_people p USING (person_id)
        """
    )
    report = FamilyEvaluation()
    row = con.execute(
        "SELECT count(*) FILTER (WHERE family_id IS NOT NULL), "
        "count(*) FILTER (WHERE family_id IS NULL) FROM _fe_keys"
    ).fetchone()
    if row is None or not row[0]:
        return report
    report.keys, report.keys_without_truth = int(row[0]), int(row[1])
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _fe AS SELECT * FROM _fe_keys WHERE family_id IS NOT NULL"
    )
    _pairs(con, report)
    _bcubed(con, report)
    _roles(con, report)
    return report


def _pairs(con: duckdb.DuckDBPyConnection, report: FamilyEvaluation) -> None:
    row = con.execute(
        """
        SELECT
            (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM
                (SELECT count(*) AS n FROM _fe GROUP BY family_key)),
            (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM
                (SELECT count(*) AS n FROM _fe GROUP BY family_id)),
            (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM
                (SELECT count(*) AS n FROM _fe GROUP BY family_key, family_id)),
            (SELECT count(DISTINCT family_id) FROM _fe),
            (SELECT count(DISTINCT family_key) FROM _fe),
            (SELECT count(*) FROM (SELECT family_id FROM _fe GROUP BY family_id
                                   HAVING count(DISTINCT family_key) > 1)),
            (SELECT count(*) FROM (SELECT family_key FROM _fe GROUP BY family_key
                                   HAVING count(DISTINCT family_id) > 1)),
            (SELECT count(*) FROM (
                SELECT family_id FROM _fe GROUP BY family_id
                HAVING count(DISTINCT family_key) = 1
                   AND max(family_key) IN (SELECT family_key FROM _fe GROUP BY family_key
                                           HAVING count(DISTINCT family_id) = 1)))
        """
    ).fetchone()
    assert row is not None
    predicted, true, correct = int(row[0]), int(row[1]), int(row[2])
    report.predicted_pairs, report.true_pairs, report.correct_pairs = predicted, true, correct
    report.precision = correct / predicted if predicted else 1.0
    report.recall = correct / true if true else 1.0
    report.f1 = _f1(report.precision, report.recall)
    report.true_families, report.predicted_families = int(row[3]), int(row[4])
    report.families_split, report.families_merged = int(row[5]), int(row[6])
    report.families_exact = int(row[7])


def _bcubed(con: duckdb.DuckDBPyConnection, report: FamilyEvaluation) -> None:
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fe_b3 AS
        SELECT household_type,
               count(*) OVER (PARTITION BY family_key, family_id)
                   / count(*) OVER (PARTITION BY family_key) AS p,
               count(*) OVER (PARTITION BY family_key, family_id)
                   / count(*) OVER (PARTITION BY family_id) AS r
        FROM _fe
        """
    )
    row = con.execute("SELECT avg(p), avg(r) FROM _fe_b3").fetchone()
    assert row is not None
    report.bcubed_precision, report.bcubed_recall = float(row[0]), float(row[1])
    report.bcubed_f1 = _f1(report.bcubed_precision, report.bcubed_recall)
    report.by_household_type = [
        TypeScore(str(t), int(n), float(p), float(r))
        for t, n, p, r in con.execute(
            "SELECT household_type, count(*), avg(p), avg(r) FROM _fe_b3 "
            "GROUP BY household_type ORDER BY count(*) DESC, household_type"
        ).fetchall()
    ]


def _roles(con: duckdb.DuckDBPyConnection, report: FamilyEvaluation) -> None:
    rows = con.execute(
        "SELECT coalesce(family_role, '?'), role, count(*) FROM _fe GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    confusion: dict[str, dict[str, int]] = {}
    right = total = 0
    for truth_role, role, n in rows:
        confusion.setdefault(str(truth_role), {})[str(role)] = int(n)
        total += int(n)
        right += int(n) if truth_role == role else 0
    report.roles_confusion = confusion
    report.role_accuracy = right / total if total else 0.0
