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
from kinlink.warehouse.schema import PERSON_RECORD_TABLE
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
)


@dataclass
class FeedRetention:
    """What is due (or was removed) for one feed."""

    feed: str
    retention_months: int
    cutoff: date
    fact_rows: int = 0
    person_records: int = 0


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

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        for f in data["feeds"]:
            f["cutoff"] = f["cutoff"].isoformat()
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
                item = FeedRetention(feed, months, months_before(as_of, months))
                report.feeds.append(item)
                if not table_exists(con, definition.target):
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
                con.execute(
                    f"INSERT INTO {RUNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [report.run_id, as_of, dry_run, feed, months, item.cutoff, item.fact_rows,
                     item.person_records, started],
                )  # fmt: skip
    finally:
        con.close()
    return report


def _remove(
    con: duckdb.DuckDBPyConnection, run_id: str, definition: FeedDefinition, at: object
) -> None:
    con.execute(
        f"""INSERT INTO {REMOVED}
        SELECT ?, r.feed, r.file_name, r.file_hash, r.row_number, r.slot, d.retention_date, ?
        FROM _rt_due d JOIN {PERSON_RECORD_TABLE} r USING (record_id)""",
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
    """Re-link, rebuild families and re-assess after a removal: the run ids, by stage."""
    from kinlink.families import families_build
    from kinlink.linkage import LinkageConfig, linkage_run
    from kinlink.outcomes.services import outcomes_assess

    config = LinkageConfig(model_path=model_path) if model_path else LinkageConfig()
    linked = linkage_run(warehouse, config)
    families = families_build(warehouse)
    assessed = outcomes_assess(warehouse)
    return {"linkage": linked.run_id, "families": families.run_id, "outcomes": assessed.run_id}


def report_json(report: RetentionReport) -> str:
    """The report as JSON text."""
    return json.dumps(report.as_dict(), indent=2)
