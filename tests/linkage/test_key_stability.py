"""New months of data keep every key whose person did not change."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

from kinlink.linkage import LinkageConfig, linkage_run
from kinlink.warehouse import warehouse_connect
from tests.linkage.conftest import TrainedCity, keys_of


def _clusters(keys: dict[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for record, key in keys.items():
        out[key].add(record)
    return out


def test_adding_months_keeps_every_key_whose_cluster_did_not_change(
    trained_city: TrainedCity, small_warehouse: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "city.duckdb"
    shutil.copy(small_warehouse, warehouse)
    con = warehouse_connect(warehouse)
    try:
        con.execute(
            "CREATE TABLE held_back AS SELECT * FROM person_records "
            "WHERE observed_date >= DATE '2026-07-01'"
        )
        con.execute("DELETE FROM person_records WHERE observed_date >= DATE '2026-07-01'")
        held = con.execute("SELECT count(*) FROM held_back").fetchone()
    finally:
        con.close()
    assert held is not None
    assert held[0] > 100  # the last two months' records
    config = LinkageConfig(model_path=trained_city.model)
    linkage_run(warehouse, config)
    before = keys_of(warehouse)
    con = warehouse_connect(warehouse)
    try:
        con.execute("INSERT INTO person_records SELECT * FROM held_back")
    finally:
        con.close()
    linkage_run(warehouse, config)  # a full run over all the data, not an incremental one
    after = keys_of(warehouse)

    new_records = set(after) - set(before)
    after_clusters = _clusters(after)
    unchanged = changed = 0
    for key, records in _clusters(before).items():
        now = {after[r] for r in records}
        if len(now) != 1:
            changed += 1  # split
            continue
        grown = after_clusters[next(iter(now))]
        if grown - records <= new_records:  # only new records joined it: the same person
            unchanged += 1
            assert now == {key}, f"key {key} changed although its person did not"
        else:
            changed += 1  # merged with another earlier person
    assert unchanged > 0.95 * len(_clusters(before))
    joined = sum(1 for r in new_records if after[r] in before.values())
    assert joined > 0.5 * len(new_records)  # most of the month's records are known people
