"""The outcomes commands, run through the kinlink app."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from kinlink.cli.app import app
from kinlink.outcomes.views import UnknownRun
from tests.outcomes.conftest import AssessedCity, Scenario

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_framework_commands() -> None:
    assert "supporting-families-2022" in _run("outcomes", "framework", "list")
    shown = _run("outcomes", "framework", "show", "kinlink-city-local-plan")
    assert "SG_CHILD_PROTECTION" in shown
    assert "different headline outcomes" in shown
    assert "valid" in _run("outcomes", "framework", "check", "supporting-families-2022")


def test_framework_check_rejects_a_typo(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "framework: p\nversion: '1'\ntitle: p\nextends: supporting-families-2022\n"
        "headline_outcomes:\n  - code: CRIME_PREVENTION\n    needs:\n      - code: X\n"
        "        name: x\n        rule: {kind: events, feed: yuoth_justice, at_least: 1}\n"
    )
    result = runner.invoke(app, ["outcomes", "framework", "check", str(plan)])
    assert result.exit_code != 0
    assert "unknown feed 'yuoth_justice'" in str(result.exception)


def test_assess_evaluate_runs_compare_family_claims(
    assessed_city: AssessedCity, assessed_copy: Path, tmp_path: Path
) -> None:
    w = str(assessed_copy)
    report = tmp_path / "assess.json"
    _run("outcomes", "assess", "--warehouse", w, "--as-of", "2026-03-31", "--json",
         "--out", str(report))  # fmt: skip
    assessed = json.loads(report.read_text())
    assert assessed["as_of"] == "2026-03-31"
    assert assessed["counts"]["families"] > 0

    evaluated = _run("outcomes", "evaluate", "--truth", str(assessed_city.city / "truth"),
                     "--warehouse", w, "--links", "truth")  # fmt: skip
    assert "eligible families" in evaluated

    assert "2026-03-31" in _run("outcomes", "runs", "--warehouse", w)
    compared = json.loads(_run("outcomes", "compare", "--warehouse", w, "--json"))
    assert set(compared) >= {"newly_eligible", "no_longer_eligible", "needs_added"}

    # The first run (as of the city's end date) against the second: the lists are disjoint.
    assert not set(compared["newly_eligible"]) & set(compared["no_longer_eligible"])


def test_family_view_and_evidence_pack(scenario: Scenario, tmp_path: Path) -> None:
    parent = scenario.person("P", "F1", date(1980, 1, 1))
    child = scenario.person("C", "F1", date(2014, 1, 1), "CHILD")
    scenario.fact("police_arrests", parent, arrest_date=date(2026, 1, 1), custody_ref="C1")
    scenario.fact("health", parent, flag="SUBSTANCE_TREATMENT", flag_date=date(2026, 2, 1))
    scenario.fact("health", child, flag="CAMHS_REFERRAL", flag_date=date(2026, 3, 1))
    scenario.assess(date(2026, 8, 31))
    w = str(scenario.path)
    shown = _run("outcomes", "family", "F1", "--warehouse", w)
    assert "eligible" in shown
    assert "health_test.csv" in shown
    _run("outcomes", "evidence", "F1", "--out", str(tmp_path / "packs"), "--warehouse", w)
    (pack,) = (tmp_path / "packs").glob("*.json")
    data = json.loads(pack.read_text())
    assert {e["need"] for e in data["evidence"]} == {"CRIME", "SUBSTANCE", "HEALTH_MENTAL"}
    assert pack.with_suffix(".html").read_text().count("<tr>") == 1 + len(data["evidence"]) + 1
    result = runner.invoke(app, ["outcomes", "family", "F9", "--warehouse", w])
    assert result.exit_code != 0


def test_no_assessment_yet(scenario: Scenario) -> None:
    result = runner.invoke(app, ["outcomes", "runs", "--warehouse", str(scenario.path)])
    assert result.exit_code == 0
    result = runner.invoke(app, ["outcomes", "claims", "--warehouse", str(scenario.path)])
    assert isinstance(result.exception, UnknownRun)


def test_framework_check_lists_open_list_codes_no_row_carries(scenario: Scenario) -> None:
    person = scenario.person("P", "F1", date(1980, 1, 1))
    scenario.fact("early_help", person, eh_family_id="E", family_role="PARENT", episode_id="E1",
                  episode_start=date(2026, 1, 1), episode_reason="PARENTAL_CONFLICT")  # fmt: skip
    output = _run("outcomes", "framework", "check", "supporting-families-2022",
                  "--warehouse", str(scenario.path))  # fmt: skip
    assert "'EARLY_YEARS_DEVELOPMENT'" in output
    assert "'PARENTAL_CONFLICT'" not in output
    assert "'FAMILY_BREAKDOWN'" in output
