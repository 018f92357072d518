"""Opening the DuckDB warehouse and creating its tables.

The warehouse is a single DuckDB file: embedded, fast on a laptop-sized machine, readable
by BI tools, and transactional, so that a failed load leaves it exactly as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from kinlink.core.errors import KinlinkError
from kinlink.warehouse.schema import SCHEMA_VERSION, all_tables

META_TABLE = "warehouse_meta"


def _config() -> dict[str, str | bool | int | float | list[str]]:
    """DuckDB settings: a memory cap (it spills to disk beyond it) from the environment."""
    return {"memory_limit": os.environ.get("KINLINK_DUCKDB_MEMORY", "2GB")}


def warehouse_connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and when writable, create or upgrade) the warehouse at ``path``."""
    if read_only:
        if not path.exists():
            raise KinlinkError(f"{path}: no warehouse here yet; run 'kinlink ingest' first")
        return duckdb.connect(str(path), read_only=True, config=_config())
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), config=_config())
    schema_create(con)
    return con


def schema_create(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table that does not exist yet; record the schema version."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for name, columns in all_tables().items():
        cols = ", ".join(f'"{c.name}" {c.sql_type}' for c in columns)
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({cols})")
    con.execute(
        f"INSERT OR REPLACE INTO {META_TABLE} VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
    )


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit when the block finishes, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether ``name`` is a table in this warehouse (later stages' tables may not be yet)."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(found and found[0])


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every warehouse table (for status output and tests)."""
    counts: dict[str, int] = {}
    for name in all_tables():
        row = con.execute(f"SELECT count(*) FROM {name}").fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts
