"""Buffered, typed inserts into the warehouse through Arrow (fast, and exact about types)."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from kinlink.warehouse.schema import Column

_ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
    "VARCHAR[]": pa.list_(pa.string()),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
}


class TableBuffer:
    """Collects rows for one table and inserts them in batches inside the caller's transaction."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        table: str,
        columns: tuple[Column, ...],
        *,
        batch_rows: int = 50_000,
    ) -> None:
        self.con = con
        self.table = table
        self.columns = columns
        self.schema = pa.schema([(c.name, _ARROW_TYPES[c.sql_type]) for c in columns])
        self.batch_rows = batch_rows
        self._rows: list[dict[str, Any]] = []
        self.written = 0

    def append(self, row: dict[str, Any]) -> None:
        """Add one row; columns it does not name are NULL."""
        self._rows.append(row)
        if len(self._rows) >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        """Insert what is pending."""
        if not self._rows:
            return
        rows = self._rows
        data = {c.name: [r.get(c.name) for r in rows] for c in self.columns}
        arrow_table = pa.Table.from_pydict(data, schema=self.schema)
        view = f"_kinlink_insert_{self.table}"
        self.con.register(view, arrow_table)
        try:
            self.con.execute(f"INSERT INTO {self.table} BY NAME SELECT * FROM {view}")
        finally:
            self.con.unregister(view)
        self.written += len(rows)
        self._rows = []
