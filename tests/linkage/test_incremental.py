"""Incremental linking: new records against the people already keyed."""

from __future__ import annotations

import shutil
from pathlib import Path

from kinlink.linkage import LinkageConfig, linkage_run
from kinlink.warehouse import warehouse_connect
from tests.linkage.conftest import TrainedCity, insert, keys_of, person
from tests.linkage.test_review import _pupil

#: Measured 1.0 on the small city (3,000 people, the last extract of six feeds held back).
AGREEMENT_FLOOR = 0.999


def test_a_new_record_keeps_its_persons_key_and_a_new_person_gets_a_new_key(
    city_copy: Path, trained_city: TrainedCity
):
    pupil = _pupil(city_copy)
    before = keys_of(city_copy)
    insert(
        city_copy,
        [
            person("police_arrests:inc:1", forename=pupil[1], surname=pupil[2], dob=pupil[3],
                   sex=pupil[4], postcode=pupil[5]),
            person("police_arrests:inc:2", forename="Zebedee", surname="Quorn",
                   postcode="ZZ9 9ZZ"),
        ],
    )  # fmt: skip
    summary = linkage_run(city_copy, LinkageConfig(model_path=trained_city.model), incremental=True)
    assert summary.incremental
    assert summary.new_records == 2
    after = keys_of(city_copy)
    assert after["police_arrests:inc:1"] == before[pupil[0]]
    assert after["police_arrests:inc:2"] not in set(before.values())
    assert {r: k for r, k in after.items() if r in before} == before
    assert summary.keys.new == 1
    assert summary.keys.merged == summary.keys.split == 0


def test_incremental_agrees_with_a_full_rerun(
    trained_city: TrainedCity, small_warehouse: Path, tmp_path: Path
):
    warehouse = tmp_path / "part.duckdb"
    shutil.copy(small_warehouse, warehouse)
    con = warehouse_connect(warehouse)
    try:  # hold back the last extract of some feeds
        held = [
            str(r[0])
            for r in con.execute(
                """
                SELECT record_id FROM person_records
                WHERE (feed, file_name) IN (
                    SELECT feed, max(file_name) FROM person_records
                    WHERE feed IN ('police_arrests', 'health', 'school_census', 'neet')
                    GROUP BY feed)
                """
            ).fetchall()
        ]
        con.execute(f"ATTACH '{small_warehouse}' AS everything (READ_ONLY)")
        con.execute("CREATE TEMP TABLE held AS SELECT * FROM person_records WHERE false")
        con.execute(
            "INSERT INTO held SELECT * FROM person_records WHERE record_id IN (SELECT unnest(?))",
            [held],
        )
        con.execute("DELETE FROM person_records WHERE record_id IN (SELECT record_id FROM held)")
        config = LinkageConfig(model_path=trained_city.model)
        con.close()
        linkage_run(warehouse, config)
        con = warehouse_connect(warehouse)
        con.execute(f"ATTACH '{small_warehouse}' AS everything (READ_ONLY)")
        con.execute(
            "INSERT INTO person_records SELECT * FROM everything.person_records "
            "WHERE record_id IN (SELECT unnest(?))",
            [held],
        )
    finally:
        con.close()
    assert len(held) > 100
    summary = linkage_run(warehouse, config, incremental=True)
    assert summary.incremental
    assert summary.new_records == len(held)
    incremental = keys_of(warehouse)
    full = tmp_path / "full.duckdb"
    shutil.copy(warehouse, full)
    linkage_run(full, config)
    rerun = keys_of(full)
    same = sum(incremental[r] == rerun[r] for r in incremental)
    assert same / len(incremental) >= AGREEMENT_FLOOR


def test_without_keys_an_incremental_run_is_a_full_run(
    small_warehouse: Path, trained_city: TrainedCity, tmp_path: Path
):
    warehouse = tmp_path / "fresh.duckdb"
    shutil.copy(small_warehouse, warehouse)
    summary = linkage_run(warehouse, LinkageConfig(model_path=trained_city.model), incremental=True)
    assert not summary.incremental
