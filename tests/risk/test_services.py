"""Train, evaluate, publish, score and review over a real warehouse file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kinlink.risk.services import (
    RiskError,
    review_summary,
    risk_evaluate,
    risk_publish,
    risk_review,
    risk_score,
    risk_train,
    score_explain,
)
from kinlink.warehouse.store import warehouse_connect
from tests.risk.conftest import RiskScenario

SCORE_DATE = date(2026, 8, 1)


def _city(s: RiskScenario) -> None:
    """Twelve young adults; two go on to a domestic abuse arrest; the feeds reach 2026-08."""
    for i in range(12):
        key = s.person(f"young-{i}", f"F{i}", date(2003, 1 + i % 12, 5), "YOUNG_ADULT")
        s.fact("school_census", key, census_date=date(2019, 1, 17), ethnicity="WBRI",
               sen_provision="N", fsm_eligible=bool(i % 2))  # fmt: skip
        if i % 3 == 0:
            s.fact("police_arrests", key, arrest_date=date(2021, 6, 1), custody_ref=f"A{i}",
                   domestic_abuse=False)  # fmt: skip
        parent = s.person(f"parent-{i}", f"F{i}", date(1975, 1, 1), "PARENT")
        if i % 4 == 0:
            s.fact("health", parent, flag="SUBSTANCE_TREATMENT", flag_date=date(2020, 10, 1))
    s.fact("police_arrests", "young-1", arrest_date=date(2023, 1, 10), custody_ref="D1",
           domestic_abuse=True)  # fmt: skip
    s.fact("police_arrests", "young-5", arrest_date=date(2025, 3, 3), custody_ref="D2",
           domestic_abuse=True)  # fmt: skip
    s.fact("police_arrests", "parent-0", arrest_date=date(2026, 8, 20), custody_ref="R",
           domestic_abuse=False)  # fmt: skip
    s.fact("domestic_abuse", "parent-2", slot="victim", role="victim",
           incident_date=date(2026, 8, 25), incident_ref="I1")  # fmt: skip
    s.ready(SCORE_DATE)


def test_a_model_that_does_not_beat_its_baselines_is_refused_publication_without_override(
    risk_scenario: RiskScenario, tmp_path: Path
) -> None:
    s = risk_scenario
    _city(s)
    trained = risk_train(s.path, "dv-profile")
    assert trained.version == 1
    assert trained.positives >= 1
    evaluated = risk_evaluate(s.path, "dv-profile", out=tmp_path / "report")
    assert evaluated.report["verdict"]["fit_for_use"] is False
    assert evaluated.report["data_unchanged_since_training"] is True
    html = (tmp_path / "report" / "dv-profile-v1-evaluation.html").read_text()
    assert "NOT FIT FOR USE" in html
    assert "data:image/png;base64," in html
    assert "tier 2" in (tmp_path / "report" / "dv-profile-v1-atrs-tier2.md").read_text()
    with pytest.raises(RiskError, match="no published version"):
        risk_score(s.path, "dv-profile", as_of=SCORE_DATE)
    with pytest.raises(RiskError, match="override"):
        risk_publish(s.path, "dv-profile", published_by="analyst")
    published = risk_publish(
        s.path, "dv-profile", published_by="analyst", override_reason="tested on synthetic data"
    )
    assert published.override is True
    con = warehouse_connect(s.path, read_only=True)
    try:
        who = con.execute("SELECT override_by, override_reason FROM risk_publications").fetchall()
    finally:
        con.close()
    assert who == [("analyst", "tested on synthetic data")]


def test_scores_are_advisory_explained_reviewed_and_leave_outcomes_unchanged(
    risk_scenario: RiskScenario,
) -> None:
    s = risk_scenario
    _city(s)
    before = s.assess(SCORE_DATE)
    risk_train(s.path, "dv-profile")
    risk_evaluate(s.path, "dv-profile")
    risk_publish(s.path, "dv-profile", published_by="analyst", override_reason="test")
    scored = risk_score(s.path, "dv-profile", as_of=SCORE_DATE)
    assert scored.people == 10  # young-1 and young-5 already have the label
    con = warehouse_connect(s.path, read_only=True)
    try:
        score_id = con.execute(
            "SELECT score_id FROM risk_scores WHERE person_key = 'young-0'"
        ).fetchone()[0]
    finally:
        con.close()
    explained = score_explain(s.path, score_id)
    assert set(explained["features"]) == {"non_dv_arrest", "family_substance_misuse"}
    assert {e["feed"] for e in explained["evidence"]["family_substance_misuse"]} == {"health"}
    assert explained["explanation"]["score"] == pytest.approx(explained["score"])
    risk_review(s.path, score_id, reviewer="practitioner", decision="disagree", reason="old")
    with pytest.raises(RiskError, match="decision"):
        risk_review(s.path, score_id, reviewer="p", decision="maybe", reason="r")
    summary = review_summary(s.path, "dv-profile")
    assert summary[0]["reviewed"] == 1
    assert summary[0]["override_rate"] == 1.0
    # The next evaluation carries the practitioners' decisions as evidence.
    again = risk_evaluate(s.path, "dv-profile")
    assert again.report["human_review"][0]["override_rate"] == 1.0
    after = s.assess(SCORE_DATE)
    assert after.eligible == before.eligible
    assert after.needs == before.needs
    strip = [{k: v for k, v in e.items() if k != "run_id"} for e in before.evidence]
    assert [{k: v for k, v in e.items() if k != "run_id"} for e in after.evidence] == strip
    assert json.loads(json.dumps(after.summary.counts.needs)) == before.summary.counts.needs


def test_eligibility_claims_and_returns_never_read_the_risk_tables() -> None:
    src = Path(__file__).resolve().parents[2] / "src" / "kinlink"
    readers = [
        p.relative_to(src)
        for package in ("outcomes", "returns", "families")
        for p in (src / package).rglob("*.py")
        if "risk_" in p.read_text(encoding="utf-8") or "kinlink.risk" in p.read_text("utf-8")
    ]
    assert readers == []


def test_governance_documents_carry_the_atrs_records_of_published_models(
    risk_scenario: RiskScenario,
) -> None:
    from kinlink.governance.documents import published_model_records
    from kinlink.risk.evaluation import NOT_FIT

    s = risk_scenario
    _city(s)
    risk_train(s.path, "dv-profile")
    risk_evaluate(s.path, "dv-profile")
    assert published_model_records(s.path) == {}  # evaluated, not published
    risk_publish(s.path, "dv-profile", published_by="analyst", override_reason="test")
    records = published_model_records(s.path)
    assert set(records) == {"atrs-dv-profile-v1-tier1.md", "atrs-dv-profile-v1-tier2.md"}
    assert "tier 1" in records["atrs-dv-profile-v1-tier1.md"]
    assert f"**Status**: {NOT_FIT}" in records["atrs-dv-profile-v1-tier1.md"]


def test_evaluation_figures_are_reproducible(risk_scenario: RiskScenario) -> None:
    s = risk_scenario
    _city(s)
    risk_train(s.path, "dv-profile")
    first = risk_evaluate(s.path, "dv-profile").report
    second = risk_evaluate(s.path, "dv-profile").report
    for part in ("holdout", "cross_validation", "verdict", "params", "training"):
        assert first[part] == second[part], part
