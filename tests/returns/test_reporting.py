"""The reporting views: created over the latest run, documented exactly, counting right."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from kinlink.returns.reporting import (
    VIEWS,
    NoAssessmentTables,
    reporting_markdown,
    reporting_views_create,
)
from kinlink.warehouse.store import warehouse_connect
from tests.returns.conftest import AS_OF, Town

DOC = Path(__file__).resolve().parents[2] / "docs" / "reporting.md"
EXPECTED_VIEWS = {
    "rpt_run", "rpt_families", "rpt_family_needs", "rpt_needs_by_outcome_period",
    "rpt_episodes", "rpt_progress", "rpt_claims", "rpt_schools", "rpt_areas",
}  # fmt: skip


@pytest.fixture
def views(town_copy: Town) -> Iterator[tuple[Town, duckdb.DuckDBPyConnection]]:
    con = warehouse_connect(town_copy.path)
    reporting_views_create(con)
    yield town_copy, con
    con.close()


def _dicts(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, object]]:
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def test_docs_reporting_md_is_current():
    assert DOC.read_text(encoding="utf-8") == reporting_markdown(), (
        "docs/reporting.md is stale: run 'kinlink returns views-doc --out docs/reporting.md'"
    )


def test_every_view_has_exactly_its_documented_columns_and_types(views):
    _, con = views
    assert {v.name for v in VIEWS} == EXPECTED_VIEWS
    for view in VIEWS:
        described = con.execute(f"DESCRIBE {view.name}").fetchall()
        assert [(r[0], r[1]) for r in described] == [(c.name, c.sql_type) for c in view.columns], (
            view.name
        )


def test_views_show_the_latest_run_only(views):
    town, con = views
    assert con.execute("SELECT run_id, period FROM rpt_run").fetchall() == [(town.run_id, AS_OF)]
    # An older run in the tables does not show.
    con.execute(
        "INSERT INTO outcome_runs (run_id, as_of, finished_at) "
        "VALUES ('ocrun-00000000T000000', DATE '2020-01-01', TIMESTAMPTZ '2020-01-01 00:00:00+00')"
    )
    con.execute(
        "INSERT INTO outcome_families (run_id, family_key, eligible) "
        "VALUES ('ocrun-00000000T000000', 'FOLD', TRUE)"
    )
    families = con.execute("SELECT DISTINCT period, run_id FROM rpt_families").fetchall()
    assert families == [(AS_OF, town.run_id)]


def test_family_episode_progress_and_claim_views_count_the_town(views):
    town, con = views
    names = {v: k for k, v in town.families.items()}
    families = {names[r["family_key"]]: r for r in _dicts(con, "SELECT * FROM rpt_families")}
    assert set(families) == set("ABCDEZ")
    assert {f for f, r in families.items() if r["eligible"]} == {"A", "E"}
    assert {f for f, r in families.items() if r["has_episode"]} == set("ABCD")
    assert {f for f, r in families.items() if r["episode_open"]} == {"A"}
    assert {f for f, r in families.items() if r["claim_candidate"]} == {"B", "C"}
    assert families["A"]["needs"] == "HEALTH_MENTAL, SUBSTANCE, CRIME"
    episodes = {names[r["family_key"]]: r for r in _dicts(con, "SELECT * FROM rpt_episodes")}
    assert episodes["A"]["status"] == "open"
    assert episodes["A"]["days_open"] == (AS_OF - date(2026, 4, 1)).days
    assert episodes["D"]["days_open"] == (date(2026, 6, 15) - date(2026, 2, 1)).days
    statuses = con.execute(
        "SELECT status, count(*) FROM rpt_progress GROUP BY status ORDER BY status"
    ).fetchall()
    assert statuses == [("in_progress", 3), ("met", 6), ("sustaining", 2)]
    assert con.execute("SELECT count(*) FROM rpt_claims").fetchone() == (2,)


def test_needs_by_outcome_period_adds_up_the_family_needs(views):
    _, con = views
    rows = con.execute(
        "SELECT need, families, eligible_families FROM rpt_needs_by_outcome_period "
        "WHERE headline_outcome = 'CRIME_PREVENTION'"
    ).fetchall()
    # CRIME now: A (arrest Jan 2026), D (Dec 2025), E (Apr 2026) and Z (Aug 2026).
    assert rows == [("CRIME", 4, 2)]
    total = con.execute("SELECT sum(families) FROM rpt_needs_by_outcome_period").fetchone()
    assert total == con.execute("SELECT count(*) FROM rpt_family_needs").fetchone()


def test_schools_count_pupils_at_the_latest_census_and_persistent_absence(views):
    _, con = views
    schools = {r["school_urn"]: r for r in _dicts(con, "SELECT * FROM rpt_schools")}
    first, second = schools["100001"], schools["100002"]
    assert first["census_date"] == date(2026, 5, 21)  # B's child was on the earlier roll only
    assert (first["pupils"], first["pupils_in_eligible_families"]) == (2, 2)
    assert first["attendance_year"] == "2025/26"
    assert (first["pupils_with_attendance"], first["persistent_absentees"]) == (2, 1)
    assert first["persistent_absence_rate"] == 0.5
    assert second["census_date"] == date(2026, 5, 21)  # the October census is after the as-of
    assert (second["pupils"], second["pupils_in_eligible_families"]) == (1, 0)
    assert (second["pupils_with_attendance"], second["persistent_absence_rate"]) == (0, None)


def test_areas_group_families_by_postcode_district(views):
    _, con = views
    areas = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT postcode_district, families, eligible_families, people FROM rpt_areas"
        ).fetchall()
    }
    # A's parent's latest records are at L8; E's parent has no valid postcode, its child CH41.
    assert areas == {"L8": (1, 1, 2), "CH41": (1, 1, 2), None: (4, 0, 7)}


def test_views_need_an_assessed_warehouse(tmp_path: Path):
    con = warehouse_connect(tmp_path / "empty.duckdb")
    with pytest.raises(NoAssessmentTables, match="outcome_runs"):
        reporting_views_create(con)
    con.close()
