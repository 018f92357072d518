"""A subject access bundle holds everything about one person and nobody else's identity."""

from __future__ import annotations

import json
from pathlib import Path

from kinlink.governance.subject_access import subject_access_write
from kinlink.sources import definitions_load
from kinlink.warehouse import warehouse_connect
from tests.outcomes.conftest import AssessedCity


def test_bundle_has_every_record_of_the_person_and_redacts_the_others(
    assessed_city: AssessedCity, tmp_path: Path
) -> None:
    con = warehouse_connect(assessed_city.warehouse, read_only=True)
    try:
        # A victim of a domestic abuse incident that names other people too.
        person_key, batch, row = con.execute(
            """SELECT m.person_key, r.batch_id, r.row_number
               FROM person_records r JOIN person_key_members m USING (record_id)
               WHERE r.feed = 'domestic_abuse' AND r.slot = 'victim'
               ORDER BY r.record_id LIMIT 1"""
        ).fetchone()
        own = {r[0] for r in con.execute(
            "SELECT record_id FROM person_key_members WHERE person_key = ?", [person_key]
        ).fetchall()}  # fmt: skip
        others = con.execute(
            """SELECT r.record_id, r.forename, r.surname, r.nhs_number
               FROM person_records r JOIN person_key_members m USING (record_id)
               WHERE r.batch_id = ? AND r.row_number = ? AND m.person_key <> ?""",
            [batch, row, person_key],
        ).fetchall()
        names = con.execute(
            "SELECT forename, surname FROM person_records JOIN person_key_members "
            "USING (record_id) WHERE person_key = ?",
            [person_key],
        ).fetchall()
        own_names = {v for r in names for v in r if v}
    finally:
        con.close()
    assert others  # the incident names someone else

    files = subject_access_write(
        assessed_city.warehouse, person_key, definitions_load(), tmp_path,
        model_path=tmp_path / "no-model.json",
    )  # fmt: skip
    bundle = json.loads(files.json_path.read_text())
    assert {r["record_id"] for r in bundle["records"]} == own
    assert {f["record_id"] for f in bundle["facts"]} == own
    incident = [f for f in bundle["facts"] if f["table"] == "domestic_abuse_incident"]
    assert any(f["other_people_named"] >= 1 for f in incident)
    text = files.json_path.read_text()
    for record_id, forename, surname, nhs in others:
        assert record_id not in text
        for value in (forename, surname, nhs):
            if value and value not in own_names:
                assert f'"{value}"' not in text
    assert files.pdf_path.read_bytes().startswith(b"%PDF")
    assert bundle["linkage"]["explanations"].startswith("no saved linkage model")


def test_bundle_has_the_person_s_scores_their_evidence_and_reviews_only(
    assessed_city: AssessedCity, tmp_path: Path
) -> None:
    import shutil
    from datetime import date

    from kinlink.risk.services import (
        risk_evaluate,
        risk_publish,
        risk_review,
        risk_score,
        risk_train,
    )

    warehouse = tmp_path / "w.duckdb"
    shutil.copy(assessed_city.warehouse, warehouse)
    risk_train(warehouse, "dv-profile")
    risk_evaluate(warehouse, "dv-profile")
    risk_publish(warehouse, "dv-profile", published_by="analyst", override_reason="test")
    run = risk_score(warehouse, "dv-profile", as_of=date(2026, 3, 31)).score_run_id
    con = warehouse_connect(warehouse, read_only=True)
    try:
        mine, other = con.execute(
            """SELECT s.score_id FROM risk_scores s
               WHERE s.score_run_id = ? AND s.score_id IN (SELECT score_id FROM risk_score_evidence)
               ORDER BY s.score_id LIMIT 2""",
            [run],
        ).fetchall()
        person_key = con.execute(
            "SELECT person_key FROM risk_scores WHERE score_id = ?", [mine[0]]
        ).fetchone()[0]
        evidence = con.execute(
            "SELECT count(*) FROM risk_score_evidence WHERE score_id = ?", [mine[0]]
        ).fetchone()[0]
    finally:
        con.close()
    risk_review(warehouse, mine[0], reviewer="sw1", decision="disagree", reason="Known context")
    risk_review(warehouse, other[0], reviewer="sw2", decision="agree", reason="Another child")

    files = subject_access_write(
        warehouse, person_key, definitions_load(), tmp_path / "sar",
        model_path=tmp_path / "no-model.json",
    )  # fmt: skip
    scores = json.loads(files.json_path.read_text())["scores"]
    by_table: dict[str, list[dict[str, object]]] = {}
    for row in scores:
        by_table.setdefault(str(row["table"]), []).append(row)
    assert [r["score_id"] for r in by_table["risk_scores"]] == [mine[0]]
    assert len(by_table["risk_score_evidence"]) == evidence
    assert [(r["decision"], r["reason"]) for r in by_table["risk_reviews"]] == [
        ("disagree", "Known context")
    ]
    assert other[0] not in files.json_path.read_text()
