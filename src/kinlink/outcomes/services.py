"""``outcomes assess``: assess every current family as of a date and store the run.

The run reads the person keys of the last linkage run and the current families of the
last families run, evaluates the framework, and writes its results in one transaction
with what it was computed from (as-of date, framework and its fingerprint, the ingest
batches, the linkage and families runs), so a past assessment can be reproduced and two
runs compared.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from kinlink.core.clock import utc_now
from kinlink.core.errors import KinlinkError
from kinlink.families.tables import MEMBERS as FAMILY_MEMBERS
from kinlink.families.tables import RUNS as FAMILY_RUNS
from kinlink.families.tables import table_exists
from kinlink.governance.challenges import challenged_records_sql
from kinlink.linkage.keys import MEMBERS as PERSON_MEMBERS
from kinlink.outcomes.assessment import Assessment, AssessmentCounts
from kinlink.outcomes.loader import DEFAULT_FRAMEWORK, framework_fingerprint, framework_load
from kinlink.outcomes.models import AllOf, AnyOf, FeedRule, Framework, Rule
from kinlink.outcomes.tables import (
    CLAIMS,
    EPISODES,
    EVIDENCE,
    FAMILIES,
    FAMILY_NEEDS,
    MEMBERS,
    PROGRESS,
    RUNS,
    tables_create,
)
from kinlink.sources import definitions_load
from kinlink.warehouse.schema import INGEST_BATCH_TABLE, PERSON_RECORD_TABLE
from kinlink.warehouse.store import transaction, warehouse_connect

Progress = Callable[[str, int, int], None]
STAGES = ("people", "needs and eligibility", "progress and claims", "store")


class NotReady(KinlinkError):
    """The warehouse has no person keys or families to assess yet."""


@dataclass
class AssessmentSummary:
    """What one assessment run found, for the CLI and the run record."""

    run_id: str
    as_of: date
    framework: str
    framework_fingerprint: str
    input_fingerprint: str
    counts: AssessmentCounts = field(default_factory=AssessmentCounts)
    people_without_family: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return data


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    found = con.execute(sql, params or []).fetchone()
    return int(found[0]) if found and found[0] is not None else 0


def membership_from_runs(con: duckdb.DuckDBPyConnection) -> tuple[str, str, date]:
    """Fill ``_oc_person_of`` and ``_oc_people`` from the last linkage and families runs."""
    if not table_exists(con, PERSON_MEMBERS):
        raise NotReady("no person keys yet: run 'kinlink link' first")
    if not table_exists(con, FAMILY_MEMBERS) or not table_exists(con, FAMILY_RUNS):
        raise NotReady("no families yet: run 'kinlink families build' first")
    run = con.execute(
        f"SELECT run_id, as_of, person_run_id FROM {FAMILY_RUNS} ORDER BY started_at DESC LIMIT 1"
    ).fetchone()
    if run is None:
        raise NotReady("no families yet: run 'kinlink families build' first")
    family_run, family_as_of, person_run = run
    # A record under challenge (its fact or its link disputed) is not used until resolved.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _oc_person_of AS "
        f"SELECT record_id, person_key FROM {PERSON_MEMBERS} "
        f"WHERE record_id NOT IN ({challenged_records_sql(con)})"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _oc_people AS
        WITH dob AS (
            SELECT k.person_key, list_aggregate(list_sort(list(r.dob)), 'mode') AS dob
            FROM {PERSON_MEMBERS} k JOIN {PERSON_RECORD_TABLE} r USING (record_id)
            WHERE r.dob IS NOT NULL GROUP BY k.person_key
        )
        SELECT m.person_key, any_value(m.family_key) AS family_key, any_value(m.role) AS role,
               any_value(d.dob) AS dob, TRUE AS resident
        FROM {FAMILY_MEMBERS} m LEFT JOIN dob d USING (person_key)
        WHERE m.basis = 'current' GROUP BY m.person_key"""
    )
    return str(person_run), str(family_run), family_as_of


