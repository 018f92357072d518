"""The same extract as CSV, XLSX and Parquet loads to the same facts."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from kinlink.core.errors import InputError
from kinlink.ingest import ingest_paths

from .conftest import HEADER, upn

ROWS = [
    [upn(1), "100001", "2024/25", "AUT", 120, 2, 4, dt.date(2024, 12, 20)],
    [upn(2), "100001", "2024/25", "Autumn", 118, 0, 30, dt.date(2024, 12, 20)],
]


def _facts(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        "SELECT p.upn, a.term, a.sessions_unauthorised, a.as_of_date FROM attendance_term a "
        "JOIN person_records p USING (record_id) ORDER BY 1"
    ).fetchall()
    con.close()
    return rows


EXPECTED = sorted(
    [(upn(1), "AUT", 4, dt.date(2024, 12, 20)), (upn(2), "AUT", 30, dt.date(2024, 12, 20))]
)


def test_xlsx_extract_loads_typed_cells(extracts, warehouse, definitions):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for row in ROWS:
        sheet.append(row)
    sheet.append([None] * 8)  # trailing formatting row, not data
    book.save(extracts / "attendance_2024_25_AUT.xlsx")
    report = ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    assert report.files[0].rows_read == 2
    assert _facts(warehouse) == EXPECTED


def test_parquet_extract_loads_typed_columns(extracts, warehouse, definitions):
    names = HEADER.split(",")
    table = pa.table({name: [row[i] for row in ROWS] for i, name in enumerate(names)})
    pq.write_table(table, extracts / "attendance_2024_25_AUT.parquet")
    report = ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    assert report.files[0].rows_loaded == 2
    assert _facts(warehouse) == EXPECTED


@pytest.mark.parametrize("suffix", ["xlsx", "parquet"])
def test_corrupt_workbook_or_parquet_is_refused(extracts, warehouse, definitions, suffix):
    (extracts / f"attendance_2024_25_AUT.{suffix}").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError, match=f"attendance_2024_25_AUT.{suffix}: is not a readable"):
        ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
