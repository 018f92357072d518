"""Small hand-written extracts for ingest tests: each file says exactly what it tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinlink.identity import upn_make
from kinlink.sources import FeedDefinition, definition_parse, definitions_load

HEADER = (
    "upn,urn,academic_year,term,sessions_possible,sessions_authorised,"
    "sessions_unauthorised,as_of_date"
)


def upn(serial: int) -> str:
    return upn_make(999, 2001, 24, serial)


def attendance_csv(rows: list[str], header: str = HEADER) -> str:
    return header + "\n" + "".join(r + "\n" for r in rows)


def good_row(serial: int, possible: int = 120, unauth: int = 4) -> str:
    return f"{upn(serial)},100001,2024/25,AUT,{possible},2,{unauth},2024-12-20"


@pytest.fixture
def definitions() -> dict[str, FeedDefinition]:
    return definitions_load()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


@pytest.fixture
def extracts(tmp_path: Path) -> Path:
    folder = tmp_path / "extracts"
    folder.mkdir()
    return folder


FAMILY_DEFINITION = """
feed: family_visits
title: Family visits (a two-person test layout)
version: 1
source_system: test
cadence: monthly
files: {patterns: ["family_visits*.csv"], encodings: [utf-8]}
target: domestic_abuse_incident
sensitivity: domestic_abuse
governance:
  controller: Test
  legal_basis: test
  agreement: DSA-TEST
  retention_months: 12
columns:
  ref: {type: string, required: true}
  visit_date: {type: date, required: true, formats: ["%d/%m/%Y"]}
  adult_name: {type: string}
  adult_surname: {type: string}
  adult_dob: {type: date, formats: ["%d/%m/%Y"]}
  child_name: {type: string}
  child_surname: {type: string}
  child_dob: {type: date, formats: ["%d/%m/%Y"]}
  postcode: {type: string}
persons:
  - slot: adult
    role: victim
    identity: {forename: adult_name, surname: adult_surname, dob: adult_dob, postcode: postcode}
  - slot: child_1
    role: child_present
    identity: {forename: child_name, surname: child_surname, dob: child_dob, postcode: postcode}
facts:
  incident_ref: ref
  incident_date: visit_date
observed_date: visit_date
"""


@pytest.fixture
def family_definition() -> FeedDefinition:
    return definition_parse(FAMILY_DEFINITION, origin="family_visits.yaml")
