"""Family evaluation against a truth, and the families of the small synthetic city."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from kinlink.families import ROLES, families_build, families_evaluate, families_export
from kinlink.families.tables import MEMBERS, tables_create
from kinlink.warehouse import warehouse_connect
from tests.families.conftest import LinkedCity, Town, current, query


def _truth(folder: Path, people: dict[str, tuple[str, str]], slots: list[tuple]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "people.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["person_id", "family_id", "family_role"])
        for person, (family, role) in people.items():
            writer.writerow([person, family, role])
    with (folder / "person_slots.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["feed", "file", "row_number", "slot", "person_id"])
        writer.writerows(slots)
    return folder


def test_metrics_are_counted_right_on_a_hand_made_truth(town: Town, tmp_path: Path):
    # keys a..e; key c has two records of person C and one of person D: C by majority
    records = {"a": ["A"], "b": ["B"], "c": ["C", "C", "D"], "d": ["D"], "e": ["E"]}
    slots = []
    for key, persons in records.items():
        for person in persons:
            record = town.record(key, "health", date(2025, 1, 1), forename="X", surname="Y")
            slots.append(("health", "health.csv", record.split(":")[-1], "", person))
    warehouse = town.write()
    truth = _truth(
        tmp_path / "truth",
        {
            "A": ("T1", "PARENT"),
            "B": ("T1", "CHILD"),
            "C": ("T1", "CHILD"),
            "D": ("T2", "OTHER_ADULT"),
            "E": ("T2", "OTHER_ADULT"),
        },
        slots,
    )
    predicted = {
        "a": ("F1", "PARENT"),
        "b": ("F1", "CHILD"),
        "c": ("F2", "CHILD"),
        "d": ("F2", "PARENT"),
        "e": ("F2", "OTHER_ADULT"),
    }
    con = warehouse_connect(warehouse)
    try:
        tables_create(con)
        con.executemany(
            f"INSERT INTO {MEMBERS} VALUES (?, ?, ?, NULL, NULL, 'r', 'current', 'address')",
            [(k, f, r) for k, (f, r) in predicted.items()],
        )
    finally:
        con.close()
    report = families_evaluate(warehouse, truth)
    # predicted pairs ab, cd, ce, de; true pairs ab, ac, bc, de; correct ab, de
    assert (report.predicted_pairs, report.true_pairs, report.correct_pairs) == (4, 4, 2)
    assert report.precision == report.recall == report.f1 == 0.5
    # B-cubed precision per key: 1, 1, 1/3, 2/3, 2/3; recall: 2/3, 2/3, 1/3, 1, 1
    assert report.bcubed_precision == pytest.approx(11 / 15)
    assert report.bcubed_recall == pytest.approx(11 / 15)
    assert (report.families_split, report.families_merged, report.families_exact) == (1, 1, 0)
    assert (report.true_families, report.predicted_families, report.keys) == (2, 2, 5)
    assert report.role_accuracy == pytest.approx(4 / 5)
    assert report.roles_confusion["OTHER_ADULT"] == {"OTHER_ADULT": 1, "PARENT": 1}


def test_small_city_families_match_the_truth(linked_city: LinkedCity, city_copy: Path):
    summary = families_build(city_copy)
    report = families_evaluate(city_copy, linked_city.city / "truth")
    # measured 0.954 pairwise F1, 0.978 B-cubed F1 on this city (seed 7, 3,000 people)
    assert report.keys == summary.person_keys
    assert report.keys_without_truth == 0
    assert report.f1 >= 0.93
    assert report.precision >= 0.90
    assert report.recall >= 0.95
    assert report.bcubed_f1 >= 0.96
    assert report.role_accuracy >= 0.90
    assert report.families_split + report.families_merged <= 0.1 * report.true_families

    # every person key has exactly one current family and a known role
    rows = query(
        city_copy,
        "SELECT count(*), count(DISTINCT person_key), count(*) FILTER (WHERE role IN ?) "
        "FROM family_key_members WHERE basis = 'current'",
        [list(ROLES)],
    )
    assert rows == [(summary.person_keys, summary.person_keys, summary.person_keys)]

    # a second run on the same data keeps every key
    before = current(city_copy)
    again = families_build(city_copy)
    assert current(city_copy) == before
    assert again.keys.new == again.keys.merged == again.keys.split == 0


def test_export_writes_person_key_family_key_role(linked_city: LinkedCity, city_copy: Path):
    families_build(city_copy)
    out = city_copy.parent / "families.csv"
    result = families_export(city_copy, out)
    with out.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["person_key", "family_key", "role"]
    assert len(rows) - 1 == result.rows
    assert {r[0] for r in rows[1:]} == set(current(city_copy))
    assert all(r[1].startswith("F") and r[2] in ROLES for r in rows[1:])
