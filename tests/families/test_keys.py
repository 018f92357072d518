"""Stable family keys: kept across re-runs, merged and split with recorded reasons."""

from __future__ import annotations

from datetime import date

from kinlink.families import families_build
from kinlink.families.keys import family_key_for
from kinlink.warehouse import warehouse_connect
from tests.families.conftest import Town, current, query
from tests.families.test_households import ELM, OAK, _listing

MUM = {"forename": "Jo", "surname": "Hart", "dob": date(1980, 1, 1)}
SAM = {"forename": "Sam", "surname": "Hart", "dob": date(2003, 3, 3)}
KID = {"forename": "Kit", "surname": "Hart", "dob": date(2014, 4, 4)}
PHIL = {"forename": "Phil", "surname": "Ward", "dob": date(1979, 9, 9)}


def _first_year(town: Town) -> None:
    _listing(town, date(2023, 11, 1), "HB1", OAK, [("K-MUM", MUM), ("K-SAM", SAM), ("K-KID", KID)])
    town.record("K-KID", "school_census", date(2023, 10, 5), role="pupil", **KID, **OAK)
    _listing(town, date(2023, 11, 2), "HB2", ELM, [("K-PHIL", PHIL)])


def _events(warehouse, run_id: str) -> list[tuple[str, str, list[str]]]:
    return [
        (str(kind), str(key), list(related))
        for kind, key, related in query(
            warehouse,
            "SELECT kind, family_key, related_keys FROM family_key_events WHERE run_id = ? "
            "AND kind <> 'new' ORDER BY kind, family_key",
            [run_id],
        )
    ]


def test_keys_look_random_but_are_reproducible():
    key = family_key_for("PABC")
    assert key == family_key_for("PABC")
    assert key.startswith("F")
    assert len(key) == 11
    assert key != family_key_for("PABC", attempt=1)
    assert not set(key[1:]) & set("ILOU")


def test_the_same_input_keeps_every_key(town: Town):
    _first_year(town)
    warehouse = town.write()
    first = families_build(warehouse)
    before = current(warehouse)
    second = families_build(warehouse)
    assert current(warehouse) == before
    assert (second.keys.kept, second.keys.new) == (first.keys.new, 0)
    assert _events(warehouse, second.run_id) == []
    rows = query(warehouse, "SELECT count(*) FROM family_key_members WHERE basis <> 'current'")
    assert rows == [(0,)]


def test_a_merge_and_a_split_are_recorded_with_reasons(town: Town):
    _first_year(town)
    warehouse = town.write()
    families_build(warehouse)
    before = current(warehouse)
    harts, wards = before["K-MUM"][0], before["K-PHIL"][0]
    assert harts != wards
    assert before["K-SAM"][0] == harts

    # Jo and Kit move in with Phil; Sam (now grown up) stays on at the old address
    town.record("K-KID", "school_census", date(2025, 1, 16), role="pupil", **KID, **ELM)
    _listing(
        town, date(2025, 11, 1), "HB2", ELM, [("K-PHIL", PHIL), ("K-MUM", MUM), ("K-KID", KID)]
    )
    _listing(town, date(2025, 11, 3), "HB1", OAK, [("K-SAM", SAM)])
    town.write()
    summary = families_build(warehouse)
    after = current(warehouse)
    assert after["K-MUM"][0] == after["K-KID"][0] == after["K-PHIL"][0] == harts
    sam = after["K-SAM"][0]
    assert sam not in (harts, wards)
    assert (summary.keys.merged, summary.keys.split) == (1, 1)
    assert _events(warehouse, summary.run_id) == sorted(
        [("merge", harts, [wards]), ("split", sam, [harts])]
    )
    reasons = dict(
        query(
            warehouse,
            "SELECT kind, reason FROM family_key_events WHERE run_id = ? AND kind <> 'new'",
            [summary.run_id],
        )
    )
    assert "now live at this family's address" in reasons["merge"]
    assert "now live apart from it" in reasons["split"]
    registry = dict(
        (
            (k, (r is not None, m))
            for k, r, m in query(
                warehouse, "SELECT family_key, retired_at, merged_into FROM family_keys"
            )
        )
    )
    assert registry[wards] == (True, harts)
    assert registry[harts] == (False, None)
    # Phil's time as a family of his own is history, not lost
    closed = query(
        warehouse,
        "SELECT family_key, valid_to FROM family_key_members "
        "WHERE person_key = 'K-PHIL' AND basis = 'closed'",
    )
    assert closed == [(wards, date(2025, 1, 16))]


def test_keys_are_never_reused(town: Town):
    _first_year(town)
    warehouse = town.write()
    families_build(warehouse)
    issued = {k for (k,) in query(warehouse, "SELECT family_key FROM family_keys")}
    con = warehouse_connect(warehouse)
    try:  # forget the memberships: every family is new again, and gets a fresh key
        con.execute("DELETE FROM family_key_members")
    finally:
        con.close()
    families_build(warehouse)
    assert not set(current(warehouse)[k][0] for k in ("K-MUM", "K-PHIL")) & issued


def test_families_follow_person_keys_through_a_linkage_merge(town: Town):
    _first_year(town)
    warehouse = town.write()
    families_build(warehouse)
    harts = current(warehouse)["K-MUM"][0]
    con = warehouse_connect(warehouse)
    try:  # re-linking joined Jo's key into a new key: the registry says where it went
        con.execute("UPDATE person_key_members SET person_key = 'K-JO' WHERE person_key = 'K-MUM'")
        con.execute("INSERT INTO person_keys (person_key) VALUES ('K-JO')")
        con.execute("UPDATE person_keys SET merged_into = 'K-JO' WHERE person_key = 'K-MUM'")
        con.execute("DELETE FROM person_key_members WHERE person_key = 'K-SAM'")
        con.execute("DELETE FROM person_key_members WHERE person_key = 'K-KID'")
    finally:
        con.close()
    summary = families_build(warehouse)
    assert current(warehouse)["K-JO"][0] == harts
    assert summary.keys.new == 0
