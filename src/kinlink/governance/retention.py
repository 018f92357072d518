"""Retention: remove what a feed's agreement says may no longer be held, and say what went.

Each feed's definition sets ``retention_months``. A row is due when its retention date is
before the as-of date less that many months: the date the row describes, or for an
episode the date it ended (an open episode is never due, however old its start). The
boundary day itself is kept.

``retention_apply`` is a dry run unless told otherwise. A real run deletes the due rows
from the fact tables, the person records and the person key memberships in one
transaction, and records in ``retention_removed`` that each row existed (feed, file,
file hash, row number, slot and its date: lineage, never the personal data) and in
``retention_runs`` what each run removed. Links, families and needs built from the removed
rows are then re-derived (``rederive``): a full linkage run with the saved model, families
and an outcomes assessment, so nothing still rests on data that has gone.

Quarantined rows hold raw values that were never loaded, kept so the partner can correct
and resend them. They carry no trustworthy date of their own (a bad date is often why they
are there), so each is due ``quarantine_months`` after its file was loaded, and removed
the same way, with the same lineage-only record (``held_as`` = ``quarantine``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from kinlink.core.clock import utc_now
from kinlink.outcomes.engine import months_before
from kinlink.sources.models import FeedDefinition
from kinlink.warehouse.schema import INGEST_BATCH_TABLE, PERSON_RECORD_TABLE, QUARANTINE_TABLE
from kinlink.warehouse.store import table_exists, transaction, warehouse_connect

RUNS = "retention_runs"
REMOVED = "retention_removed"
#: Episode tables whose retention runs from the end of the episode, not its start.
ENDS = {"early_help_episode": "episode_end", "social_care_episode": "end_date"}

DDL = (
    f"""CREATE TABLE IF NOT EXISTS {RUNS} (
        run_id VARCHAR, as_of DATE, dry_run BOOLEAN, feed VARCHAR, retention_months INTEGER,
        cutoff DATE, fact_rows BIGINT, person_records BIGINT, created_at TIMESTAMPTZ)""",
    f"""CREATE TABLE IF NOT EXISTS {REMOVED} (
        run_id VARCHAR, feed VARCHAR, file_name VARCHAR, file_hash VARCHAR,
        row_number INTEGER, slot VARCHAR, retention_date DATE, removed_at TIMESTAMPTZ)""",
    # Added after the first release: warehouses made before it gain the columns.
    f"ALTER TABLE {RUNS} ADD COLUMN IF NOT EXISTS quarantine_months INTEGER",
    f"ALTER TABLE {RUNS} ADD COLUMN IF NOT EXISTS quarantine_cutoff DATE",
    f"ALTER TABLE {RUNS} ADD COLUMN IF NOT EXISTS quarantine_rows BIGINT",
    f"ALTER TABLE {REMOVED} ADD COLUMN IF NOT EXISTS held_as VARCHAR DEFAULT 'fact'",
)


@dataclass
class FeedRetention:
    """What is due (or was removed) for one feed."""

    feed: str
    retention_months: int
    cutoff: date
    quarantine_months: int
    quarantine_cutoff: date
    fact_rows: int = 0
    person_records: int = 0
    quarantine_rows: int = 0


@dataclass
class RetentionReport:
    """One retention run."""

    run_id: str
    as_of: date
    dry_run: bool
    feeds: list[FeedRetention] = field(default_factory=list)
    rederived: dict[str, str] = field(default_factory=dict)

    @property
    def fact_rows(self) -> int:
        """Rows due (or removed) over all feeds."""
        return sum(f.fact_rows for f in self.feeds)

    @property
    def quarantine_rows(self) -> int:
        """Quarantined rows due (or removed) over all feeds."""
        return sum(f.quarantine_rows for f in self.feeds)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        for f in data["feeds"]:
            f["cutoff"] = f["cutoff"].isoformat()
            f["quarantine_cutoff"] = f["quarantine_cutoff"].isoformat()
        return data


def _due_sql(definition: FeedDefinition, cutoff: date) -> str:
    """The record ids of a feed's rows that are due on ``cutoff``."""
    table = definition.target
    end = ENDS.get(table)
    when = (
        f"CASE WHEN t.{end} IS NULL THEN NULL ELSE greatest(t.{end}, r.observed_date) END"
        if end
        else "r.observed_date"
    )
    return (
        f"SELECT t.record_id, {when} AS retention_date FROM {table} t "
        f"JOIN {PERSON_RECORD_TABLE} r USING (record_id) "
        f"WHERE t.feed = '{definition.feed}' AND {when} < DATE '{cutoff.isoformat()}'"
    )


