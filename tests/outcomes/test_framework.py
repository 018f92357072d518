"""Frameworks load, local plans refine them, and every mistake is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinlink.outcomes import FrameworkError, framework_fingerprint, framework_load
from kinlink.outcomes.loader import builtin_framework_paths

HEADLINES = {
    "GOOD_EDUCATION", "EARLY_YEARS_DEVELOPMENT", "MENTAL_AND_PHYSICAL_HEALTH", "SUBSTANCE_USE",
    "FAMILY_RELATIONSHIPS", "SAFE_FROM_ABUSE_AND_EXPLOITATION", "CRIME_PREVENTION",
    "SAFE_FROM_DOMESTIC_ABUSE", "SECURE_HOUSING", "FINANCIAL_STABILITY",
}  # fmt: skip


def test_default_framework_covers_the_ten_headline_outcomes() -> None:
    framework = framework_load()
    assert {h.code for h in framework.headline_outcomes} == HEADLINES
    assert all(h.needs for h in framework.headline_outcomes)
    assert all(n.success is not None for _, n in framework.needs)
    assert framework.eligibility.minimum == 3


def test_local_plan_refines_the_national_framework() -> None:
    plan = framework_load("kinlink-city-local-plan")
    national = framework_load()
    assert plan.extends == "supporting-families-2022"
    assert {h.code for h in plan.headline_outcomes} == HEADLINES
    codes = [n.code for _, n in plan.needs]
    assert len(codes) == len(set(codes)) >= 33
    assert "HEALTH_MENTAL" not in codes
    assert "EDU_ATTENDANCE" in codes
    assert plan.eligibility.count == "headline_outcomes"
    assert plan.claims == national.claims  # inherited unchanged
    assert framework_fingerprint(plan) != framework_fingerprint(national)


def test_every_shipped_framework_loads() -> None:
    for name in builtin_framework_paths():
        assert framework_load(name).needs


def _write(tmp_path: Path, body: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


PLAN = "framework: local\nversion: '1'\ntitle: t\nextends: supporting-families-2022\n"
NEED = """
headline_outcomes:
  - code: CRIME_PREVENTION
    needs:
      - code: LOCAL_NEED
        name: n
        rule: {rule}
"""


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("{kind: events, feed: polce_arrests, at_least: 1}", "unknown feed 'polce_arrests'"),
        ("{kind: events, feed: police_arrests, where: {ofence: [X]}, at_least: 1}",
         "has no field 'ofence'"),
        ("{kind: events, feed: health, where: {flag: [CAMHS_REFERAL]}, at_least: 1}",
         "'CAMHS_REFERAL' is not a code of health.flag"),
        ("{kind: events, feed: health, window: 12 monthz, at_least: 1}", "window '12 monthz'"),
        ("{kind: events, feed: health, at_most: 0}", "at_most belongs in success measures"),
        ("{kind: events, feed: health, window: since closure, at_least: 1}",
         "'since closure' only applies to success rules"),
        ("{kind: events, feed: health}", "needs at_least or at_most"),
        ("{kind: ratio, feed: attendance, numerator: [sessions_possible], "
         "denominator: sessions_possible, at_least: 0.1, window: 12 months}",
         "a ratio rule's window is in terms"),
        ("{kind: episodes, feed: social_care, start: start_date, end: school_urn, at_least: 1}",
         "has no field 'school_urn'"),
        ("{kind: events, feed: domestic_abuse, roles: [witness], at_least: 1}",
         "has no person role 'witness'"),
        ("{kind: latest, feed: neet, field: status, values: [NET]}", "'NET' is not a code"),
        ("{kind: events, feed: health, at_least: 1, colour: red}", "Extra inputs"),
    ],
)  # fmt: skip
def test_invalid_rules_are_errors_naming_the_place(tmp_path: Path, rule: str, message: str) -> None:
    path = _write(tmp_path, PLAN + NEED.format(rule=rule))
    with pytest.raises(FrameworkError) as caught:
        framework_load(path)
    text = str(caught.value)
    assert message in text
    assert str(path) in text
    assert "headline_outcomes" in text or "Extra inputs" in text


def test_a_plan_cannot_add_an_eleventh_headline_outcome(tmp_path: Path) -> None:
    body = PLAN + "headline_outcomes:\n  - {code: HAPPINESS, needs: []}\n"
    with pytest.raises(FrameworkError, match="'HAPPINESS' is not a headline outcome"):
        framework_load(_write(tmp_path, body))


def test_dropping_an_unknown_need_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match="'NOPE' is not a need"):
        framework_load(_write(tmp_path, PLAN + "drop_needs: [NOPE]\n"))


def test_a_need_code_used_twice_is_an_error(tmp_path: Path) -> None:
    body = PLAN + NEED.format(rule="{kind: events, feed: health, at_least: 1}").replace(
        "LOCAL_NEED", "SUBSTANCE"
    )
    with pytest.raises(FrameworkError, match="SUBSTANCE is already a need under SUBSTANCE_USE"):
        framework_load(_write(tmp_path, body))


def test_extends_cycle_and_bad_yaml_and_missing_file(tmp_path: Path) -> None:
    _write(tmp_path, "framework: a\nversion: '1'\ntitle: a\nextends: b.yaml\n", "a.yaml")
    _write(tmp_path, "framework: b\nversion: '1'\ntitle: b\nextends: a.yaml\n", "b.yaml")
    with pytest.raises(FrameworkError, match="leads back to itself"):
        framework_load(tmp_path / "a.yaml")
    with pytest.raises(FrameworkError, match="not valid YAML"):
        framework_load(_write(tmp_path, "framework: [unclosed\n", "bad.yaml"))
    with pytest.raises(FrameworkError, match="no such framework"):
        framework_load(tmp_path / "missing.yaml")


def test_a_framework_with_no_needs_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match="defines no needs"):
        framework_load(_write(tmp_path, "framework: empty\nversion: '1'\ntitle: e\n"))
