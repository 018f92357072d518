"""Loading, idempotency, replacement of re-extracts, atomicity and lineage."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from kinlink.ingest import ingest_paths
from kinlink.ingest import services as ingest_services
from kinlink.sources import FeedDefinition
from kinlink.warehouse import table_counts, warehouse_connect

from .conftest import attendance_csv, good_row, upn


def _counts(warehouse: Path) -> dict[str, int]:
    con = warehouse_connect(warehouse, read_only=True)
    try:
        return table_counts(con)
    finally:
        con.close()


def _wrong_check(value: str) -> str:
    return ("A" if value[0] != "A" else "B") + value[1:]


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(text, encoding=encoding, newline="")
    return path


def test_loads_every_row_with_lineage(extracts, warehouse, definitions):
    _write(
        extracts, "attendance_2024_25_AUT.csv", attendance_csv([good_row(i) for i in range(1, 6)])
    )
    report = ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    [file_report] = report.files
    assert (file_report.rows_read, file_report.rows_loaded, file_report.rows_quarantined) == (
        5,
        5,
        0,
    )
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        "SELECT a.row_number, a.file_name, a.sessions_possible, p.upn, p.upn_valid, a.file_hash "
        "FROM attendance_term a JOIN person_records p USING (record_id) ORDER BY a.row_number"
    ).fetchall()
    con.close()
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert {r[1] for r in rows} == {"attendance_2024_25_AUT.csv"}
    assert rows[0][3] == upn(1)
    assert rows[0][4] is True
    assert len(rows[0][5]) == 64


def test_reingesting_the_same_file_changes_nothing(extracts, warehouse, definitions):
    _write(
        extracts, "attendance_2024_25_AUT.csv", attendance_csv([good_row(i) for i in range(1, 4)])
    )
    ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    before = _counts(warehouse)
    again = ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    assert [f.status for f in again.files] == ["unchanged"]
    assert _counts(warehouse) == before


def test_corrected_reextract_replaces_what_the_extract_provided(extracts, warehouse, definitions):
    path = _write(
        extracts,
        "attendance_2024_25_AUT.csv",
        attendance_csv([good_row(1), good_row(2), "bad,row"]),
    )
    _write(extracts, "attendance_2024_25_SPR.csv", attendance_csv([good_row(7)]))
    ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    assert _counts(warehouse)["quarantine"] == 1
    _write(extracts, path.name, attendance_csv([good_row(1, unauth=30), good_row(3)]))
    report = ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    statuses = {f.file_name: f.status for f in report.files}
    assert statuses == {
        "attendance_2024_25_AUT.csv": "replaced",
        "attendance_2024_25_SPR.csv": "unchanged",
    }
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        "SELECT p.upn, a.sessions_unauthorised FROM attendance_term a "
        "JOIN person_records p USING (record_id) WHERE a.file_name = ? ORDER BY 1",
        [path.name],
    ).fetchall()
    quarantined = con.execute("SELECT count(*) FROM quarantine").fetchone()
    batches = con.execute(
        "SELECT count(*), count(superseded_by) FROM ingest_batches WHERE extract_key = ?",
        [path.name],
    ).fetchone()
    total = con.execute("SELECT count(*) FROM attendance_term").fetchone()
    con.close()
    assert rows == sorted([(upn(1), 30), (upn(3), 4)])
    assert quarantined == (0,)
    assert batches == (2, 1)
    assert total == (3,)


def _extract_state(warehouse: Path, file_name: str) -> tuple:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return (
            con.execute(
                "SELECT row_number, sessions_unauthorised FROM attendance_term "
                "WHERE file_name = ? ORDER BY 1",
                [file_name],
            ).fetchall(),
            con.execute(
                "SELECT batch_id, superseded_by FROM ingest_batches WHERE file_name = ?",
                [file_name],
            ).fetchall(),
            con.execute(
                "SELECT count(*) FROM person_records WHERE file_name = ?", [file_name]
            ).fetchone(),
        )
    finally:
        con.close()


def test_crash_mid_load_leaves_the_extract_as_it_was(extracts, warehouse, definitions, monkeypatch):
    name = "attendance_2024_25_AUT.csv"
    _write(extracts, name, attendance_csv([good_row(i) for i in range(1, 4)]))
    ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    before = _extract_state(warehouse, name)
    _write(extracts, name, attendance_csv([good_row(i, unauth=50) for i in range(20, 30)]))
    real_flush = ingest_services.TableBuffer.flush
    calls = {"n": 0}

    def failing_flush(self):
        calls["n"] += 1
        real_flush(self)
        if calls["n"] == 2:  # person records written, facts written, then the disk fills
            raise OSError("disk full (simulated)")

    monkeypatch.setattr(ingest_services.TableBuffer, "flush", failing_flush)
    with pytest.raises(OSError, match="simulated"):
        ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    monkeypatch.undo()
    assert calls["n"] == 2
    assert _extract_state(warehouse, name) == before
    again = ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    assert [f.status for f in again.files] == ["replaced"]


def test_file_changed_between_check_and_load_is_refused(
    extracts, warehouse, definitions, monkeypatch
):
    from kinlink.core.errors import InputError

    path = _write(extracts, "attendance_2024_25_AUT.csv", attendance_csv([good_row(1)]))
    real_preflight = ingest_services.files_preflight

    def preflight_then_edit(planned):
        hashes = real_preflight(planned)
        path.write_text(attendance_csv([good_row(2)]))
        return hashes

    monkeypatch.setattr(ingest_services, "files_preflight", preflight_then_edit)
    with pytest.raises(InputError, match="changed while it was being ingested"):
        ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    assert _counts(warehouse)["attendance_term"] == 0


def test_multi_person_rows_make_one_record_per_present_slot(tmp_path, family_definition):
    folder = tmp_path / "in"
    folder.mkdir()
    _write(
        folder,
        "family_visits_2025.csv",
        "ref,visit_date,adult_name,adult_surname,adult_dob,child_name,child_surname,child_dob,postcode\n"
        "R1,01/02/2025,Siân,Jones,03/04/1990,Zoë,Jones,05/06/2015,l81ab\n"
        "R2,02/02/2025,Ann,Smith,01/01/1985,,,,L8 1AB\n",
    )
    warehouse = tmp_path / "w.duckdb"
    report = ingest_paths(
        [folder], warehouse=warehouse, definitions={"family_visits": family_definition}
    )
    assert report.files[0].person_records == 3
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        "SELECT row_number, slot, role, forename_key, postcode, dob_day_month_ambiguous "
        "FROM person_records ORDER BY row_number, slot"
    ).fetchall()
    facts = con.execute(
        "SELECT record_id, role, incident_ref FROM domestic_abuse_incident ORDER BY record_id"
    ).fetchall()
    con.close()
    assert rows == [
        (1, "adult", "victim", "sian", "L8 1AB", True),
        (1, "child_1", "child_present", "zoe", "L8 1AB", True),
        (2, "adult", "victim", "ann", "L8 1AB", False),
    ]
    assert [f[1] for f in facts] == ["victim", "child_present", "victim"]
    assert all(f[0].endswith((":adult", ":child_1")) for f in facts)


def test_read_equals_loaded_plus_quarantined_with_mixed_rows(
    extracts, warehouse, definitions: dict[str, FeedDefinition]
):
    rows = [
        good_row(1),
        "",  # blank row
        good_row(1),  # exact duplicate of row 1
        good_row(2).replace("2024-12-20", "2024-02-30"),  # impossible date
        good_row(3).replace("AUT", "WINTER"),  # unknown code
        good_row(4).replace(",120,", ",-5,"),  # out of range
        good_row(5) + ",extra",  # too many fields
        f"{_wrong_check(upn(6))},100001,2024/25,SPR,100,0,0,2025-04-01",  # failed check: kept
        ",100001,2024/25,SPR,100,0,0,2025-04-01",  # no upn: required
    ]
    _write(extracts, "attendance_2024_25_AUT.csv", attendance_csv(rows))
    report = ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    [f] = report.files
    assert f.rows_read == 9
    assert f.rows_loaded == 2
    assert f.rows_quarantined == 7
    assert f.balanced
    con = duckdb.connect(str(warehouse), read_only=True)
    quarantine = con.execute(
        "SELECT row_number, reason, field FROM quarantine ORDER BY row_number"
    ).fetchall()
    flagged = con.execute("SELECT upn_valid FROM person_records WHERE row_number = 8").fetchone()
    con.close()
    assert quarantine == [
        (2, "blank_row", None),
        (3, "duplicate_row", None),
        (4, "impossible_date", "as_of_date"),
        (5, "unknown_code", "term"),
        (6, "out_of_range", "sessions_possible"),
        (7, "field_count", None),
        (9, "missing_value", "upn"),
    ]
    assert flagged == (False,)


def test_same_bytes_under_another_name_are_not_loaded_twice(extracts, warehouse, definitions):
    text = attendance_csv([good_row(1), good_row(2)])
    _write(extracts, "attendance_2024_25_AUT.csv", text)
    _write(extracts, "attendance_2024_25_AUT_copy.csv", text)
    _write(extracts, "attendance_2025_26_AUT.csv", attendance_csv([]))
    _write(extracts, "attendance_2025_26_SPR.csv", attendance_csv([]))
    report = ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    by_name = {f.file_name: f for f in report.files}
    assert by_name["attendance_2024_25_AUT_copy.csv"].status == "unchanged"
    assert (
        "identical to attendance_2024_25_AUT.csv"
        in by_name["attendance_2024_25_AUT_copy.csv"].warnings[0]
    )
    # Header-only extracts of different periods are both recorded, though byte-identical.
    assert by_name["attendance_2025_26_SPR.csv"].status == "loaded"
    assert _counts(warehouse)["attendance_term"] == 2
    assert _counts(warehouse)["ingest_batches"] == 3


def test_ingest_logs_counts_but_no_personal_data(tmp_path, family_definition, caplog):
    folder = tmp_path / "in"
    folder.mkdir()
    _write(
        folder,
        "family_visits_2025.csv",
        "ref,visit_date,adult_name,adult_surname,adult_dob,child_name,child_surname,child_dob,postcode\n"
        "R1,01/02/2025,Siobhan,Quillfeather,03/04/1990,Zoë,Quillfeather,31/02/2015,L8 1AB\n"
        "R2,02/02/2025,Ann,Smith,01/01/1985,,,,L8 1AB\n",
    )
    with caplog.at_level("DEBUG", logger="kinlink"):
        ingest_paths(
            [folder],
            warehouse=tmp_path / "w.duckdb",
            definitions={"family_visits": family_definition},
        )
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "family_visits_2025.csv" in text
    assert "quarantined 1" in text
    for personal in ("Siobhan", "Quillfeather", "Smith", "1990", "L8 1AB", "31/02/2015"):
        assert personal not in text
