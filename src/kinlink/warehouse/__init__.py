"""The DuckDB warehouse: schema (the contract other stages read), connection and transactions."""

from kinlink.warehouse.schema import (
    FACT_TABLES,
    IDENTITY_FIELDS,
    PERSON_RECORD_TABLE,
    QUARANTINE_TABLE,
    Column,
    all_tables,
    fact_table_columns,
)
from kinlink.warehouse.store import schema_create, table_counts, transaction, warehouse_connect

__all__ = [
    "FACT_TABLES",
    "IDENTITY_FIELDS",
    "PERSON_RECORD_TABLE",
    "QUARANTINE_TABLE",
    "Column",
    "all_tables",
    "fact_table_columns",
    "schema_create",
    "table_counts",
    "transaction",
    "warehouse_connect",
]
