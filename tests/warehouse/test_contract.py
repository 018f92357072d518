"""The documented contract is the schema, and the schema creates cleanly."""

from __future__ import annotations

from pathlib import Path

import duckdb

from kinlink.warehouse import all_tables, schema_create, table_counts
from kinlink.warehouse.contract import contract_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "warehouse.md"


def test_docs_warehouse_md_is_current():
    assert DOC.read_text(encoding="utf-8") == contract_markdown(), (
        "docs/warehouse.md is stale: run 'kinlink warehouse contract --out docs/warehouse.md'"
    )


def test_schema_creates_every_table_and_is_repeatable(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    schema_create(con)
    schema_create(con)
    counts = table_counts(con)
    con.close()
    assert set(counts) == set(all_tables())
    assert all(v == 0 for v in counts.values())


def test_every_fact_table_carries_lineage():
    for name, columns in all_tables().items():
        if name in ("feeds", "ingest_batches", "quarantine"):
            continue
        names = {c.name for c in columns}
        assert {"record_id", "feed", "file_name", "file_hash", "row_number", "slot"} <= names, name
