"""Retention removes exactly what is due, keeps a record that it existed, and re-derives."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from kinlink.governance.retention import rederive, retention_apply
from kinlink.sources import definitions_load
from kinlink.warehouse import warehouse_connect
from tests.outcomes.conftest import AssessedCity, Scenario

DEFINITIONS = definitions_load()
AS_OF = date(2026, 11, 24)  # health keeps 36 months: rows dated before 2023-11-24 are due


def _set_observed(scenario: Scenario, record_id: str, when: date) -> None:
    con = warehouse_connect(scenario.path)
    try:
        con.execute("UPDATE person_records SET observed_date = ? WHERE record_id = ?",
                    [when, record_id])  # fmt: skip
    finally:
        con.close()


def _count(path: Path, sql: str) -> int:
    con = warehouse_connect(path, read_only=True)
    try:
        found = con.execute(sql).fetchone()
        return int(found[0]) if found else 0
    finally:
        con.close()


def test_retention_removes_exactly_the_rows_past_their_period(scenario: Scenario) -> None:
    person = scenario.person("P", "F1", date(1980, 1, 1))
    kept_rows, gone = [], []
    for when in (date(2023, 11, 23), date(2023, 11, 24), date(2025, 1, 1)):
        record = scenario.fact("health", person, flag="CAMHS_REFERRAL", flag_date=when)
        _set_observed(scenario, record, when)
        (gone if when < date(2023, 11, 24) else kept_rows).append(record)
    # An early help episode (84 months) that started long ago but is still open is kept;
    # one that ended more than 84 months ago is due.
    for end, episode in ((None, "OPEN"), (date(2019, 11, 23), "OLD")):
        record = scenario.fact("early_help", person, eh_family_id="E", family_role="PARENT",
                               episode_id=episode, episode_start=date(2018, 1, 1),
                               episode_end=end)  # fmt: skip
        _set_observed(scenario, record, date(2018, 1, 1))
        (kept_rows if end is None else gone).append(record)

    dry = retention_apply(scenario.path, DEFINITIONS, as_of=AS_OF)
    by_feed = {f.feed: f for f in dry.feeds}
    assert by_feed["health"].cutoff == date(2023, 11, 24)
    assert (by_feed["health"].fact_rows, by_feed["early_help"].fact_rows) == (1, 1)
    assert _count(scenario.path, "SELECT count(*) FROM health_flag") == 3  # dry run

    real = retention_apply(scenario.path, DEFINITIONS, as_of=AS_OF, dry_run=False)
    assert real.fact_rows == 2
    remaining = {
        r
        for table in ("health_flag", "early_help_episode", "person_records", "person_key_members")
        for r in _ids(scenario.path, table)
    }
    assert remaining.isdisjoint(gone)
    assert set(kept_rows) <= remaining
    logged = _count(
        scenario.path, f"SELECT count(*) FROM retention_removed WHERE run_id = '{real.run_id}'"
    )
    assert logged == 2
    assert (
        _count(scenario.path, "SELECT count(*) FROM retention_removed WHERE file_name IS NULL") == 0
    )


def _ids(path: Path, table: str) -> set[str]:
    con = warehouse_connect(path, read_only=True)
    try:
        return {r[0] for r in con.execute(f"SELECT record_id FROM {table}").fetchall()}
    finally:
        con.close()


def test_after_retention_links_and_needs_rest_only_on_what_is_left(
    assessed_city: AssessedCity, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(assessed_city.warehouse, warehouse)
    # Five years on, the 24-month police intelligence and 36-month health flags are due.
    report = retention_apply(warehouse, DEFINITIONS, as_of=date(2029, 6, 1), dry_run=False)
    removed = {f.feed: f.fact_rows for f in report.feeds}
    assert removed["health"] > 0
    model = tmp_path / "person.json"
    runs = rederive(warehouse, model_path=model)
    assert set(runs) == {"linkage", "families", "outcomes"}
    assert _count(warehouse, "SELECT count(*) FROM person_key_members m "
                  "ANTI JOIN person_records r USING (record_id)") == 0  # fmt: skip
    assert _count(warehouse, "SELECT count(*) FROM person_records r "
                  "ANTI JOIN person_key_members m USING (record_id)") == 0  # fmt: skip
    assert (
        _count(
            warehouse,
            f"SELECT count(*) FROM outcome_need_evidence e ANTI JOIN person_records r "
            f"USING (record_id) WHERE e.run_id = '{runs['outcomes']}'",
        )
        == 0
    )


def test_quarantined_rows_are_removed_months_after_their_file_was_loaded(
    small_warehouse: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(small_warehouse, warehouse)
    con = warehouse_connect(warehouse)
    try:
        batches = con.execute(
            "SELECT batch_id, feed, rows_quarantined FROM ingest_batches "
            "WHERE rows_quarantined > 0 ORDER BY rows_quarantined DESC, batch_id"
        ).fetchall()
        assert len(batches) >= 2, "the synthetic city quarantines rows in several files"
        # Health keeps quarantined rows 6 months (the default): loaded the day before the
        # cutoff is due, loaded on it is kept. Every other batch was loaded today.
        due_batch, kept_batch = batches[0][0], batches[1][0]
        con.execute("UPDATE ingest_batches SET loaded_at = TIMESTAMPTZ '2026-05-23 23:30:00+00' "
                    "WHERE batch_id = ?", [due_batch])  # fmt: skip
        con.execute("UPDATE ingest_batches SET loaded_at = TIMESTAMPTZ '2026-05-24 00:10:00+00' "
                    "WHERE batch_id = ?", [kept_batch])  # fmt: skip
        due_rows = con.execute(
            "SELECT file_name, file_hash, row_number FROM quarantine WHERE batch_id = ? "
            "ORDER BY row_number", [due_batch]
        ).fetchall()  # fmt: skip
        total = _scalar(con, "SELECT count(*) FROM quarantine")
        facts = _scalar(con, "SELECT count(*) FROM person_records")
    finally:
        con.close()
    as_of = date(2026, 11, 24)

    dry = retention_apply(warehouse, DEFINITIONS, as_of=as_of)
    assert dry.quarantine_rows == len(due_rows)
    assert _count(warehouse, "SELECT count(*) FROM quarantine") == total  # dry run

    real = retention_apply(warehouse, DEFINITIONS, as_of=as_of, dry_run=False)
    by_feed = {f.feed: f for f in real.feeds}
    assert by_feed[batches[0][1]].quarantine_cutoff == date(2026, 5, 24)
    assert real.quarantine_rows == len(due_rows)
    assert _count(warehouse, "SELECT count(*) FROM quarantine") == total - len(due_rows)
    assert _count(warehouse, f"SELECT count(*) FROM quarantine WHERE batch_id = '{due_batch}'") == 0
    assert _count(warehouse, f"SELECT count(*) FROM quarantine WHERE batch_id = '{kept_batch}'") > 0
    # Loaded records go only by their own dates, as the dry run counted them.
    gone = sum(f.person_records for f in dry.feeds)
    assert _count(warehouse, "SELECT count(*) FROM person_records") == facts - gone
    con = warehouse_connect(warehouse, read_only=True)
    try:
        logged = con.execute(
            "SELECT file_name, file_hash, row_number FROM retention_removed "
            "WHERE run_id = ? AND held_as = 'quarantine' ORDER BY row_number", [real.run_id]
        ).fetchall()  # fmt: skip
        recorded = con.execute(
            "SELECT sum(quarantine_rows) FROM retention_runs WHERE run_id = ?", [real.run_id]
        ).fetchone()
    finally:
        con.close()
    assert logged == due_rows
    assert recorded == (len(due_rows),)


def test_quarantine_cannot_be_kept_longer_than_the_facts() -> None:
    from pydantic import ValidationError

    from kinlink.sources.models import Governance

    with pytest.raises(ValidationError, match="quarantine_months"):
        Governance(controller="C", legal_basis="B", agreement="A", retention_months=3,
                   quarantine_months=6)  # fmt: skip


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    found = con.execute(sql).fetchone()
    return int(found[0]) if found else 0


def test_rederive_scores_again_so_no_published_score_rests_on_a_removed_row(
    assessed_city: AssessedCity, tmp_path: Path
) -> None:
    from kinlink.risk.services import risk_evaluate, risk_publish, risk_score, risk_train

    warehouse = tmp_path / "w.duckdb"
    shutil.copy(assessed_city.warehouse, warehouse)
    risk_train(warehouse, "dv-profile")
    risk_evaluate(warehouse, "dv-profile")
    risk_publish(warehouse, "dv-profile", published_by="analyst", override_reason="test")
    scored_on = date(2026, 3, 31)
    first = risk_score(warehouse, "dv-profile", as_of=scored_on)
    report = retention_apply(warehouse, DEFINITIONS, as_of=date(2029, 6, 1), dry_run=False)
    assert report.fact_rows > 0
    stale = _count(
        warehouse,
        f"SELECT count(*) FROM risk_score_evidence e ANTI JOIN person_records r "
        f"USING (record_id) WHERE e.score_id LIKE '{first.score_run_id}:%'",
    )
    assert stale > 0, "the scores rested on rows retention removed"

    runs = rederive(warehouse, model_path=tmp_path / "person.json")
    again = runs["risk:dv-profile"]
    con = warehouse_connect(warehouse, read_only=True)
    try:
        as_of = con.execute(
            "SELECT as_of FROM risk_score_runs WHERE score_run_id = ?", [again]
        ).fetchone()
    finally:
        con.close()
    assert as_of == (scored_on,)
    assert (
        _count(
            warehouse,
            f"SELECT count(*) FROM risk_score_evidence e ANTI JOIN person_records r "
            f"USING (record_id) WHERE e.score_id LIKE '{again}:%'",
        )
        == 0
    )
    assert _count(warehouse, f"SELECT count(*) FROM risk_scores WHERE score_run_id = '{again}'")
