"""Loading partner extracts into the warehouse: all-or-nothing, idempotent, nothing lost.

One run is one transaction. A file whose bytes were loaded before is skipped; a file that
is a new version of an extract already loaded (same feed and extract key, other bytes)
replaces what that extract provided; any error undoes the whole run, so the warehouse is
either as it was or fully updated.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from kinlink.core.clock import utc_now
from kinlink.core.errors import InputError
from kinlink.core.logging import get_logger
from kinlink.governance import Registry, ingest_refusal, registry_load
from kinlink.identity import ParsedDate
from kinlink.ingest.models import CheckReport, FileReport, IngestReport, RawTable
from kinlink.ingest.readers import table_read
from kinlink.ingest.rows import HeaderMap, RejectedRow, RowTyper, TypedRow, header_map
from kinlink.ingest.writer import TableBuffer
from kinlink.sources import FeedDefinition, definition_for_file
from kinlink.warehouse.schema import (
    FACT_TABLES,
    FEED_TABLE,
    INGEST_BATCH_COLUMNS,
    INGEST_BATCH_TABLE,
    PERSON_RECORD_COLUMNS,
    PERSON_RECORD_TABLE,
    QUARANTINE_COLUMNS,
    QUARANTINE_TABLE,
    fact_table_columns,
)
from kinlink.warehouse.store import transaction, warehouse_connect

log = get_logger(__name__)

#: Called as ``progress(file_name, rows_done, rows_total)``.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class PlannedFile:
    """A file found on disk and the definition that will read it."""

    path: Path
    definition: FeedDefinition


def files_discover(
    paths: Iterable[Path], definitions: dict[str, FeedDefinition]
) -> list[PlannedFile]:
    """Every file under ``paths`` with its definition; an unknown or missing file is an error."""
    planned: list[PlannedFile] = []
    for path in paths:
        if not path.exists():
            raise InputError(str(path), "no such file or directory")
        candidates = (
            sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            if path.is_dir()
            else [path]
        )
        for candidate in candidates:
            definition = definition_for_file(candidate.name, definitions)
            if definition is None:
                raise InputError(
                    candidate.name,
                    "no source definition matches this file name "
                    f"(feeds: {', '.join(sorted(definitions))}); write a definition or rename it",
                )
            planned.append(PlannedFile(candidate, definition))
    return planned


def extract_key(definition: FeedDefinition, path: Path) -> str:
    """Which extract a file is: a later file with the same key replaces it."""
    return path.stem if definition.files.extract_key == "file_stem" else path.name


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, ParsedDate) else value


def _check_header(table: RawTable, definition: FeedDefinition) -> HeaderMap:
    headers = header_map(definition, table.header)
    if headers.problems:
        raise InputError(
            table.path.name,
            "the header does not fit the '"
            + definition.feed
            + "' definition: "
            + "; ".join(headers.problems),
            row=0,
        )
    return headers


def file_check(definition: FeedDefinition, path: Path) -> CheckReport:
    """Read ``path`` with ``definition`` and report everything that does not fit; write nothing."""
    report = CheckReport(definition.feed, path.name)
    table = table_read(path, definition)
    report.encoding = table.encoding
    headers = header_map(definition, table.header)
    report.header_problems = headers.problems
    report.warnings = headers.warnings
    if headers.problems:
        report.rows_read = len(table.records)
        return report
    for row in RowTyper(definition, table, headers).rows():
        report.rows_read += 1
        if isinstance(row, TypedRow):
            report.rows_ok += 1
            continue
        for problem in row.problems:
            key = (problem.field or "(row)", problem.reason)
            report.problems_by_field.setdefault(key, []).append(row.row_number)
            report.samples.setdefault(key, problem.message)
    return report


class _BatchLoader:
    """Writes one file's rows into person records, its fact table and quarantine."""

    def __init__(self, con: duckdb.DuckDBPyConnection, definition: FeedDefinition) -> None:
        self.con = con
        self.definition = definition
        self.people = TableBuffer(con, PERSON_RECORD_TABLE, PERSON_RECORD_COLUMNS)
        self.facts = TableBuffer(con, definition.target, fact_table_columns(definition.target))
        self.quarantine = TableBuffer(con, QUARANTINE_TABLE, QUARANTINE_COLUMNS)

    def load(
        self,
        table: RawTable,
        headers: HeaderMap,
        report: FileReport,
        batch_id: str,
        progress: Progress | None,
    ) -> None:
        definition = self.definition
        lineage = {
            "batch_id": batch_id,
            "feed": definition.feed,
            "file_name": table.path.name,
            "file_hash": table.file_hash,
        }
        record_prefix = batch_id + ":"
        fact_fields = [(f, c) for f, c in definition.facts.items()]
        total = len(table.records)
        reasons: Counter[str] = Counter()
        for row in RowTyper(definition, table, headers).rows():
            report.rows_read += 1
            if isinstance(row, RejectedRow):
                self._quarantine(row, table, lineage)
                reasons[row.problems[0].reason] += 1
                report.rows_quarantined += 1
            else:
                observed = (
                    _plain(row.values.get(definition.observed_date))
                    if definition.observed_date
                    else None
                )
                facts = {f: _plain(row.values.get(c)) for f, c in fact_fields}
                for slot, identity in row.persons:
                    record_id = record_prefix + str(row.row_number)
                    if slot.slot:
                        record_id += ":" + slot.slot
                    common = {
                        **lineage,
                        "record_id": record_id,
                        "row_number": row.row_number,
                        "row_hash": row.row_hash,
                        "slot": slot.slot,
                        "role": slot.role,
                    }
                    self.people.append({**common, **identity, "observed_date": observed})
                    self.facts.append({**common, **facts})
                    report.person_records += 1
                report.rows_loaded += 1
            if progress is not None and report.rows_read % 20_000 == 0:
                progress(table.path.name, report.rows_read, total)
        for buffer in (self.people, self.facts, self.quarantine):
            buffer.flush()
        report.problems_by_reason = dict(reasons)
        if progress is not None:
            progress(table.path.name, report.rows_read, total)

    def _quarantine(self, row: RejectedRow, table: RawTable, lineage: dict[str, Any]) -> None:
        first = row.problems[0]
        header = table.header
        raw = {
            (header[i] if i < len(header) else f"extra_{i + 1}"): value
            for i, value in enumerate(row.cells)
        }
        self.quarantine.append(
            {
                **lineage,
                "row_number": row.row_number,
                "row_hash": row.row_hash,
                "field": first.field,
                "reason": first.reason,
                "message": first.message,
                "problems": json.dumps(
                    [
                        {"field": p.field, "reason": p.reason, "message": p.message}
                        for p in row.problems
                    ]
                ),
                "raw": json.dumps(raw, ensure_ascii=False),
            }
        )


