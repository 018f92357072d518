"""The warehouse tables of the model registry, advisory scores and human reviews.

Rows accumulate (nothing is overwritten): a version keeps the exact JSON it scores with
and the fingerprint of the data it learnt from, so any stored score can be recomputed as
at its date; publication records who allowed a model into use and, for a model that did
not beat its baselines, who overrode that and why. Nothing in eligibility, claims or
returns reads these tables.
"""

from __future__ import annotations

import duckdb

VERSIONS = "risk_model_versions"
EVALUATIONS = "risk_evaluations"
PUBLICATIONS = "risk_publications"
SCORE_RUNS = "risk_score_runs"
SCORES = "risk_scores"
SCORE_EVIDENCE = "risk_score_evidence"
REVIEWS = "risk_reviews"

DDL = (
    f"""CREATE TABLE IF NOT EXISTS {VERSIONS} (
        model VARCHAR,
        version INTEGER,
        definition_version VARCHAR,
        definition_fingerprint VARCHAR,
        definition_json VARCHAR,
        features_json VARCHAR,
        algorithm VARCHAR,
        params_json VARCHAR,
        train_as_of DATE[],
        training_rows INTEGER,
        training_positives INTEGER,
        data_fingerprint VARCHAR,
        input_fingerprint VARCHAR,
        trained_at TIMESTAMPTZ,
        PRIMARY KEY (model, version)
    )""",
    f"""CREATE TABLE IF NOT EXISTS {EVALUATIONS} (
        evaluation_id VARCHAR PRIMARY KEY,
        model VARCHAR,
        version INTEGER,
        fit_for_use BOOLEAN,
        status VARCHAR,
        report_json VARCHAR,
        evaluated_at TIMESTAMPTZ
    )""",
    f"""CREATE TABLE IF NOT EXISTS {PUBLICATIONS} (
        model VARCHAR,
        version INTEGER,
        evaluation_id VARCHAR,
        published_by VARCHAR,
        published_at TIMESTAMPTZ,
        fit_for_use BOOLEAN,
        override BOOLEAN,
        override_by VARCHAR,
        override_reason VARCHAR,
        withdrawn_at TIMESTAMPTZ
    )""",
    f"""CREATE TABLE IF NOT EXISTS {SCORE_RUNS} (
        score_run_id VARCHAR PRIMARY KEY,
        model VARCHAR,
        version INTEGER,
        as_of DATE,
        people INTEGER,
        flagged INTEGER,
        scored_at TIMESTAMPTZ
    )""",
    f"""CREATE TABLE IF NOT EXISTS {SCORES} (
        score_id VARCHAR PRIMARY KEY,
        score_run_id VARCHAR,
        model VARCHAR,
        version INTEGER,
        person_key VARCHAR,
        as_of DATE,
        score DOUBLE,
        flagged BOOLEAN,
        features VARCHAR[],
        explanation_json VARCHAR,
        advisory BOOLEAN
    )""",
    f"""CREATE TABLE IF NOT EXISTS {SCORE_EVIDENCE} (
        score_id VARCHAR,
        feature VARCHAR,
        record_id VARCHAR,
        event_date DATE,
        feed VARCHAR,
        file_name VARCHAR,
        row_number INTEGER,
        slot VARCHAR
    )""",
    f"""CREATE TABLE IF NOT EXISTS {REVIEWS} (
        review_id VARCHAR PRIMARY KEY,
        score_id VARCHAR,
        model VARCHAR,
        version INTEGER,
        reviewer VARCHAR,
        decision VARCHAR,
        reason VARCHAR,
        reviewed_at TIMESTAMPTZ
    )""",
)


def tables_create(con: duckdb.DuckDBPyConnection) -> None:
    """Create the risk tables if they are not there yet."""
    for statement in DDL:
        con.execute(statement)
