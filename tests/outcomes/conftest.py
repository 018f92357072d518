"""Outcomes fixtures: hand-made warehouses where each test states only the events it is about.

A ``Scenario`` writes real warehouse rows (person records with lineage, fact rows, person
key and family memberships as the linkage and families runs would leave them) into a real
DuckDB file, then runs the real ``outcomes_assess`` and reads back what it stored.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kinlink.families.tables import MEMBERS as FAMILY_MEMBERS
from kinlink.families.tables import RUNS as FAMILY_RUNS
from kinlink.families.tables import tables_create as family_tables_create
from kinlink.linkage.keys import MEMBERS as PERSON_MEMBERS
from kinlink.linkage.keys import tables_create as person_tables_create
from kinlink.outcomes.services import AssessmentSummary, outcomes_assess
from kinlink.sources import definitions_load
from kinlink.warehouse.schema import PERSON_RECORD_TABLE
from kinlink.warehouse.store import schema_create, warehouse_connect

# The assessed small city is a session fixture of tests/conftest.py, shared by every folder.
from tests.conftest import AssessedCity

DEFINITIONS = definitions_load()


@dataclass
class Result:
    """What one stored assessment run says, read back from the warehouse."""

    summary: AssessmentSummary
    eligible: dict[str, bool]
    needs: dict[str, set[str]]
    person_needs: dict[str, set[str]]
    evidence: list[dict[str, Any]]
    progress: dict[tuple[str, str], str]
    claims: set[str]


class Scenario:
    """A warehouse built by hand: people, families and their events."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ids = itertools.count(1)
        self.people: dict[str, tuple[str, date | None, str]] = {}
        con = warehouse_connect(path)
        schema_create(con)
        person_tables_create(con)
        family_tables_create(con)
        con.close()

    def person(self, key: str, family: str, dob: date | None = None, role: str = "PARENT") -> str:
        """A person key in a current family."""
        self.people[key] = (family, dob, role)
        return key

    def fact(self, feed: str, person_key: str, *, slot: str = "", **values: Any) -> str:
        """One fact row of ``feed`` about ``person_key``; returns its record id."""
        definition = DEFINITIONS[feed]
        n = next(self._ids)
        record_id = f"{feed}:test:{n}" + (f":{slot}" if slot else "")
        lineage = {
            "record_id": record_id,
            "batch_id": f"{feed}:test",
            "feed": feed,
            "file_name": f"{feed}_test.csv",
            "file_hash": "0" * 64,
            "row_number": n,
            "row_hash": values.pop("row_hash", f"h{n}"),
            "slot": slot,
            "role": values.pop("role", definition.persons[0].role),
        }
        dob = self.people[person_key][1]
        con = warehouse_connect(self.path)
        try:
            record = {**lineage, "dob": dob}
            con.execute(
                f"INSERT INTO {PERSON_RECORD_TABLE} ({', '.join(record)}) "
                f"VALUES ({', '.join('?' for _ in record)})",
                list(record.values()),
            )
            row = {**lineage, **values}
            con.execute(
                f"INSERT INTO {definition.target} ({', '.join(row)}) "
                f"VALUES ({', '.join('?' for _ in row)})",
                list(row.values()),
            )
            con.execute(
                f"INSERT INTO {PERSON_MEMBERS} VALUES (?, ?, 'linkrun-test')",
                [record_id, person_key],
            )
        finally:
            con.close()
        return record_id

    def _families_write(self, as_of: date) -> None:
        con = warehouse_connect(self.path)
        try:
            con.execute(f"DELETE FROM {FAMILY_MEMBERS}")
            con.execute(f"DELETE FROM {FAMILY_RUNS}")
            for key, (family, _dob, role) in self.people.items():
                con.execute(
                    f"INSERT INTO {FAMILY_MEMBERS} VALUES (?, ?, ?, NULL, NULL, 'famrun-test', "
                    "'current', 'address')",
                    [key, family, role],
                )
            con.execute(
                f"INSERT INTO {FAMILY_RUNS} VALUES ('famrun-test', ?, now(), now(), "
                "'linkrun-test', '{}', '{}')",
                [as_of],
            )
        finally:
            con.close()

    def assess(self, as_of: date, framework: str | Path = "supporting-families-2022") -> Result:
        """Run the real assessment and read back the stored run."""
        self._families_write(as_of)
        summary = outcomes_assess(self.path, as_of=as_of, framework=framework)
        con = warehouse_connect(self.path, read_only=True)
        try:
            run = [summary.run_id]
            eligible = dict(
                con.execute(
                    "SELECT family_key, eligible FROM outcome_families WHERE run_id = ?", run
                ).fetchall()
            )
            needs: dict[str, set[str]] = {}
            for family, need in con.execute(
                "SELECT family_key, need FROM outcome_family_needs WHERE run_id = ?", run
            ).fetchall():
                needs.setdefault(family, set()).add(need)
            person_needs: dict[str, set[str]] = {}
            for person, need in con.execute(
                "SELECT DISTINCT person_key, need FROM outcome_need_evidence "
                "WHERE run_id = ? AND stage = 'need'",
                run,
            ).fetchall():
                person_needs.setdefault(person, set()).add(need)
            cursor = con.execute("SELECT * FROM outcome_need_evidence WHERE run_id = ?", run)
            columns = [d[0] for d in cursor.description]
            evidence = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
            progress = {
                (f, n): s
                for f, n, s in con.execute(
                    "SELECT family_key, need, status FROM outcome_need_progress WHERE run_id = ?",
                    run,
                ).fetchall()
            }
            claims = {
                r[0]
                for r in con.execute(
                    "SELECT family_key FROM outcome_claim_candidates WHERE run_id = ?", run
                ).fetchall()
            }
        finally:
            con.close()
        return Result(summary, eligible, needs, person_needs, evidence, progress, claims)


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return Scenario(tmp_path / "warehouse.duckdb")


__all__ = ["AssessedCity", "Result", "Scenario"]
