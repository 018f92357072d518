"""Reading partner files (CSV, XLSX, Parquet) into strings, refusing what is not a table.

Everything is read as text: typing happens later, per column, so that a bad value
quarantines one row with its field named instead of failing a whole file. Problems that
make the whole file unreadable (empty, binary, wrong encoding, truncated) raise an
``InputError`` naming the file and, where it applies, the row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

from kinlink.core.errors import InputError
from kinlink.ingest.models import RawTable
from kinlink.sources.models import FeedDefinition

_ZIP_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def file_hash(data: bytes) -> str:
    """SHA-256 of a file's bytes: the identity of an extract for idempotent loading."""
    return hashlib.sha256(data).hexdigest()


def file_format(path: Path, definition: FeedDefinition) -> str:
    """The declared format, or the one the extension implies."""
    if definition.files.format != "auto":
        return definition.files.format
    suffix = path.suffix.lower()
    return {".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet"}.get(
        suffix, "csv"
    )


def table_read(path: Path, definition: FeedDefinition) -> RawTable:
    """Read one file with its definition's format and encodings."""
    name = path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(name, "file not found") from exc
    except IsADirectoryError as exc:
        raise InputError(name, "is a directory, not a file") from exc
    if not data.strip():
        raise InputError(name, "file is empty: no header row and no data")
    fmt = file_format(path, definition)
    digest = file_hash(data)
    if fmt == "xlsx":
        return _read_xlsx(path, data, digest, definition)
    if fmt == "parquet":
        return _read_parquet(path, data, digest)
    return _read_csv(path, data, digest, definition)


def _row_of_offset(data: bytes, offset: int) -> int:
    """1-based data row containing byte ``offset`` (line 1 is the header)."""
    return data.count(b"\n", 0, offset)


def _looks_binary(data: bytes) -> str | None:
    head = data[:65536]
    if head.startswith(_ZIP_MAGIC):
        return "is a spreadsheet or zip archive, not a CSV file (name it .xlsx if it is a workbook)"
    if head.startswith(_PARQUET_MAGIC):
        return "is a Parquet file, not a CSV file (name it .parquet)"
    if b"\x00" in head:
        return "is a binary file, not a text table (it contains NUL bytes)"
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if controls > len(head) // 20:
        return "is a binary file, not a text table (too many control bytes)"
    return None


def _decode(name: str, data: bytes, encodings: tuple[str, ...]) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-16" and not any("16" in e for e in encodings):
                raise InputError(
                    name,
                    "file is UTF-16 encoded (byte-order mark) but the definition reads "
                    f"{', '.join(encodings)}: re-save it as UTF-8 or add utf-16 to 'encodings'",
                )
            return data.decode(encoding), encoding.replace("-sig", " (BOM)")
    binary = _looks_binary(data)
    if binary:
        raise InputError(name, binary)
    first_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    assert first_error is not None
    bad = data[first_error.start : first_error.start + 1].hex().upper()
    raise InputError(
        name,
        f"cannot be decoded as {' or '.join(encodings)}: byte 0x{bad} is not valid; "
        f"the file is in another encoding than the definition declares{_encoding_hint(data)}",
        row=_row_of_offset(data, first_error.start),
    )


def _encoding_hint(data: bytes) -> str:
    """A guess at the real encoding, to put in the error message (never used to decode)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        return ""
    return f" (detection suggests {best.encoding}; add the right one to 'encodings')"


def _read_csv(path: Path, data: bytes, digest: str, definition: FeedDefinition) -> RawTable:
    name = path.name
    text, encoding = _decode(name, data, definition.files.encodings)
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=definition.files.delimiter)
    records: list[list[str]] = []
    try:
        header = next(reader)
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        row = max(len(records) + 1, 1)
        if "end of" in str(exc).lower() or "eof" in str(exc).lower():
            raise InputError(
                name, f"file appears truncated: a quoted value is never closed ({exc})", row=row
            ) from exc
        raise InputError(name, f"is not a readable CSV file: {exc}", row=row) from exc
    except StopIteration as exc:  # pragma: no cover - guarded by the empty check
        raise InputError(name, "file is empty: no header row") from exc
    header = [h.strip() for h in header]
    if records and not text.endswith(("\n", "\r")):
        last = records[-1]
        if 0 < len(last) < len(header):
            raise InputError(
                name,
                f"file appears truncated: the last row has {len(last)} of {len(header)} "
                "fields and no line end",
                row=len(records),
            )
    return RawTable(path, digest, len(data), encoding, header, records)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, data: bytes, digest: str, definition: FeedDefinition) -> RawTable:
    from openpyxl import load_workbook

    name = path.name
    if not data.startswith(_ZIP_MAGIC):
        raise InputError(name, "is not an XLSX workbook (it is not a zip container)")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise InputError(name, f"is not a readable XLSX workbook: {type(exc).__name__}") from exc
    sheet_name = definition.files.sheet or workbook.sheetnames[0]
    if sheet_name not in workbook.sheetnames:
        raise InputError(name, f"has no worksheet '{sheet_name}' ({workbook.sheetnames})")
    rows = [
        [_cell_text(v) for v in row] for row in workbook[sheet_name].iter_rows(values_only=True)
    ]
    workbook.close()
    # Trailing empty rows are sheet formatting, not data rows.
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError(name, f"worksheet '{sheet_name}' is empty: no header row")
    header = [h.strip() for h in rows[0]]
    while header and header[-1] == "":
        header.pop()
    records = [
        r[: len(header)] if not any(c.strip() for c in r[len(header) :]) else r for r in rows[1:]
    ]
    return RawTable(path, digest, len(data), "xlsx", header, records, typed_source=True)


def _read_parquet(path: Path, data: bytes, digest: str) -> RawTable:
    import pyarrow.parquet as pq

    name = path.name
    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError variants
        raise InputError(name, f"is not a readable Parquet file: {type(exc).__name__}") from exc
    header = [str(c).strip() for c in table.column_names]
    columns = [[_cell_text(v) for v in col.to_pylist()] for col in table.columns]
    records = [list(row) for row in zip(*columns, strict=True)] if columns else []
    return RawTable(path, digest, len(data), "parquet", header, records, typed_source=True)
