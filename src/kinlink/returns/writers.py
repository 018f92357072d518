"""Writing a validated return: CSV, XLSX and a manifest that says what was sent.

Files are written under temporary names and renamed at the end, so an interrupted write
never leaves a file that looks complete. The manifest records the spec and its version,
the run and its as-of date, the row count and each file's SHA-256, so the receiver (and
an auditor) can check that what arrived is what Kinlink produced.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

from openpyxl import Workbook

from kinlink.core.clock import utc_now
from kinlink.returns.build import BuiltReturn
from kinlink.returns.models import FieldType

OutputFormat = Literal["csv", "xlsx", "both"]
CellValue = str | int | Decimal | bool | date | None


@dataclass
class WrittenReturn:
    """The files one build wrote, and its manifest."""

    manifest_path: Path
    files: list[Path] = field(default_factory=list)
    manifest: dict[str, object] = field(default_factory=dict)


def cell_value(text: str | None, field_type: FieldType) -> CellValue:
    """The typed value of a field's text, for a spreadsheet cell."""
    if text is None or text == "":
        return None
    match field_type:
        case "integer":
            return int(text)
        case "decimal":
            return Decimal(text)
        case "date":
            return date.fromisoformat(text)
        case "boolean":
            return text == "true"
        case _:
            return text


def cell_text(value: object) -> str:
    """A spreadsheet cell read back, as the text the CSV carries (for comparing the two)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _csv_write(built: BuiltReturn, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(built.columns)
        for row in built.rows:
            writer.writerow(["" if v is None else v for v in row])


def _xlsx_write(built: BuiltReturn, path: Path) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=built.spec.name[:31])
    sheet.append(built.columns)
    types = [f.type for f in built.spec.fields]
    for row in built.rows:
        sheet.append([cell_value(v, t) for v, t in zip(row, types, strict=True)])
    book.save(path)


def base_name(built: BuiltReturn) -> str:
    """File name stem: spec, version and as-of date, e.g. ``claims_v1_2026-08-31``."""
    version = built.spec.version.replace(".", "-")
    return f"{built.spec.name}_v{version}_{built.run.as_of.isoformat()}"


def return_write(built: BuiltReturn, out_dir: Path, fmt: OutputFormat = "both") -> WrittenReturn:
    """Write the return's files and manifest into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = base_name(built)
    writers = {"csv": _csv_write, "xlsx": _xlsx_write}
    chosen = ["csv", "xlsx"] if fmt == "both" else [fmt]
    pending: list[tuple[Path, Path]] = []
    try:
        for kind in chosen:
            final = out_dir / f"{stem}.{kind}"
            partial = out_dir / f".{stem}.{kind}.partial"
            writers[kind](built, partial)
            pending.append((partial, final))
    except BaseException:
        for partial, _ in pending:
            partial.unlink(missing_ok=True)
        raise
    files = []
    for partial, final in pending:
        partial.replace(final)
        files.append(final)
    spec = built.spec
    manifest: dict[str, object] = {
        "return": spec.name,
        "version": spec.version,
        # The spec as used: an edit made without raising the version still shows here.
        "spec_sha256": hashlib.sha256(spec.model_dump_json().encode()).hexdigest(),
        "title": spec.title,
        "audience": spec.audience,
        "run_id": built.run.run_id,
        "as_of": built.run.as_of.isoformat(),
        "rows": len(built.rows),
        "fields": built.columns,
        "degraded": {
            f.name: f.degrade
            for f in spec.fields
            if spec.leaves_council and f.degrade not in (None, "none")
        },
        "files": {
            path.name: {"sha256": _sha256(path), "bytes": path.stat().st_size} for path in files
        },
        "generated_at": utc_now().isoformat(timespec="seconds"),
    }
    manifest_path = out_dir / f"{stem}.manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return WrittenReturn(manifest_path=manifest_path, files=files, manifest=manifest)
