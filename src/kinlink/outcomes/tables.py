"""The warehouse tables outcomes write: one set of rows per assessment run, kept.

Runs accumulate (nothing is overwritten), so a past assessment can be read back and two
runs compared ("newly eligible since last month"). Every need carries its evidence rows
with lineage to feed, file and row; the run keeps who was in each family as it assessed
them, so a later families run does not change what a past run meant.
"""

from __future__ import annotations

import duckdb

RUNS = "outcome_runs"
FAMILIES = "outcome_families"
FAMILY_NEEDS = "outcome_family_needs"
EVIDENCE = "outcome_need_evidence"
EPISODES = "outcome_episodes"
PROGRESS = "outcome_need_progress"
PROGRESS_EVIDENCE = "outcome_progress_evidence"
CLAIMS = "outcome_claim_candidates"
MEMBERS = "outcome_family_members"

DDL = (
    f"""CREATE TABLE IF NOT EXISTS {RUNS} (
        run_id VARCHAR PRIMARY KEY,
        as_of DATE,
        framework VARCHAR,
        framework_version VARCHAR,
        framework_fingerprint VARCHAR,
        framework_json VARCHAR,
        input_fingerprint VARCHAR,
        person_run_id VARCHAR,
        family_run_id VARCHAR,
        started_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ,
        summary VARCHAR
    )""",
    f"""CREATE TABLE IF NOT EXISTS {FAMILIES} (
        run_id VARCHAR,
        family_key VARCHAR,
        members INTEGER,
        dependent_children INTEGER,
        expectant_parents INTEGER,
        n_needs INTEGER,
        n_headlines INTEGER,
        needs VARCHAR[],
        headlines VARCHAR[],
        eligible BOOLEAN
    )""",
    f"""CREATE TABLE IF NOT EXISTS {MEMBERS} (
        run_id VARCHAR,
        family_key VARCHAR,
        person_key VARCHAR,
        role VARCHAR,
        dob DATE,
        resident BOOLEAN
    )""",
    f"""CREATE TABLE IF NOT EXISTS {FAMILY_NEEDS} (
        run_id VARCHAR,
        family_key VARCHAR,
        need VARCHAR,
        headline VARCHAR,
        level VARCHAR,
        person_keys VARCHAR[],
        first_date DATE,
        last_date DATE,
        evidence_rows INTEGER
    )""",
    f"""CREATE TABLE IF NOT EXISTS {EVIDENCE} (
        run_id VARCHAR,
        stage VARCHAR,
        family_key VARCHAR,
        need VARCHAR,
        person_key VARCHAR,
        record_id VARCHAR,
        event_date DATE,
        feed VARCHAR,
        file_name VARCHAR,
        file_hash VARCHAR,
        row_number INTEGER,
        slot VARCHAR
    )""",
    f"""CREATE TABLE IF NOT EXISTS {EPISODES} (
        run_id VARCHAR,
        family_key VARCHAR,
        episode_id VARCHAR,
        episode_start DATE,
        episode_end DATE,
        episode_reason VARCHAR,
        end_reason VARCHAR,
        lead_practitioner VARCHAR,
        team VARCHAR,
        sustain_until DATE,
        record_ids VARCHAR[],
        needs_identified VARCHAR[],
        eligible_at_start BOOLEAN
    )""",
    f"""CREATE TABLE IF NOT EXISTS {PROGRESS} (
        run_id VARCHAR,
        family_key VARCHAR,
        episode_id VARCHAR,
        need VARCHAR,
        headline VARCHAR,
        level VARCHAR,
        person_keys VARCHAR[],
        status VARCHAR,
        measured_on DATE,
        value DOUBLE
    )""",
    f"""CREATE TABLE IF NOT EXISTS {CLAIMS} (
        run_id VARCHAR,
        family_key VARCHAR,
        episode_id VARCHAR,
        episode_start DATE,
        episode_end DATE,
        sustain_until DATE,
        lead_practitioner VARCHAR,
        end_reason VARCHAR,
        needs_identified VARCHAR[],
        n_needs INTEGER,
        n_headlines INTEGER
    )""",
)


def tables_create(con: duckdb.DuckDBPyConnection) -> None:
    """Create the outcomes tables if they are not there yet."""
    for statement in DDL:
        con.execute(statement)
