"""Reads over what ingest wrote: batches and the quarantine, for the CLI and later the portal."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from kinlink.warehouse.schema import INGEST_BATCH_TABLE, QUARANTINE_TABLE


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int]]:
    """(feed, reason, field, rows) for everything in quarantine, most frequent first."""
    rows = con.execute(
        f"SELECT feed, reason, coalesce(field, ''), count(*) FROM {QUARANTINE_TABLE} "
        "GROUP BY ALL ORDER BY 4 DESC, 1, 2, 3"
    ).fetchall()
    return [(str(a), str(b), str(c), int(d)) for a, b, c, d in rows]


def quarantine_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    feed: str | None = None,
    file_name: str | None = None,
    reason: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Quarantined rows with their reasons, filtered, in file and row order."""
    clauses, params = [], []
    for column, value in (("feed", feed), ("file_name", file_name), ("reason", reason)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    result = con.execute(
        f"SELECT feed, file_name, row_number, field, reason, message, problems, raw "
        f"FROM {QUARANTINE_TABLE} {where} ORDER BY feed, file_name, row_number LIMIT ?",
        [*params, limit],
    ).fetchall()
    keys = ("feed", "file_name", "row_number", "field", "reason", "message", "problems", "raw")
    out = []
    for values in result:
        row = dict(zip(keys, values, strict=True))
        row["problems"] = json.loads(row["problems"])
        row["raw"] = json.loads(row["raw"])
        out.append(row)
    return out


def batches_list(
    con: duckdb.DuckDBPyConnection, *, include_superseded: bool = False
) -> list[dict[str, Any]]:
    """Loaded extracts with their counts (read = loaded + quarantined)."""
    where = "" if include_superseded else "WHERE superseded_by IS NULL"
    result = con.execute(
        f"SELECT feed, file_name, rows_read, rows_loaded, rows_quarantined, person_records, "
        f"loaded_at, superseded_by FROM {INGEST_BATCH_TABLE} {where} ORDER BY feed, file_name"
    )
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
