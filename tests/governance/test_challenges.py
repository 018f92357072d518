"""A challenged fact or link stops being used; resolving it is enforced and returned."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from kinlink.governance.challenges import (
    ChallengeError,
    challenge_raise,
    challenge_resolve,
    challenges_return,
)
from kinlink.warehouse import warehouse_connect
from tests.outcomes.conftest import Scenario

AS_OF = date(2026, 8, 31)


def _family(s: Scenario) -> tuple[str, str, str]:
    parent = s.person("P", "F1", date(1980, 1, 1))
    child = s.person("C", "F1", date(2014, 1, 1), "CHILD")
    s.fact("police_arrests", parent, arrest_date=date(2026, 1, 1), custody_ref="C1")
    s.fact("health", parent, flag="SUBSTANCE_TREATMENT", flag_date=date(2026, 2, 1))
    disputed = s.fact("health", child, flag="CAMHS_REFERRAL", flag_date=date(2026, 3, 1))
    return parent, child, disputed


def _raise(s: Scenario, kind: str, ref: str) -> str:
    con = warehouse_connect(s.path)
    try:
        return challenge_raise(con, kind, ref, reason="not this child", raised_by="dpo",  # type: ignore[arg-type]
                               field="flag").challenge_id  # fmt: skip
    finally:
        con.close()


def _resolve(s: Scenario, cid: str, upheld: bool) -> None:
    con = warehouse_connect(s.path)
    try:
        challenge_resolve(con, cid, upheld=upheld, resolved_by="reviewer", resolution="checked")
    finally:
        con.close()


def test_a_challenged_fact_is_not_used_until_the_challenge_is_rejected(
    scenario: Scenario,
) -> None:
    _, _, disputed = _family(scenario)
    before = scenario.assess(AS_OF)
    assert before.eligible["F1"] is True
    cid = _raise(scenario, "fact", disputed)
    during = scenario.assess(AS_OF)
    assert "HEALTH_MENTAL" not in during.needs["F1"]
    assert during.eligible["F1"] is False
    assert disputed not in {e["record_id"] for e in during.evidence}
    _resolve(scenario, cid, upheld=False)
    assert scenario.assess(AS_OF).eligible["F1"] is True


def test_an_upheld_fact_stays_out_and_goes_back_to_the_partner(
    scenario: Scenario, tmp_path: Path
) -> None:
    _, _, disputed = _family(scenario)
    cid = _raise(scenario, "fact", disputed)
    _resolve(scenario, cid, upheld=True)
    assert scenario.assess(AS_OF).eligible["F1"] is False
    out = tmp_path / "health-corrections.csv"
    con = warehouse_connect(scenario.path)
    try:
        assert challenges_return(con, "health", out) == 1
        with pytest.raises(ChallengeError, match="already upheld"):
            challenge_resolve(con, cid, upheld=False, resolved_by="x", resolution="y")
    finally:
        con.close()
    (row,) = list(csv.DictReader(out.open()))
    assert (row["feed"], row["file_name"], row["field"]) == ("health", "health_test.csv", "flag")
    assert row["row_number"] == disputed.rsplit(":", 1)[1]


def test_an_upheld_link_becomes_different_people_decisions(scenario: Scenario) -> None:
    parent, _, _ = _family(scenario)
    second = scenario.fact("police_arrests", parent, arrest_date=date(2026, 4, 1), custody_ref="C2")
    cid = _raise(scenario, "link", second)
    _resolve(scenario, cid, upheld=True)
    con = warehouse_connect(scenario.path, read_only=True)
    try:
        decisions = con.execute(
            "SELECT count(*), bool_and(NOT same_person) FROM linkage_review_decisions "
            "WHERE record_a = ? OR record_b = ?",
            [second, second],
        ).fetchone()
        others = con.execute(
            "SELECT count(*) FROM person_key_members WHERE person_key = ? AND record_id <> ?",
            [parent, second],
        ).fetchone()
    finally:
        con.close()
    assert decisions == (others[0], True)


def test_unknown_items_and_missing_reasons_are_errors(scenario: Scenario) -> None:
    con = warehouse_connect(scenario.path)
    try:
        with pytest.raises(ChallengeError, match="unknown record"):
            challenge_raise(con, "fact", "nope", reason="r", raised_by="x")
        with pytest.raises(ChallengeError, match="reason"):
            challenge_raise(con, "fact", "nope", reason=" ", raised_by="x")
        with pytest.raises(ChallengeError, match="unknown score"):
            challenge_raise(con, "score", "S1", reason="r", raised_by="x")
    finally:
        con.close()