def input_fingerprint(
    con: duckdb.DuckDBPyConnection, framework: Framework, as_of: date, runs: Iterable[str]
) -> str:
    """What an assessment is a function of: the loaded batches, the runs, the framework."""
    batches = [r[0] for r in con.execute(
        f"SELECT batch_id FROM {INGEST_BATCH_TABLE} ORDER BY batch_id").fetchall()]  # fmt: skip
    material = json.dumps(
        {
            "batches": batches,
            "runs": list(runs),
            "framework": framework_fingerprint(framework),
            "as_of": as_of.isoformat(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _store(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    run = f"'{run_id}'"
    con.execute(
        f"INSERT INTO {FAMILIES} SELECT {run}, family_key, members, dependent_children, "
        "expectant_parents, n_needs, n_headlines, needs, headlines, eligible FROM _oc_res_families"
    )
    con.execute(
        f"INSERT INTO {FAMILY_NEEDS} SELECT {run}, family_key, need, headline, level, "
        "person_keys, first_date, last_date, evidence_rows FROM _oc_res_family_needs"
    )
    con.execute(
        f"INSERT INTO {MEMBERS} SELECT {run}, family_key, person_key, role, dob, resident "
        "FROM _oc_people"
    )
    for stage, table in (
        ("need", "_oc_res_evidence"),
        ("identified", "_oc_res_identified_evidence"),
        ("success", "_oc_res_progress_evidence"),
    ):
        con.execute(
            f"""INSERT INTO {EVIDENCE}
            SELECT {run}, '{stage}', e.family_key, e.need, e.person_key, e.record_id,
                   e.event_date, r.feed, r.file_name, r.file_hash, r.row_number, r.slot
            FROM {table} e JOIN {PERSON_RECORD_TABLE} r USING (record_id)"""
        )
    con.execute(
        f"""INSERT INTO {EPISODES}
        SELECT {run}, e.family_key, e.episode_id, e.episode_start, e.episode_end,
               e.episode_reason, e.end_reason,
               e.lead_practitioner, e.team, e.sustain_until, e.record_ids,
               coalesce(f.needs, []), coalesce(f.eligible, FALSE)
        FROM _oc_res_episodes e LEFT JOIN _oc_identified_families f USING (family_key)"""
    )
    con.execute(
        f"INSERT INTO {PROGRESS} SELECT {run}, family_key, episode_id, need, headline, level, "
        "person_keys, status, measured_on, value FROM _oc_res_progress"
    )
    con.execute(
        f"INSERT INTO {CLAIMS} SELECT {run}, family_key, episode_id, episode_start, episode_end, "
        "sustain_until, lead_practitioner, end_reason, needs_identified, n_needs, n_headlines "
        "FROM _oc_res_claims"
    )


def outcomes_assess(
    warehouse: Path,
    *,
    as_of: date | None = None,
    framework: str | Path = DEFAULT_FRAMEWORK,
    sources_dirs: Iterable[Path] = (),
    progress: Progress | None = None,
) -> AssessmentSummary:
    """Assess every current family as of ``as_of`` (default: the families run's date)."""
    sources_dirs = list(sources_dirs)
    loaded = framework_load(framework, sources_dirs=sources_dirs)
    definitions = definitions_load(sources_dirs)
    started = utc_now()
    con = warehouse_connect(warehouse)
    try:
        clock = [time.perf_counter()]
        seconds: dict[str, float] = {}

        def stage(index: int) -> None:
            now = time.perf_counter()
            if index > 0:
                seconds[STAGES[index - 1]] = round(now - clock[0], 2)
            clock[0] = now
            if progress is not None and index < len(STAGES):
                progress(STAGES[index], index, len(STAGES))

        stage(0)
        person_run, family_run, family_as_of = membership_from_runs(con)
        as_of = as_of or family_as_of
        fingerprint = input_fingerprint(con, loaded, as_of, (person_run, family_run))
        run_id = f"ocrun-{started:%Y%m%dT%H%M%S%f}"
        summary = AssessmentSummary(
            run_id=run_id,
            as_of=as_of,
            framework=loaded.label,
            framework_fingerprint=framework_fingerprint(loaded),
            input_fingerprint=fingerprint,
        )
        summary.people_without_family = _one(
            con,
            "SELECT count(DISTINCT person_key) FROM _oc_person_of "
            "WHERE person_key NOT IN (SELECT person_key FROM _oc_people)",
        )
        stage(1)
        assessment = Assessment(con, loaded, definitions, as_of)
        assessment.needs_assess()
        stage(2)
        assessment.progress_assess()
        summary.counts = assessment.counts()
        stage(3)
        tables_create(con)
        with transaction(con):
            _store(con, run_id)
            summary.seconds = dict(seconds)
            con.execute(
                f"INSERT INTO {RUNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id, as_of, loaded.framework, loaded.version,
                    summary.framework_fingerprint, loaded.model_dump_json(), fingerprint,
                    person_run, family_run, started, utc_now(), json.dumps(summary.as_dict()),
                ],
            )  # fmt: skip
        stage(4)
        summary.seconds = seconds
        return summary
    finally:
        con.close()


def _feed_rules(rule: Rule) -> list[FeedRule]:
    if isinstance(rule, AnyOf):
        return [r for part in rule.any_of for r in _feed_rules(part)]
    if isinstance(rule, AllOf):
        return [r for part in rule.all_of for r in _feed_rules(part)]
    return [rule]


def codes_unseen(
    warehouse: Path, framework: Framework, sources_dirs: Iterable[Path] = ()
) -> list[str]:
    """Codes a framework names in open-list fields that no loaded row carries.

    A closed code list is checked when the framework loads; an open one (a text field,
    such as early help's episode reason) can only be checked against the data, where a
    code nobody has ever recorded is most likely a typo.
    """
    definitions = definitions_load(sources_dirs)
    rules: list[tuple[str, FeedRule]] = []
    for _, need in framework.needs:
        for label, rule in (("rule", need.rule), ("success", need.success)):
            if rule is not None:
                rules.extend((f"{need.code}.{label}", r) for r in _feed_rules(rule))
    problems: list[str] = []
    con = warehouse_connect(warehouse, read_only=True)
    try:
        for where, rule in rules:
            definition = definitions[rule.feed]
            for field_name, codes in rule.where.items():
                column = definition.facts.get(field_name)
                spec = definition.columns.get(column) if column else None
                if isinstance(codes, bool) or (
                    spec is not None and spec.type == "code" and not spec.allow_unknown_codes
                ):
                    continue
                table = definition.target
                list_field = spec is not None and spec.type == "list"
                values = (
                    f"SELECT DISTINCT unnest({field_name}) FROM {table} WHERE feed = ?"
                    if list_field
                    else f"SELECT DISTINCT {field_name} FROM {table} WHERE feed = ?"
                )
                seen = {r[0] for r in con.execute(values, [rule.feed]).fetchall()}
                problems.extend(
                    f"{where}: {rule.feed}.{field_name} has no row with {code!r}"
                    for code in codes
                    if code not in seen
                )
    finally:
        con.close()
    return sorted(set(problems))
