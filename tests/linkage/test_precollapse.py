"""Pre-collapse joins records on trustworthy ids only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kinlink.identity import nhs_number_make, upn_make
from kinlink.linkage.models import LinkageConfig, PrecollapseStats
from kinlink.linkage.precollapse import entities_build, records_build
from kinlink.warehouse import warehouse_connect
from tests.linkage.conftest import insert, person

UPN = upn_make(999, 2001, 14, 21)
BAD_UPN = UPN[:-1] + str((int(UPN[-1]) + 1) % 10)  # one digit slipped: fails its check


def _entities(warehouse: Path) -> tuple[dict[str, int], PrecollapseStats]:
    con = warehouse_connect(warehouse)
    try:
        records_build(con)
        stats = entities_build(con, LinkageConfig())
        rows = con.execute(
            "SELECT r.record_id, e.entity_id FROM _lk_records r JOIN _lk_entities e USING (rid)"
        ).fetchall()
    finally:
        con.close()
    return {str(r): int(e) for r, e in rows}, stats


def test_an_invalid_identifier_never_joins_records(tmp_path):
    wh = tmp_path / "wh.duckdb"
    nhs = nhs_number_make(3)
    bad = nhs[:-1] + str((int(nhs[-1]) + 1) % 10)
    insert(
        wh,
        [
            person("health:1", "health", forename="Amira", surname="Khan",
                   dob=date(2010, 1, 5), nhs_number=bad),
            person("health:2", "health", forename="Leon", surname="Price",
                   dob=date(1990, 6, 1), nhs_number=bad),
        ],
    )  # fmt: skip
    entity, _ = _entities(wh)
    assert entity["health:1"] != entity["health:2"]


def test_a_valid_identifier_joins_records_across_feeds(tmp_path):
    wh = tmp_path / "wh.duckdb"
    nhs = nhs_number_make(4)
    insert(
        wh,
        [
            person("health:1", "health", forename="Amira", surname="Khan",
                   dob=date(2010, 1, 5), nhs_number=nhs),
            person("social_care:1", "social_care", forename="Amirah", surname="Khan",
                   dob=date(2010, 5, 1), nhs_number=nhs, la_child_id="LCS1",
                   source_id_kind="la_child_id", source_person_id="LCS1"),
            person("exploitation:1", "exploitation", la_child_id="LCS1"),
        ],
    )  # fmt: skip
    entity, _ = _entities(wh)
    assert entity["health:1"] == entity["social_care:1"] == entity["exploitation:1"]


def test_a_valid_identifier_shared_by_a_contradicting_record_is_refused(tmp_path):
    wh = tmp_path / "wh.duckdb"
    pupil = {"forename": "Grace", "surname": "Mills", "dob": date(2012, 2, 3)}
    insert(
        wh,
        [
            *[person(f"school_census:{n}", "school_census", upn=UPN, **pupil) for n in (1, 2)],
            # another child's census row keyed with Grace's UPN
            person("school_census:3", "school_census", upn=UPN, forename="Tyler",
                   surname="Barnes", dob=date(2011, 9, 30)),
        ],
    )  # fmt: skip
    entity, stats = _entities(wh)
    assert entity["school_census:1"] == entity["school_census:2"]
    assert entity["school_census:3"] != entity["school_census:1"]
    assert stats.id_edges_dropped == 1


def test_attendance_with_a_mistyped_upn_joins_the_pupil_at_the_same_school(tmp_path):
    wh = tmp_path / "wh.duckdb"
    pupil = {"forename": "Grace", "surname": "Mills", "dob": date(2012, 2, 3)}
    insert(
        wh,
        [
            {**person("school_census:1", "school_census", upn=UPN, **pupil),
             "school_urn": "100001"},
            {**person("attendance:1", "attendance", upn=UPN), "school_urn": "100001"},
            {**person("attendance:2", "attendance", upn=BAD_UPN), "school_urn": "100001"},
            # the same slip at another school is not this pupil
            {**person("attendance:3", "attendance", upn=BAD_UPN, file_hash="other"),
             "school_urn": "100002"},
        ],
    )  # fmt: skip
    entity, stats = _entities(wh)
    assert entity["attendance:1"] == entity["school_census:1"]
    assert entity["attendance:2"] == entity["school_census:1"]
    assert entity["attendance:3"] != entity["school_census:1"]
    assert stats.upn_typos_fixed == 1
    assert stats.id_only_unlinked == {"attendance": 1}
