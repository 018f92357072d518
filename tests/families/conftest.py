"""Families fixtures: the small city linked once, and hand-made warehouses.

Hand-made warehouses hold person records (normalised with ``kinlink.identity`` exactly as
ingest would), the fact rows families read (early help, domestic abuse, housing) and the
person keys, written directly: each test says who is the same person and states only the
fields it is about, so no linkage run is needed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kinlink import identity
from kinlink.linkage import LinkageConfig, linkage_run
from kinlink.linkage.keys import tables_create
from kinlink.warehouse import warehouse_connect
from kinlink.warehouse.schema import PERSON_RECORD_COLUMNS, PERSON_RECORD_TABLE

FAST: dict[str, float] = {"u_max_pairs": 3e5, "em_max_pairs": 3e5}


@dataclass(frozen=True)
class LinkedCity:
    """The small synthetic city, ingested and linked once per session."""

    city: Path
    warehouse: Path


@pytest.fixture(scope="session")
def linked_city(
    small_city: Path, small_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> LinkedCity:
    folder = tmp_path_factory.mktemp("families")
    warehouse = folder / "warehouse.duckdb"
    shutil.copy(small_warehouse, warehouse)
    linkage_run(warehouse, LinkageConfig(model_path=folder / "person.json", retrain=True, **FAST))
    return LinkedCity(small_city, warehouse)


@pytest.fixture
def city_copy(tmp_path: Path, linked_city: LinkedCity) -> Path:
    """A private copy of the linked small city."""
    warehouse = tmp_path / "city.duckdb"
    shutil.copy(linked_city.warehouse, warehouse)
    return warehouse


@dataclass
class Town:
    """A hand-made warehouse under construction: add records, then ``write``."""

    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # record id -> person key
    facts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    rows: int = 0

    def record(
        self,
        person: str,
        feed: str,
        when: date,
        *,
        forename: str,
        surname: str,
        dob: date | None = None,
        sex: str | None = None,
        uprn: str | None = None,
        address: str | None = None,
        postcode: str | None = None,
        role: str = "test",
        slot: str = "",
        row: int | None = None,
    ) -> str:
        """Add one person record for person key ``person``; returns its record id."""
        if row is None:
            self.rows += 1
            row = self.rows
        record_id = f"{feed}:test:{row}" + (f":{slot}" if slot else "")
        values: dict[str, Any] = {
            "record_id": record_id,
            "batch_id": f"{feed}:test",
            "feed": feed,
            "file_name": f"{feed}.csv",
            "file_hash": f"hash-{feed}",
            "row_number": row,
            "row_hash": record_id,
            "slot": slot,
            "role": role,
            "observed_date": when,
            "forename": forename,
            "forename_key": identity.name_key(forename),
            "forename_canonical": identity.forename_canonical(forename),
            "surname": surname,
            "surname_key": identity.name_key(surname),
            "sex": sex,
            "uprn": uprn,
        }
        if dob is not None:
            values.update(dob=dob, dob_year=dob.year, dob_precision="day")
        if address:
            values["address"] = address
            values["address_tokens"] = list(identity.address_tokens(address))
        if postcode:
            parsed = identity.postcode_parse(postcode)
            assert parsed is not None
            values.update(
                postcode=parsed.canonical or parsed.raw,
                postcode_valid=parsed.valid,
                postcode_sector=parsed.sector,
                postcode_district=parsed.district,
            )
        self.records.append(values)
        self.keys[record_id] = person
        return record_id

    def fact(self, table: str, record_id: str, **values: Any) -> None:
        """A fact row about ``record_id`` (its lineage is copied from the record)."""
        self.facts.append((table, {"record_id": record_id, **values}))

    def write(self) -> Path:
        con = warehouse_connect(self.path)
        try:
            con.execute(f"DELETE FROM {PERSON_RECORD_TABLE}")
            names = [c.name for c in PERSON_RECORD_COLUMNS]
            marks = ", ".join("?" for _ in names)
            if self.records:
                con.executemany(
                    f"INSERT INTO {PERSON_RECORD_TABLE} ({', '.join(names)}) VALUES ({marks})",
                    [[r.get(n) for n in names] for r in self.records],
                )
            by_id = {r["record_id"]: r for r in self.records}
            for table in {t for t, _ in self.facts}:
                con.execute(f"DELETE FROM {table}")
            for table, values in self.facts:
                record = by_id[values["record_id"]]
                row = {
                    k: record[k]
                    for k in ("batch_id", "feed", "file_name", "row_number", "slot", "role")
                }
                row.update(values)
                columns = ", ".join(row)
                con.execute(
                    f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' for _ in row)})",
                    list(row.values()),
                )
            tables_create(con)
            con.execute("DELETE FROM person_key_members")
            con.execute("DELETE FROM person_keys")
            if self.keys:
                con.executemany(
                    "INSERT INTO person_key_members VALUES (?, ?, 'run-test')",
                    sorted(self.keys.items()),
                )
                con.executemany(
                    "INSERT INTO person_keys (person_key) VALUES (?)",
                    [(k,) for k in sorted(set(self.keys.values()))],
                )
        finally:
            con.close()
        return self.path


@pytest.fixture
def town(tmp_path: Path) -> Town:
    return Town(tmp_path / "town.duckdb")


def current(warehouse: Path) -> dict[str, tuple[str, str]]:
    """person key -> (family key, role) of the current memberships."""
    con = warehouse_connect(warehouse, read_only=True)
    try:
        return {
            str(p): (str(f), str(r))
            for p, f, r in con.execute(
                "SELECT person_key, family_key, role FROM family_key_members "
                "WHERE basis = 'current'"
            ).fetchall()
        }
    finally:
        con.close()


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = warehouse_connect(warehouse, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