def _active_batch(
    con: duckdb.DuckDBPyConnection, feed: str, **where: str
) -> tuple[str, str, int] | None:
    """The current (not superseded) batch of ``feed`` matching ``where``: id, file, rows read."""
    clauses = " AND ".join(f"{column} = ?" for column in where)
    found = con.execute(
        f"SELECT batch_id, file_name, rows_read FROM {INGEST_BATCH_TABLE} "
        f"WHERE feed = ? AND {clauses} AND superseded_by IS NULL ORDER BY loaded_at LIMIT 1",
        [feed, *where.values()],
    ).fetchone()
    return (str(found[0]), str(found[1]), int(found[2])) if found else None


def batch_id_make(feed: str, key: str, file_hash: str) -> str:
    """``feed:key8:hash16``: the same bytes under another extract key are another batch."""
    key8 = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    return f"{feed}:{key8}:{file_hash[:16]}"


def batch_delete(con: duckdb.DuckDBPyConnection, batch_id: str, target: str) -> None:
    """Remove every row a batch provided (facts, person records, quarantine)."""
    for table in (target, PERSON_RECORD_TABLE, QUARANTINE_TABLE):
        con.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch_id])


def _feed_register(con: duckdb.DuckDBPyConnection, definition: FeedDefinition) -> None:
    gov = definition.governance
    con.execute(f"DELETE FROM {FEED_TABLE} WHERE feed = ?", [definition.feed])
    con.execute(
        f"INSERT INTO {FEED_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            definition.feed,
            definition.title,
            definition.version,
            definition.target,
            definition.sensitivity,
            gov.legal_basis,
            gov.agreement,
            gov.retention_months,
            definition.model_dump_json(),
        ],
    )