def _quarantine_due_sql(feed: str, cutoff: date) -> str:
    """A feed's quarantined rows whose file was loaded before ``cutoff`` (UTC date)."""
    return (
        f"SELECT q.batch_id, q.row_number, CAST(timezone('UTC', b.loaded_at) AS DATE) "
        f"AS retention_date FROM {QUARANTINE_TABLE} q JOIN {INGEST_BATCH_TABLE} b "
        f"USING (batch_id) WHERE q.feed = '{feed}' "
        f"AND CAST(timezone('UTC', b.loaded_at) AS DATE) < DATE '{cutoff.isoformat()}'"
    )


def retention_apply(
    warehouse: Path,
    definitions: dict[str, FeedDefinition],
    *,
    as_of: date | None = None,
    dry_run: bool = True,
) -> RetentionReport:
    """Find (and, unless ``dry_run``, remove) every row past its feed's retention period."""
    as_of = as_of or utc_now().date()
    started = utc_now()
    report = RetentionReport(f"retention-{started:%Y%m%dT%H%M%S%f}", as_of, dry_run)
    con = warehouse_connect(warehouse)
    try:
        for statement in DDL:
            con.execute(statement)
        with transaction(con):
            for feed, definition in sorted(definitions.items()):
                months = definition.governance.retention_months
                held = definition.governance.quarantine_months
                item = FeedRetention(
                    feed, months, months_before(as_of, months), held, months_before(as_of, held)
                )
                report.feeds.append(item)
                if table_exists(con, QUARANTINE_TABLE):
                    item.quarantine_rows = _quarantine_apply(con, report.run_id, item, dry_run,
                                                             started)  # fmt: skip
                if not table_exists(con, definition.target):
                    _run_record(con, report, item, started)
                    continue
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE _rt_due AS {_due_sql(definition, item.cutoff)}"
                )
                found = con.execute(
                    f"SELECT count(*), (SELECT count(*) FROM {PERSON_RECORD_TABLE} "
                    "WHERE record_id IN (SELECT record_id FROM _rt_due)) FROM _rt_due"
                ).fetchone()
                item.fact_rows, item.person_records = (
                    (int(found[0]), int(found[1])) if found else (0, 0)
                )
                if not dry_run and item.fact_rows:
                    _remove(con, report.run_id, definition, started)
                _run_record(con, report, item, started)
    finally:
        con.close()
    return report


