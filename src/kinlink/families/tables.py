"""The warehouse tables families write: what downstream stages (outcomes, the portal) read.

Residence, households and relationships are rebuilt by every run (they are evidence,
recomputed from the records); the family key registry accumulates like the person key
registry: keys are never deleted or reused, and closed memberships stay as history.
"""

from __future__ import annotations

import duckdb

from kinlink.warehouse.store import table_exists

RESIDENCE = "family_residence_episodes"
HOUSEHOLDS = "family_household_members"
RELATIONSHIPS = "family_relationships"
KEYS = "family_keys"
MEMBERS = "family_key_members"
EVENTS = "family_key_events"
RUNS = "family_runs"

DDL = (
    f"""CREATE TABLE IF NOT EXISTS {RESIDENCE} (
        person_key VARCHAR,
        address_id VARCHAR,
        uprn VARCHAR,
        postcode VARCHAR,
        precision VARCHAR,
        valid_from DATE,
        valid_to DATE,
        last_seen DATE,
        observations INTEGER,
        feeds VARCHAR[],
        run_id VARCHAR
    )""",
    f"""CREATE TABLE IF NOT EXISTS {HOUSEHOLDS} (
        household_id VARCHAR,
        address_id VARCHAR,
        person_key VARCHAR,
        valid_from DATE,
        valid_to DATE,
        run_id VARCHAR
    )""",
    f"""CREATE TABLE IF NOT EXISTS {RELATIONSHIPS} (
        person_key_a VARCHAR,
        person_key_b VARCHAR,
        relation VARCHAR,
        evidence VARCHAR,
        evidence_ref VARCHAR,
        detail VARCHAR,
        feeds VARCHAR[],
        record_ids VARCHAR[],
        valid_from DATE,
        valid_to DATE,
        run_id VARCHAR
    )""",
    f"""CREATE TABLE IF NOT EXISTS {KEYS} (
        family_key VARCHAR PRIMARY KEY,
        created_at TIMESTAMPTZ,
        created_run VARCHAR,
        retired_at TIMESTAMPTZ,
        retired_run VARCHAR,
        merged_into VARCHAR
    )""",
    f"""CREATE TABLE IF NOT EXISTS {MEMBERS} (
        person_key VARCHAR,
        family_key VARCHAR,
        role VARCHAR,
        valid_from DATE,
        valid_to DATE,
        run_id VARCHAR,
        basis VARCHAR,
        placed_by VARCHAR
    )""",
    f"""CREATE TABLE IF NOT EXISTS {EVENTS} (
        run_id VARCHAR,
        kind VARCHAR,
        family_key VARCHAR,
        related_keys VARCHAR[],
        members INTEGER,
        reason VARCHAR,
        created_at TIMESTAMPTZ
    )""",
    f"""CREATE TABLE IF NOT EXISTS {RUNS} (
        run_id VARCHAR,
        as_of DATE,
        started_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ,
        person_run_id VARCHAR,
        config VARCHAR,
        summary VARCHAR
    )""",
)


def tables_create(con: duckdb.DuckDBPyConnection) -> None:
    """Create the families tables if they are not there yet."""
    for statement in DDL:
        con.execute(statement)


__all__ = ["table_exists", "tables_create"]