def _file_ingest(
    con: duckdb.DuckDBPyConnection,
    planned: PlannedFile,
    progress: Progress | None,
    expected_hash: str,
) -> FileReport:
    definition = planned.definition
    table = table_read(planned.path, definition)
    if table.file_hash != expected_hash:
        raise InputError(planned.path.name, "the file changed while it was being ingested")
    report = FileReport(definition.feed, planned.path.name, table.file_hash, "loaded")
    key = extract_key(definition, planned.path)
    if _active_batch(con, definition.feed, extract_key=key, file_hash=table.file_hash):
        report.status = "unchanged"
        return report
    twin = _active_batch(con, definition.feed, file_hash=table.file_hash)
    if twin is not None and twin[2] > 0:
        # The same rows under another name: loading them twice would double-count facts.
        report.status = "unchanged"
        report.warnings.append(f"identical to {twin[1]}, already loaded; not loaded twice")
        return report
    headers = _check_header(table, definition)
    report.warnings = headers.warnings
    batch_id = batch_id_make(definition.feed, key, table.file_hash)
    found = _active_batch(con, definition.feed, extract_key=key)
    previous = found[0] if found else None
    if previous is not None:
        batch_delete(con, previous, definition.target)
        con.execute(
            f"UPDATE {INGEST_BATCH_TABLE} SET superseded_by = ?, superseded_at = ? "
            "WHERE batch_id = ?",
            [batch_id, utc_now(), previous],
        )
        report.status = "replaced"
        report.replaced_batch = previous
    # A superseded batch with these very bytes may exist (an old extract reloaded).
    con.execute(f"DELETE FROM {INGEST_BATCH_TABLE} WHERE batch_id = ?", [batch_id])
    _BatchLoader(con, definition).load(table, headers, report, batch_id, progress)
    if not report.balanced:  # pragma: no cover - an invariant, guarded by tests
        raise RuntimeError(f"{planned.path.name}: rows read do not equal loaded + quarantined")
    batch = TableBuffer(con, INGEST_BATCH_TABLE, INGEST_BATCH_COLUMNS)
    batch.append(
        {
            "batch_id": batch_id,
            "feed": definition.feed,
            "definition_version": definition.version,
            "file_name": planned.path.name,
            "extract_key": key,
            "file_hash": table.file_hash,
            "file_bytes": table.file_bytes,
            "encoding": table.encoding,
            "rows_read": report.rows_read,
            "rows_loaded": report.rows_loaded,
            "rows_quarantined": report.rows_quarantined,
            "person_records": report.person_records,
            "loaded_at": utc_now(),
        }
    )
    batch.flush()
    return report


def files_preflight(planned: list[PlannedFile]) -> dict[Path, str]:
    """Read every file and check its header before anything is written.

    Whole-file problems (empty, binary, wrong encoding, truncated, unknown or missing
    columns) are found here, so a run with one bad file changes nothing. Returns each
    file's hash, so that a file that changes between the check and the load is caught.
    """
    hashes: dict[Path, str] = {}
    for item in planned:
        table = table_read(item.path, item.definition)
        _check_header(table, item.definition)
        hashes[item.path] = table.file_hash
    return hashes


def ingest_paths(
    paths: Iterable[Path],
    *,
    warehouse: Path,
    definitions: dict[str, FeedDefinition],
    progress: Progress | None = None,
    on_file_start: Callable[[PlannedFile, int, int], None] | None = None,
    registry: Registry | None = None,
    strict_agreements: bool = False,
    on: date | None = None,
) -> IngestReport:
    """Load every file under ``paths`` into ``warehouse``.

    Every file is checked first (a bad file stops the run before anything is written):
    its feed's data sharing agreement must be in force today (``registry``: the shipped
    one by default; ``strict_agreements`` also refuses an agreement the registry does not
    know), and the file must be readable. Then each file is loaded in its own transaction,
    so memory stays bounded however large the run, and a crash mid-file leaves that
    extract exactly as it was.
    """
    planned = files_discover(paths, definitions)
    agreements = registry if registry is not None else registry_load()
    today = on or utc_now().date()
    for item in planned:
        refusal = ingest_refusal(agreements, item.definition, today, strict=strict_agreements)
        if refusal is not None:
            raise InputError(item.path.name, refusal)
    hashes = files_preflight(planned)
    report = IngestReport()
    registered: set[str] = set()
    con = warehouse_connect(warehouse)
    try:
        for number, item in enumerate(planned, start=1):
            if on_file_start is not None:
                on_file_start(item, number, len(planned))
            with transaction(con):
                if item.definition.feed not in registered:
                    _feed_register(con, item.definition)
                    registered.add(item.definition.feed)
                file_report = _file_ingest(con, item, progress, hashes[item.path])
            report.files.append(file_report)
            # Counts and file names only: never a value from a row.
            log.info(
                "ingest %s %s: %s, read %d, loaded %d, quarantined %d",
                file_report.feed,
                file_report.file_name,
                file_report.status,
                file_report.rows_read,
                file_report.rows_loaded,
                file_report.rows_quarantined,
            )
    finally:
        con.close()
    return report


def fact_tables() -> list[str]:
    """Names of the fact tables (for status output)."""
    return list(FACT_TABLES)
