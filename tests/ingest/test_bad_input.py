"""Bad input gets one clear error naming the file (row, field) and changes nothing."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from kinlink.core.errors import InputError
from kinlink.ingest import ingest_paths
from kinlink.warehouse import table_counts, warehouse_connect

from .conftest import HEADER, attendance_csv, good_row

NAME = "attendance_2025_26_AUT.csv"


@pytest.fixture
def loaded(extracts, warehouse, definitions) -> dict[str, int]:
    """A warehouse that already holds one good extract, and its table counts."""
    (extracts / "attendance_2024_25_AUT.csv").write_text(attendance_csv([good_row(1), good_row(2)]))
    ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    return _counts(warehouse)


def _counts(warehouse: Path) -> dict[str, int]:
    con = warehouse_connect(warehouse, read_only=True)
    try:
        return table_counts(con)
    finally:
        con.close()


def _ingest_fails(extracts, warehouse, definitions, loaded) -> InputError:
    with pytest.raises(InputError) as caught:
        ingest_paths([extracts], warehouse=warehouse, definitions=definitions)
    assert _counts(warehouse) == loaded
    return caught.value


def test_missing_file_is_named(tmp_path, warehouse, definitions):
    with pytest.raises(InputError, match="attendance_missing.csv: no such file"):
        ingest_paths(
            [tmp_path / "attendance_missing.csv"], warehouse=warehouse, definitions=definitions
        )


def test_unknown_column_names_the_column(extracts, warehouse, definitions, loaded):
    (extracts / NAME).write_text(attendance_csv([good_row(3) + ",x"], header=HEADER + ",shoe_size"))
    error = _ingest_fails(extracts, warehouse, definitions, loaded)
    assert error.file == NAME
    assert "unknown column 'shoe_size'" in str(error)


def test_missing_required_column_is_named(extracts, warehouse, definitions, loaded):
    header = HEADER.replace(",term", "")
    row = good_row(3).replace(",AUT", "")
    (extracts / NAME).write_text(attendance_csv([row], header=header))
    error = _ingest_fails(extracts, warehouse, definitions, loaded)
    assert "missing required column 'term'" in str(error)


def test_wrong_encoding_names_file_and_row(extracts, warehouse, definitions, loaded, monkeypatch):
    strict = definitions["attendance"].model_copy(
        update={
            "files": definitions["attendance"].files.model_copy(update={"encodings": ("utf-8",)})
        }
    )
    definitions = {**definitions, "attendance": strict}
    text = attendance_csv([good_row(3), good_row(4).replace("AUT", "Autumn\u00e9")])
    (extracts / NAME).write_bytes(text.encode("cp1252"))
    error = _ingest_fails(extracts, warehouse, definitions, loaded)
    assert error.file == NAME
    assert error.row == 2
    assert "cannot be decoded as utf-8" in str(error)


def test_utf16_file_is_refused_with_advice(extracts, warehouse, definitions, loaded):
    (extracts / NAME).write_bytes(
        codecs.BOM_UTF16_LE + attendance_csv([good_row(3)]).encode("utf-16-le")
    )
    error = _ingest_fails(extracts, warehouse, definitions, loaded)
    assert "UTF-16" in str(error)


def test_truncated_file_names_the_last_row(extracts, warehouse, definitions, loaded):
    text = attendance_csv([good_row(3), good_row(4)]) + good_row(5)[:25]
    (extracts / NAME).write_text(text, newline="")
    error = _ingest_fails(extracts, warehouse, definitions, loaded)
    assert error.row == 3
    assert "truncated" in str(error)


def test_truncated_inside_a_quoted_value(extracts, warehouse, definitions, loaded):
    text = attendance_csv([good_row(3)]) + '"' + good_row(4)[:10]
    (extracts / NAME).write_text(text, newline="")
    error = _ingest_fails(extracts, warehouse, definitions, loaded)
    assert "truncated" in str(error)


def test_binary_file_is_refused(extracts, warehouse, definitions, loaded):
    (extracts / NAME).write_bytes(bytes(range(256)) * 10)
    error = _ingest_fails(extracts, warehouse, definitions, loaded)
    assert "binary file" in str(error)


def test_spreadsheet_named_csv_is_refused(extracts, warehouse, definitions, loaded):
    (extracts / NAME).write_bytes(b"PK\x03\x04" + b"\x14\x00" * 100)
    error = _ingest_fails(extracts, warehouse, definitions, loaded)
    assert "spreadsheet or zip archive" in str(error)


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_empty_file_is_refused(extracts, warehouse, definitions, loaded, content):
    (extracts / NAME).write_bytes(content)
    error = _ingest_fails(extracts, warehouse, definitions, loaded)
    assert error.file == NAME
    assert "empty" in str(error)


def test_file_with_no_definition_is_refused(extracts, warehouse, definitions, loaded):
    (extracts / "mystery_feed.csv").write_text("a,b\n1,2\n")
    error = _ingest_fails(extracts, warehouse, definitions, loaded)
    assert "no source definition matches" in str(error)


def test_good_files_in_the_same_run_are_not_loaded_either(extracts, warehouse, definitions, loaded):
    (extracts / "attendance_2025_26_SPR.csv").write_text(attendance_csv([good_row(8)]))
    (extracts / "attendance_2025_26_SUM.csv").write_bytes(b"")
    _ingest_fails(extracts, warehouse, definitions, loaded)
