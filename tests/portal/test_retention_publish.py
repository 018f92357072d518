"""Retention reaches the portal: after removal, re-derivation and a publish, nothing removed
is still shown, and what was kept is."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from kinlink.governance.retention import rederive, retention_apply
from kinlink.portal.models import Event, Person, RecordLink
from kinlink.portal.publish import publish_run
from kinlink.sources import definitions_load
from tests.conftest import AssessedCity


def test_publish_after_retention_shows_nothing_that_was_removed(
    db: Any, assessed_city: AssessedCity, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(assessed_city.warehouse, warehouse)
    before_events = Event.objects.exclude(feed="risk_score").count()
    report = retention_apply(warehouse, definitions_load(), as_of=date(2029, 6, 1), dry_run=False)
    assert report.fact_rows > 0
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        removed = {
            (feed, file_name, row_number)
            for feed, file_name, row_number in con.execute(
                "SELECT feed, file_name, row_number FROM retention_removed WHERE held_as = 'fact'"
            ).fetchall()
        }
        kept_records = {
            r[0] for r in con.execute("SELECT record_id FROM person_records").fetchall()
        }
    finally:
        con.close()
    rederive(warehouse, model_path=tmp_path / "person.json")
    publish_run(warehouse=warehouse, force=True)

    shown = set(Event.objects.exclude(feed="risk_score").values_list("record_id", flat=True))
    links = set(RecordLink.objects.values_list("feed", "file_name", "row_number"))
    assert links, "records that were kept are still explained"
    assert links.isdisjoint(removed)
    assert shown <= kept_records
    assert 0 < Event.objects.exclude(feed="risk_score").count() < before_events
    # Every person shown still has a record behind them.
    linked_people = set(RecordLink.objects.values_list("person_key", flat=True))
    assert set(Person.objects.values_list("pk", flat=True)) <= linked_people
