"""Exporting links: which person key each person slot of each loaded row belongs to.

Rows are named the way partners name them (feed, file, row number, slot), never by
internal ids, so a partner can join the keys back onto their own extract.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from kinlink.core.errors import KinlinkError
from kinlink.linkage.keys import MEMBERS
from kinlink.warehouse.schema import PERSON_RECORD_TABLE
from kinlink.warehouse.store import table_exists

LINK_COLUMNS = ("feed", "file", "row_number", "slot", "person_key")


@dataclass
class LinksExport:
    """What was written."""

    path: Path
    rows: int
    without_key: int  # records loaded after the last linkage run


def has_keys(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a linkage run has written person keys into this warehouse."""
    return table_exists(con, MEMBERS)


def links_export(con: duckdb.DuckDBPyConnection, out: Path) -> LinksExport:
    """Write ``feed,file,row_number,slot,person_key`` for every person slot, in file order.

    A record loaded after the last linkage run has an empty key.
    """
    if not has_keys(con):
        raise KinlinkError("no person keys in this warehouse yet; run 'kinlink link' first")
    out.parent.mkdir(parents=True, exist_ok=True)
    query = f"""
        SELECT p.feed, p.file_name AS file, p.row_number, nullif(p.slot, '') AS slot,
               m.person_key
        FROM {PERSON_RECORD_TABLE} p LEFT JOIN {MEMBERS} m USING (record_id)
        ORDER BY p.feed, p.file_name, p.row_number, p.slot
    """
    con.execute(f"COPY ({query}) TO '{_sql_path(out)}' (HEADER, DELIMITER ',')")
    counts = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE m.person_key IS NULL) "
        f"FROM {PERSON_RECORD_TABLE} p LEFT JOIN {MEMBERS} m USING (record_id)"
    ).fetchone()
    rows, without = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    return LinksExport(out, rows, without)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
