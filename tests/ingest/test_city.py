"""The whole synthetic city through ingest: every file balanced, every slot accounted for."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from kinlink.ingest import file_check
from kinlink.sources import definition_for_file, definitions_load


def test_every_generated_file_is_read_by_a_shipped_definition_without_header_problems(
    small_city: Path,
):
    definitions = definitions_load()
    files = sorted((small_city / "feeds").iterdir())
    feeds = set()
    for path in files:
        definition = definition_for_file(path.name, definitions)
        assert definition is not None, path.name
        report = file_check(definition, path)
        assert report.header_problems == [], (path.name, report.header_problems)
        feeds.add(definition.feed)
    assert len(feeds) == 13


def test_read_equals_loaded_plus_quarantined_for_every_file(
    small_city: Path, small_warehouse: Path
):
    con = duckdb.connect(str(small_warehouse), read_only=True)
    batches = con.execute(
        "SELECT file_name, rows_read, rows_loaded, rows_quarantined FROM ingest_batches"
    ).fetchall()
    per_file_loaded = dict(
        con.execute(
            "SELECT file_name, count(DISTINCT row_number) FROM person_records GROUP BY 1"
        ).fetchall()
    )
    per_file_quarantined = dict(
        con.execute("SELECT file_name, count(*) FROM quarantine GROUP BY 1").fetchall()
    )
    con.close()
    files = {p.name for p in (small_city / "feeds").iterdir()}
    assert {b[0] for b in batches} == files
    for name, read, loaded, quarantined in batches:
        with (small_city / "feeds" / name).open(newline="", encoding="latin-1") as handle:
            data_rows = sum(1 for _ in csv.reader(handle)) - 1
        assert read == data_rows, name
        assert read == loaded + quarantined, name
        assert per_file_loaded.get(name, 0) == loaded, name
        assert per_file_quarantined.get(name, 0) == quarantined, name


def test_every_true_person_slot_of_a_loaded_row_has_one_person_record(
    small_city: Path, small_warehouse: Path
):
    con = duckdb.connect(str(small_warehouse), read_only=True)
    truth = small_city / "truth" / "person_slots.csv"
    con.execute(
        "CREATE TEMP TABLE truth AS SELECT * FROM read_csv(?, header=true, all_varchar=true)",
        [str(truth)],
    )
    missing = con.execute(
        """
        SELECT count(*) FROM truth t
        WHERE NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.file_name = t.file
                          AND q.row_number = CAST(t.row_number AS INTEGER))
          AND NOT EXISTS (SELECT 1 FROM person_records p WHERE p.file_name = t.file
                          AND p.row_number = CAST(t.row_number AS INTEGER)
                          AND p.slot = coalesce(t.slot, ''))
        """
    ).fetchone()
    extra = con.execute(
        """
        SELECT count(*) FROM person_records p
        WHERE NOT EXISTS (SELECT 1 FROM truth t WHERE p.file_name = t.file
                          AND p.row_number = CAST(t.row_number AS INTEGER)
                          AND p.slot = coalesce(t.slot, ''))
        """
    ).fetchone()
    con.close()
    assert missing == (0,)
    assert extra == (0,)


def test_quarantine_is_small_and_explained(small_warehouse: Path):
    con = duckdb.connect(str(small_warehouse), read_only=True)
    read, quarantined = con.execute(
        "SELECT sum(rows_read), sum(rows_quarantined) FROM ingest_batches"
    ).fetchone()
    unexplained = con.execute(
        "SELECT count(*) FROM quarantine WHERE reason IS NULL OR message IS NULL OR raw IS NULL"
    ).fetchone()
    reasons = {r[0] for r in con.execute("SELECT DISTINCT reason FROM quarantine").fetchall()}
    con.close()
    assert quarantined / read < 0.03
    assert unexplained == (0,)
    assert reasons <= {"blank_row", "duplicate_row", "impossible_date", "bad_date", "missing_value"}


def test_reingesting_the_city_is_a_no_op(small_city: Path, small_warehouse: Path, tmp_path: Path):
    import shutil

    from kinlink.ingest import ingest_paths

    copy = tmp_path / "w.duckdb"
    shutil.copy(small_warehouse, copy)
    report = ingest_paths([small_city / "feeds"], warehouse=copy, definitions=definitions_load())
    assert {f.status for f in report.files} == {"unchanged"}
