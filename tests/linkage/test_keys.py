"""Stable person keys: kept, merged, split and retired as the people change."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from kinlink.linkage import LinkageConfig, linkage_run
from kinlink.linkage.keys import key_for, keys_assign
from kinlink.warehouse import warehouse_connect
from tests.linkage.conftest import TrainedCity, keys_of

Link = Callable[[Path], dict[str, str]]


@pytest.fixture
def con(tmp_path: Path):
    connection = warehouse_connect(tmp_path / "keys.duckdb")
    yield connection
    connection.close()


def _run(con: duckdb.DuckDBPyConnection, people: list[list[str]], run_id: str) -> dict[str, str]:
    """One run whose clusters are ``people`` (lists of record ids); returns record -> key."""
    records = sorted({r for group in people for r in group})
    rid = {r: i for i, r in enumerate(records, start=1)}
    con.execute("CREATE OR REPLACE TEMP TABLE _lk_records (rid BIGINT, record_id VARCHAR)")
    con.executemany("INSERT INTO _lk_records VALUES (?, ?)", [(rid[r], r) for r in records])
    con.execute("CREATE OR REPLACE TEMP TABLE _lk_clusters (rid BIGINT, cluster BIGINT)")
    con.executemany(
        "INSERT INTO _lk_clusters VALUES (?, ?)",
        [(rid[r], min(rid[x] for x in group)) for group in people for r in group],
    )
    keys_assign(con, run_id)
    return dict(con.execute("SELECT record_id, person_key FROM person_key_members").fetchall())


def _events(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str, list[str]]]:
    return [
        (str(k), str(p), list(r))
        for k, p, r in con.execute(
            "SELECT kind, person_key, related_keys FROM person_key_events WHERE run_id = ? "
            "AND kind <> 'new' ORDER BY kind, person_key",
            [run_id],
        ).fetchall()
    ]


def test_keys_look_random_but_are_reproducible():
    key = key_for("health:abc:1")
    assert key == key_for("health:abc:1")
    assert key.startswith("P")
    assert len(key) == 11
    assert key != key_for("health:abc:2")
    assert key != key_for("health:abc:1", attempt=1)
    assert not set(key[1:]) & set("ILOU")


def test_same_people_keep_their_keys(con):
    people = [["a1", "a2", "a3"], ["b1"], ["c1", "c2"]]
    first = _run(con, people, "r1")
    assert len(set(first.values())) == 3
    assert _run(con, people, "r2") == first
    assert _events(con, "r2") == []


def test_a_new_record_joins_its_person_under_the_same_key(con):
    first = _run(con, [["a1", "a2"], ["b1"]], "r1")
    second = _run(con, [["a1", "a2", "a3"], ["b1"]], "r2")
    assert second["a3"] == first["a1"] == second["a1"]
    assert second["b1"] == first["b1"]


def test_a_merge_keeps_the_larger_key_and_retires_the_other(con):
    first = _run(con, [["a1", "a2", "a3"], ["b1", "b2"]], "r1")
    second = _run(con, [["a1", "a2", "a3", "b1", "b2"]], "r2")
    survivor, retired = first["a1"], first["b1"]
    assert set(second.values()) == {survivor}
    assert _events(con, "r2") == [("merge", survivor, [retired])]
    row = con.execute(
        "SELECT retired_run, merged_into FROM person_keys WHERE person_key = ?", [retired]
    ).fetchone()
    assert row == ("r2", survivor)


def test_a_split_gives_the_larger_part_the_old_key(con):
    first = _run(con, [["a1", "a2", "a3", "a4", "a5"]], "r1")
    second = _run(con, [["a1", "a2", "a3"], ["a4", "a5"]], "r2")
    old = first["a1"]
    assert second["a1"] == old
    assert second["a4"] != old
    assert _events(con, "r2") == [("split", second["a4"], [old])]


def test_a_key_whose_records_are_gone_is_retired_and_never_reused(con):
    first = _run(con, [["a1"], ["b1", "b2"]], "r1")
    _run(con, [["b1", "b2"]], "r2")
    assert _events(con, "r2") == [("retire", first["a1"], [])]
    third = _run(con, [["a1"], ["b1", "b2"]], "r3")  # the same record comes back
    assert third["a1"] != first["a1"], "a retired key is never issued again"
    assert third["b1"] == first["b1"]


def test_ties_between_equal_overlaps_are_broken_the_same_way_every_time(con):
    first = _run(con, [["a1", "a2"], ["b1", "b2"]], "r1")
    merged = _run(con, [["a1", "a2", "b1", "b2"]], "r2")
    assert set(merged.values()) == {min(first["a1"], first["b1"])}


def test_relinking_the_city_keeps_every_key(trained_city: TrainedCity, tmp_path: Path):
    warehouse = tmp_path / "city.duckdb"
    shutil.copy(trained_city.warehouse, warehouse)
    before = keys_of(warehouse)
    summary = linkage_run(warehouse, LinkageConfig(model_path=trained_city.model))
    assert keys_of(warehouse) == before
    assert summary.keys.new == summary.keys.merged == summary.keys.split == 0


def test_a_new_record_for_a_known_person_gets_that_persons_key(city_copy: Path, link: Link):
    con = warehouse_connect(city_copy, read_only=True)
    try:
        pupil = con.execute(
            "SELECT record_id, forename, surname, dob, sex, postcode FROM person_records "
            "WHERE feed = 'school_census' AND dob IS NOT NULL AND postcode IS NOT NULL "
            "ORDER BY record_id LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert pupil is not None
    before = keys_of(city_copy)
    from tests.linkage.conftest import insert, person

    insert(
        city_copy,
        [
            person("police_arrests:new:1", "police_arrests", forename=pupil[1],
                   surname=pupil[2], dob=pupil[3], sex=pupil[4], postcode=pupil[5]),
        ],
    )  # fmt: skip
    after = link(city_copy)
    assert after["police_arrests:new:1"] == before[pupil[0]]
    assert {r: k for r, k in after.items() if r in before} == before
