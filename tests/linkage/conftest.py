"""Linkage fixtures: a model trained once on the small city, and hand-made warehouses.

Hand-made records go straight into ``person_records`` with their normalised columns
computed by ``kinlink.identity``, exactly as ingest would, so each test states only the
identity fields it is about.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kinlink import identity
from kinlink.linkage import LinkageConfig, linkage_run
from kinlink.warehouse import warehouse_connect
from kinlink.warehouse.schema import PERSON_RECORD_COLUMNS, PERSON_RECORD_TABLE

FAST: dict[str, float] = {"u_max_pairs": 3e5, "em_max_pairs": 3e5}


@dataclass(frozen=True)
class TrainedCity:
    """The small city, linked once, and the model trained on it."""

    city: Path
    warehouse: Path
    model: Path


@pytest.fixture(scope="session")
def trained_city(
    small_city: Path, small_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> TrainedCity:
    folder = tmp_path_factory.mktemp("linked")
    warehouse = folder / "warehouse.duckdb"
    shutil.copy(small_warehouse, warehouse)
    model = folder / "person-model.json"
    linkage_run(warehouse, LinkageConfig(model_path=model, retrain=True, **FAST))
    return TrainedCity(small_city, warehouse, model)


def person(record_id: str, feed: str = "police_arrests", **fields: Any) -> dict[str, Any]:
    """One person record as ingest would write it, from raw identity fields.

    ``record_id`` is also used to derive the lineage (file, row number, slot) unless given.
    """
    parts = record_id.split(":")
    row: dict[str, Any] = {
        "record_id": record_id,
        "batch_id": f"{feed}:test",
        "feed": feed,
        "file_name": fields.pop("file_name", f"{feed}.csv"),
        "file_hash": fields.pop("file_hash", f"hash-{feed}"),
        "row_number": fields.pop("row_number", int(parts[-1]) if parts[-1].isdigit() else 1),
        "row_hash": record_id,
        "slot": fields.pop("slot", ""),
        "role": "test",
    }
    forename = fields.pop("forename", None)
    row["forename"] = forename
    row["forename_key"] = identity.name_key(forename)
    row["forename_canonical"] = identity.forename_canonical(forename)
    for name in ("surname", "middle_names", "preferred_forename", "preferred_surname"):
        value = fields.pop(name, None)
        row[name] = value
        row[f"{name}_key"] = identity.name_key(value)
    dob = fields.pop("dob", None)
    if isinstance(dob, date):
        row.update(
            dob=dob,
            dob_year=dob.year,
            dob_precision="day",
            dob_day_month_ambiguous=dob.day <= 12 and dob.day != dob.month,
        )
    elif isinstance(dob, int):
        row.update(dob_year=dob, dob_precision="year")
    row["sex"] = fields.pop("sex", None)
    address = fields.pop("address", None)
    if address:
        row["address"] = address
        row["address_tokens"] = list(identity.address_tokens(address))
    postcode = fields.pop("postcode", None)
    if postcode:
        parsed = identity.postcode_parse(postcode)
        assert parsed is not None
        row.update(
            postcode=parsed.canonical or parsed.raw,
            postcode_valid=parsed.valid,
            postcode_sector=parsed.sector,
            postcode_district=parsed.district,
        )
    row["uprn"] = fields.pop("uprn", None)
    for name, check in (
        ("upn", identity.upn_is_valid),
        ("former_upn", identity.upn_is_valid),
        ("uln", identity.uln_is_valid),
        ("nhs_number", identity.nhs_number_is_valid),
    ):
        value = fields.pop(name, None)
        row[name] = value
        row[f"{name}_valid"] = check(value) if value else None
    row["la_child_id"] = fields.pop("la_child_id", None)
    kind = fields.pop("source_id_kind", None)
    source = fields.pop("source_person_id", None)
    if source:
        row.update(source_id_kind=kind, source_person_id=source)
    if fields:
        raise TypeError(f"unknown fields: {sorted(fields)}")
    return row


def insert(warehouse: Path, records: list[dict[str, Any]]) -> None:
    """Add person records (and census school rows for school feeds) to a warehouse."""
    con = warehouse_connect(warehouse)
    try:
        names = [c.name for c in PERSON_RECORD_COLUMNS]
        placeholders = ", ".join("?" for _ in names)
        for record in records:
            school = record.pop("school_urn", None)
            con.execute(
                f"INSERT INTO {PERSON_RECORD_TABLE} ({', '.join(names)}) VALUES ({placeholders})",
                [record.get(n) for n in names],
            )
            if school is not None:
                table = {"school_census": "school_census", "attendance": "attendance_term"}[
                    record["feed"]
                ]
                con.execute(
                    f"INSERT INTO {table} (record_id, feed, school_urn) VALUES (?, ?, ?)",
                    [record["record_id"], record["feed"], school],
                )
    finally:
        con.close()


def remove(warehouse: Path, record_ids: list[str]) -> None:
    """Delete person records (as when a re-extract drops them)."""
    con = warehouse_connect(warehouse)
    try:
        for record_id in record_ids:
            con.execute(f"DELETE FROM {PERSON_RECORD_TABLE} WHERE record_id = ?", [record_id])
    finally:
        con.close()


def keys_of(warehouse: Path) -> dict[str, str]:
    """record_id -> person_key after the last run."""
    con = warehouse_connect(warehouse, read_only=True)
    try:
        return dict(con.execute("SELECT record_id, person_key FROM person_key_members").fetchall())
    finally:
        con.close()


@pytest.fixture
def city_copy(tmp_path: Path, trained_city: TrainedCity) -> Path:
    """A private copy of the linked small city, to add hand-made records to.

    Term frequencies come from the whole input, so hand-made cases are linked among
    three thousand other people rather than alone.
    """
    warehouse = tmp_path / "city.duckdb"
    shutil.copy(trained_city.warehouse, warehouse)
    return warehouse


@pytest.fixture
def link(trained_city: TrainedCity) -> Callable[[Path], dict[str, str]]:
    """Link a warehouse with the trained model; return record -> key."""

    def run(warehouse: Path) -> dict[str, str]:
        linkage_run(warehouse, LinkageConfig(model_path=trained_city.model))
        return keys_of(warehouse)

    return run
