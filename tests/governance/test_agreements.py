"""Agreements and purposes: what may be loaded, and which feeds serve a purpose."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from kinlink.core.errors import InputError
from kinlink.governance import (
    RegistryError,
    feeds_for_purpose,
    ingest_refusal,
    registry_check,
    registry_load,
)
from kinlink.identity import upn_make
from kinlink.ingest import ingest_paths
from kinlink.sources import definitions_load
from kinlink.warehouse import warehouse_connect

DEFINITIONS = definitions_load()
TODAY = date(2026, 11, 24)


def _attendance(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "attendance_2024_25_AUT.csv"
    path.write_text(
        "upn,urn,academic_year,term,sessions_possible,sessions_authorised,"
        "sessions_unauthorised,as_of_date\n"
        f"{upn_make(999, 2001, 24, 1)},100001,2024/25,AUT,120,2,4,2024-12-20\n"
    )
    return folder


def _expired(tmp_path: Path, agreement_id: str, expires: str) -> Path:
    shipped = yaml.safe_load(
        (
            Path(__file__).resolve().parents[2] / "src/kinlink/governance/registry/agreements.yaml"
        ).read_text()
    )
    (entry,) = [a for a in shipped["agreements"] if a["id"] == agreement_id]
    folder = tmp_path / "governance"
    folder.mkdir(parents=True)
    (folder / "agreements.yaml").write_text(
        yaml.safe_dump({"agreements": [{**entry, "expires": expires}]})
    )
    return folder


def test_shipped_registry_matches_the_source_definitions() -> None:
    registry = registry_load()
    assert registry_check(registry, DEFINITIONS) == []
    assert {d.governance.agreement for d in DEFINITIONS.values()} <= set(registry.agreements)


def test_an_expired_agreement_blocks_ingest_and_changes_nothing(tmp_path: Path) -> None:
    registry = registry_load([_expired(tmp_path, "DSA-EDU-2024-01", "2026-11-23")])
    warehouse = tmp_path / "w.duckdb"
    with pytest.raises(InputError) as caught:
        ingest_paths([_attendance(tmp_path / "in")], warehouse=warehouse,
                     definitions=DEFINITIONS, registry=registry, on=TODAY)  # fmt: skip
    assert "agreement DSA-EDU-2024-01 expired on 2026-11-23" in str(caught.value)
    assert "attendance_2024_25_AUT.csv" in str(caught.value)
    assert not warehouse.exists()
    # The last day of an agreement is still in force.
    registry = registry_load([_expired(tmp_path / "b", "DSA-EDU-2024-01", "2026-11-24")])
    report = ingest_paths([tmp_path / "in"], warehouse=warehouse, definitions=DEFINITIONS,
                          registry=registry, on=TODAY)  # fmt: skip
    assert report.totals()["rows_loaded"] == 1
    con = warehouse_connect(warehouse, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM attendance_term").fetchone() == (1,)
    finally:
        con.close()


def test_strict_checks_refuse_an_agreement_the_registry_does_not_know() -> None:
    definition = DEFINITIONS["health"].model_copy(
        update={"governance": DEFINITIONS["health"].governance.model_copy(
            update={"agreement": "DSA-UNKNOWN"})}
    )  # fmt: skip
    registry = registry_load()
    assert "not in the agreements registry" in str(ingest_refusal(registry, definition, TODAY))
    assert ingest_refusal(registry, definition, TODAY, strict=False) is None
    assert ingest_refusal(registry, DEFINITIONS["health"], TODAY) is None


def test_a_feed_is_visible_only_for_purposes_its_agreement_allows() -> None:
    registry = registry_load()
    mash = feeds_for_purpose(registry, DEFINITIONS, "mash_enquiry", TODAY)
    identification = feeds_for_purpose(
        registry, DEFINITIONS, "supporting_families_identification", TODAY
    )
    assert "police_intelligence" in mash
    assert "police_intelligence" not in identification
    assert "health" in identification
    assert "health" not in mash
    assert feeds_for_purpose(registry, DEFINITIONS, "no_such_purpose", TODAY) == set()
    # An emergency purpose lapses on its end date.
    assert (
        feeds_for_purpose(registry, DEFINITIONS, "emergency_vulnerable_residents", TODAY) == set()
    )


def test_an_expired_agreement_hides_its_feed(tmp_path: Path) -> None:
    registry = registry_load([_expired(tmp_path, "DSA-HLT-2024-01", "2026-06-30")])
    feeds = feeds_for_purpose(registry, DEFINITIONS, "supporting_families_identification", TODAY)
    assert "health" not in feeds
    assert "school_census" in feeds


def test_registry_errors_name_the_file_and_entry(tmp_path: Path) -> None:
    folder = tmp_path / "gov"
    folder.mkdir()
    (folder / "purposes.yaml").write_text("purposes:\n  - {code: Bad Code, name: x}\n")
    with pytest.raises(RegistryError, match=r"purposes\.0\.code"):
        registry_load([folder])
    (folder / "purposes.yaml").write_text("purposes:\n  - {code: ok, name: x, colour: red}\n")
    with pytest.raises(RegistryError, match="colour"):
        registry_load([folder])


def test_kinlink_ingest_refuses_an_expired_agreement(tmp_path: Path) -> None:
    from tests.cli.test_cli import run

    governance = _expired(tmp_path, "DSA-EDU-2024-01", "2025-03-31")
    result = run("ingest", str(_attendance(tmp_path / "in")), "--governance", str(governance),
                 env_dir=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert "agreement DSA-EDU-2024-01 expired on 2025-03-31" in result.stderr
    assert "Traceback" not in result.stderr