def _run_record(
    con: duckdb.DuckDBPyConnection, report: RetentionReport, item: FeedRetention, at: object
) -> None:
    con.execute(
        f"""INSERT INTO {RUNS} (run_id, as_of, dry_run, feed, retention_months, cutoff,
        fact_rows, person_records, created_at, quarantine_months, quarantine_cutoff,
        quarantine_rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [report.run_id, report.as_of, report.dry_run, item.feed, item.retention_months,
         item.cutoff, item.fact_rows, item.person_records, at, item.quarantine_months,
         item.quarantine_cutoff, item.quarantine_rows],
    )  # fmt: skip


def _quarantine_apply(
    con: duckdb.DuckDBPyConnection, run_id: str, item: FeedRetention, dry_run: bool, at: object
) -> int:
    """Count (and unless ``dry_run`` remove) a feed's quarantined rows that are due."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _rt_quarantine AS "
        + _quarantine_due_sql(item.feed, item.quarantine_cutoff)
    )
    found = con.execute("SELECT count(*) FROM _rt_quarantine").fetchone()
    due = int(found[0]) if found else 0
    if dry_run or not due:
        return due
    con.execute(
        f"""INSERT INTO {REMOVED} (run_id, feed, file_name, file_hash, row_number, slot,
        retention_date, removed_at, held_as)
        SELECT ?, q.feed, q.file_name, q.file_hash, q.row_number, NULL, d.retention_date, ?,
        'quarantine' FROM _rt_quarantine d JOIN {QUARANTINE_TABLE} q
        USING (batch_id, row_number)""",
        [run_id, at],
    )
    con.execute(
        f"DELETE FROM {QUARANTINE_TABLE} q USING _rt_quarantine d "
        "WHERE q.batch_id = d.batch_id AND q.row_number = d.row_number"
    )
    return due


def _remove(
    con: duckdb.DuckDBPyConnection, run_id: str, definition: FeedDefinition, at: object
) -> None:
    con.execute(
        f"""INSERT INTO {REMOVED} (run_id, feed, file_name, file_hash, row_number, slot,
        retention_date, removed_at, held_as)
        SELECT ?, r.feed, r.file_name, r.file_hash, r.row_number, r.slot, d.retention_date, ?,
        'fact' FROM _rt_due d JOIN {PERSON_RECORD_TABLE} r USING (record_id)""",
        [run_id, at],
    )
    con.execute(
        f"DELETE FROM {definition.target} WHERE record_id IN (SELECT record_id FROM _rt_due)"
    )
    con.execute(
        f"DELETE FROM {PERSON_RECORD_TABLE} WHERE record_id IN (SELECT record_id FROM _rt_due)"
    )
    if table_exists(con, "person_key_members"):
        con.execute(
            "DELETE FROM person_key_members WHERE record_id IN (SELECT record_id FROM _rt_due)"
        )


def rederive(warehouse: Path, *, model_path: Path | None = None) -> dict[str, str]:
    """Re-link, rebuild families, re-assess and re-score after a removal: run ids by stage.

    Every published risk model scores again at the date of its latest scores, so no score
    shown rests on a removed row (``risk:<model>``).
    """
    from kinlink.families import families_build
    from kinlink.linkage import LinkageConfig, linkage_run
    from kinlink.outcomes.services import outcomes_assess
    from kinlink.risk.services import risk_score

    config = LinkageConfig(model_path=model_path) if model_path else LinkageConfig()
    linked = linkage_run(warehouse, config)
    families = families_build(warehouse)
    assessed = outcomes_assess(warehouse)
    runs = {"linkage": linked.run_id, "families": families.run_id, "outcomes": assessed.run_id}
    for model, as_of in _scored_models(warehouse):
        runs[f"risk:{model}"] = risk_score(warehouse, model, as_of=as_of).score_run_id
    return runs


def _scored_models(warehouse: Path) -> list[tuple[str, date]]:
    """Published risk models that have scored, with the as-of date of their latest scores."""
    con = warehouse_connect(warehouse, read_only=True)
    try:
        if not all(table_exists(con, t) for t in ("risk_publications", "risk_score_runs")):
            return []
        rows = con.execute(
            """SELECT r.model, arg_max(r.as_of, r.scored_at) FROM risk_score_runs r
            WHERE r.model IN (SELECT model FROM risk_publications WHERE withdrawn_at IS NULL)
            GROUP BY r.model ORDER BY r.model"""
        ).fetchall()
    finally:
        con.close()
    return [(str(model), day) for model, day in rows]


def report_json(report: RetentionReport) -> str:
    """The report as JSON text."""
    return json.dumps(report.as_dict(), indent=2)
