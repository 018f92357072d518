"""Families services: what the CLI (and later the portal) call.

``families_build`` is one run end to end over the person keys of the last linkage run:
address observations, residence episodes and households, relationship edges, current
families as of a date, roles, and stable family keys. Everything is computed in
temporary tables first; the warehouse tables are written at the end in one transaction,
so a failed run leaves the previous families untouched.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from kinlink.core.clock import utc_now
from kinlink.core.errors import KinlinkError
from kinlink.families.addresses import observations_build
from kinlink.families.evaluation import FamilyEvaluation, evaluate_families
from kinlink.families.grouping import families_group
from kinlink.families.keys import keys_assign
from kinlink.families.models import BuildSummary, FamiliesConfig
from kinlink.families.people import people_build
from kinlink.families.relationships import EDGE_COLUMNS, relationships_build
from kinlink.families.residence import episodes_build, households_build
from kinlink.families.roles import roles_assign
from kinlink.families.tables import (
    HOUSEHOLDS,
    MEMBERS,
    RELATIONSHIPS,
    RESIDENCE,
    RUNS,
    table_exists,
    tables_create,
)
from kinlink.families.views import FamiliesExport, FamilyView, families_csv, family_view
from kinlink.warehouse import PERSON_RECORD_TABLE, transaction, warehouse_connect

#: Called as ``progress(stage, step, steps)`` as each stage starts.
Progress = Callable[[str, int, int], None]

STAGES = (
    "people",
    "address observations",
    "residence episodes",
    "relationships",
    "current families",
    "roles",
    "family keys",
)


class NoPersonKeys(KinlinkError):
    """Families are built over person keys: linkage has not run yet."""


def as_of_default(con: duckdb.DuckDBPyConnection) -> date:
    """The latest observed date in the warehouse that is not in the future."""
    row = con.execute(
        f"SELECT max(observed_date) FROM {PERSON_RECORD_TABLE} WHERE observed_date <= ?",
        [utc_now().date()],
    ).fetchone()
    if row is None or row[0] is None:
        raise NoPersonKeys("the warehouse holds no dated person records; run 'kinlink ingest'")
    return row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0]))


def _linkage_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    if not table_exists(con, "person_key_members"):
        return None
    row = con.execute("SELECT max(run_id) FROM person_key_members").fetchone()
    return str(row[0]) if row and row[0] is not None else None


def families_build(
    warehouse: Path,
    as_of: date | None = None,
    config: FamiliesConfig | None = None,
    progress: Progress | None = None,
) -> BuildSummary:
    """Build households, relationships and current families as of ``as_of`` (default: the
    latest observed date) and map them onto stable family keys."""
    config = config or FamiliesConfig()
    started = utc_now()
    run_id = f"famrun-{started:%Y%m%dT%H%M%S%f}"
    con = warehouse_connect(warehouse)
    try:
        person_run = _linkage_run_id(con)
        if person_run is None:
            raise NoPersonKeys(f"{warehouse.name}: no person keys yet; run 'kinlink link' first")
        as_of = as_of or as_of_default(con)
        summary = BuildSummary(run_id=run_id, as_of=as_of)
        clock = [time.perf_counter()]

        def stage(index: int) -> None:
            now = time.perf_counter()
            if index > 0:
                summary.seconds[STAGES[index - 1]] = round(now - clock[0], 2)
            clock[0] = now
            if progress is not None and index < len(STAGES):
                progress(STAGES[index], index, len(STAGES))

        stage(0)
        summary.person_keys = people_build(con, as_of)
        stage(1)
        observations_build(con, as_of)
        stage(2)
        summary.residence_episodes = episodes_build(con, config.stale_days)
        summary.households = households_build(con, as_of)
        summary.addresses = _count(
            con, "SELECT count(DISTINCT address_id) FROM _fm_episodes WHERE precision = 'address'"
        )
        stage(3)
        summary.relationships = relationships_build(con, as_of, config)
        stage(4)
        grouping = families_group(con, config)
        summary.keys_without_address = grouping.without_address
        summary.shared_houses_split = grouping.shared_houses_split
        summary.attached_by_postcode = grouping.attached_by_postcode
        summary.moved_with_household = grouping.moved_with_household
        summary.families = _count(con, "SELECT count(DISTINCT family_id) FROM _fm_family")
        stage(5)
        summary.roles = roles_assign(con, config)
        summary.families_with_children = _count(
            con, "SELECT count(DISTINCT family_id) FROM _fm_roles WHERE role = 'CHILD'"
        )
        stage(6)
        with transaction(con):
            tables_create(con)
            _persist_evidence(con, run_id)
            summary.keys = keys_assign(con, run_id, as_of, started)
            stage(7)
            con.execute(
                f"INSERT INTO {RUNS} VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    as_of,
                    started,
                    utc_now(),
                    person_run,
                    json.dumps(config.as_dict()),
                    json.dumps(summary.as_dict()),
                ],
            )
    finally:
        con.close()
    return summary


def _count(con: duckdb.DuckDBPyConnection, query: str) -> int:
    row = con.execute(query).fetchone()
    return int(row[0]) if row else 0


def _persist_evidence(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Replace residence episodes, households and relationships with this run's."""
    con.execute(f"DELETE FROM {RESIDENCE}")
    con.execute(
        f"""
        INSERT INTO {RESIDENCE}
        SELECT person_key, address_id, uprn, postcode, precision, valid_from, valid_to,
               last_seen, observations, feeds, ?
        FROM _fm_episodes ORDER BY person_key, valid_from
        """,
        [run_id],
    )
    con.execute(f"DELETE FROM {HOUSEHOLDS}")
    con.execute(
        f"INSERT INTO {HOUSEHOLDS} SELECT household_id, address_id, person_key, valid_from, "
        "valid_to, ? FROM _fm_households ORDER BY household_id, valid_from, person_key",
        [run_id],
    )
    con.execute(f"DELETE FROM {RELATIONSHIPS}")
    con.execute(
        f"INSERT INTO {RELATIONSHIPS} SELECT {EDGE_COLUMNS}, ? FROM _fm_edges "
        "ORDER BY evidence, person_key_a, person_key_b, evidence_ref",
        [run_id],
    )


def families_evaluate(warehouse: Path, truth: Path) -> FamilyEvaluation:
    """Compare the last run's current families with a synthetic city's truth."""
    con = warehouse_connect(warehouse, read_only=True)
    try:
        if not table_exists(con, MEMBERS):
            raise KinlinkError("no families in this warehouse yet; run 'kinlink families build'")
        return evaluate_families(con, truth)
    finally:
        con.close()


def family_show(warehouse: Path, family_key: str) -> FamilyView:
    """One family: its members, history, relationships and registry events."""
    con = warehouse_connect(warehouse, read_only=True)
    try:
        return family_view(con, family_key)
    finally:
        con.close()


def families_export(warehouse: Path, out: Path) -> FamiliesExport:
    """Write ``person_key,family_key,role`` for every person's current family to ``out``."""
    con = warehouse_connect(warehouse, read_only=True)
    try:
        return families_csv(con, out)
    finally:
        con.close()
