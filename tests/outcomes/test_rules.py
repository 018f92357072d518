"""Every rule type of the default framework, at its window edges, over a real warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.outcomes.conftest import Result, Scenario

AS_OF = date(2026, 8, 31)  # last three terms start 2025-09-01; last 12 months 2025-08-31


def _family(s: Scenario, name: str = "F1") -> tuple[str, str]:
    parent = s.person(f"{name}-parent", name, date(1985, 3, 1), "PARENT")
    child = s.person(f"{name}-child", name, date(2012, 5, 5), "CHILD")
    return parent, child


def test_events_window_includes_its_first_day_and_not_the_day_before(scenario: Scenario) -> None:
    parent, _ = _family(scenario, "F1")
    other, _ = _family(scenario, "F2")
    scenario.fact("police_arrests", parent, arrest_date=date(2025, 8, 31), custody_ref="C1")
    scenario.fact("police_arrests", other, arrest_date=date(2025, 8, 30), custody_ref="C2")
    result = scenario.assess(AS_OF)
    assert result.needs.get("F1") == {"CRIME"}
    assert "F2" not in result.needs
    assert result.person_needs[parent] == {"CRIME"}


def test_an_event_after_the_as_of_date_does_not_count(scenario: Scenario) -> None:
    parent, _ = _family(scenario)
    scenario.fact("youth_justice", parent, offence_date=date(2026, 9, 1))
    assert scenario.assess(AS_OF).needs == {}


def test_three_suspensions_in_three_terms_but_not_two_and_not_lunchtime(
    scenario: Scenario,
) -> None:
    _, child1 = _family(scenario, "F1")
    _, child2 = _family(scenario, "F2")
    for day in (date(2025, 9, 1), date(2026, 1, 10), date(2026, 5, 5)):
        scenario.fact("exclusions", child1, category="SUSP", start_date=day)
    scenario.fact("exclusions", child2, category="SUSP", start_date=date(2025, 8, 31))  # outside
    scenario.fact("exclusions", child2, category="SUSP", start_date=date(2025, 10, 1))
    scenario.fact("exclusions", child2, category="LNCH", start_date=date(2025, 11, 1))
    scenario.fact("exclusions", child2, category="SUSP", start_date=date(2026, 2, 1))
    result = scenario.assess(AS_OF)
    assert result.needs.get("F1") == {"EDU_EXCLUSION"}
    assert "F2" not in result.needs


def test_a_permanent_exclusion_on_the_first_day_of_the_window(scenario: Scenario) -> None:
    _, child = _family(scenario)
    scenario.fact("exclusions", child, category="PERM", start_date=date(2025, 9, 1))
    assert scenario.assess(AS_OF).needs == {"F1": {"EDU_EXCLUSION"}}


def _attendance(s: Scenario, child: str, year: str, term: str, possible: int, absent: int,
                as_of: date | None = None) -> None:  # fmt: skip
    s.fact(
        "attendance", child, school_urn="100001", academic_year=year, term=term,
        sessions_possible=possible, sessions_authorised=absent // 2,
        sessions_unauthorised=absent - absent // 2, as_of_date=as_of or date(2026, 7, 22),
    )  # fmt: skip


def test_attendance_exactly_ninety_percent_is_a_need_and_just_above_is_not(
    scenario: Scenario,
) -> None:
    _, child1 = _family(scenario, "F1")
    _, child2 = _family(scenario, "F2")
    for term in ("AUT", "SPR", "SUM"):
        _attendance(scenario, child1, "2025/26", term, 100, 10)  # 10.0% absence
        _attendance(scenario, child2, "2025/26", term, 1000, 99)  # 9.9%
    result = scenario.assess(AS_OF)
    assert result.needs == {"F1": {"EDU_ATTENDANCE"}}


def test_attendance_counts_only_the_last_three_terms_and_the_latest_figures(
    scenario: Scenario,
) -> None:
    _, child = _family(scenario)
    _attendance(scenario, child, "2024/25", "SUM", 100, 90)  # a fourth term back: outside
    _attendance(scenario, child, "2025/26", "AUT", 100, 30, date(2025, 12, 19))
    _attendance(scenario, child, "2025/26", "AUT", 100, 0, date(2026, 1, 10))  # re-issued
    _attendance(scenario, child, "2025/26", "SPR", 100, 5)
    _attendance(scenario, child, "2025/26", "SUM", 100, 5)
    assert scenario.assess(AS_OF).needs == {}


def test_episode_ending_on_the_first_day_of_the_window_counts(scenario: Scenario) -> None:
    _, child1 = _family(scenario, "F1")
    _, child2 = _family(scenario, "F2")
    scenario.fact("social_care", child1, episode_type="CIN", start_date=date(2024, 1, 1),
                  end_date=date(2025, 8, 31))  # fmt: skip
    scenario.fact("social_care", child2, episode_type="CIN", start_date=date(2024, 1, 1),
                  end_date=date(2025, 8, 30))  # fmt: skip
    result = scenario.assess(AS_OF)
    assert result.needs == {"F1": {"SAFEGUARDING"}}


def test_a_later_snapshot_that_closes_an_episode_wins(scenario: Scenario) -> None:
    parent, child = _family(scenario)
    for end in (None, date(2025, 6, 30)):  # the old extract still shows it open
        for person, role in ((parent, "PARENT"), (child, "CHILD")):
            scenario.fact(
                "early_help", person, eh_family_id="EH1", family_role=role, episode_id="E1",
                episode_start=date(2024, 11, 1), episode_end=end,
                episode_reason="PARENTAL_CONFLICT",
            )  # fmt: skip
    assert scenario.assess(AS_OF).needs == {}


def test_household_need_from_a_child_present_at_an_incident(scenario: Scenario) -> None:
    _, child = _family(scenario)
    scenario.fact("domestic_abuse", child, slot="child_1", role="child_present",
                  incident_ref="DA1", incident_date=date(2026, 2, 1))  # fmt: skip
    result = scenario.assess(AS_OF)
    assert result.needs == {"F1": {"DOMESTIC_ABUSE"}}
    assert result.person_needs == {child: {"DOMESTIC_ABUSE"}}


def test_latest_neet_status_decides(scenario: Scenario) -> None:
    young1 = scenario.person("Y1", "F1", date(2008, 1, 1), "YOUNG_ADULT")
    young2 = scenario.person("Y2", "F2", date(2008, 1, 1), "YOUNG_ADULT")
    young3 = scenario.person("Y3", "F3", date(2008, 1, 1), "YOUNG_ADULT")
    scenario.fact("neet", young1, status="NEET", status_date=date(2026, 3, 1))
    scenario.fact("neet", young2, status="NEET", status_date=date(2026, 3, 1))
    scenario.fact("neet", young2, status="EET", status_date=date(2026, 6, 1))
    scenario.fact("neet", young3, status="NEET", status_date=date(2025, 8, 1))  # too old
    assert scenario.assess(AS_OF).needs == {"F1": {"EDU_NEET"}}


def test_evidence_names_file_and_row(scenario: Scenario) -> None:
    parent, _ = _family(scenario)
    record = scenario.fact("health", parent, flag="ADULT_MENTAL_HEALTH",
                           flag_date=date(2026, 1, 5))  # fmt: skip
    result = scenario.assess(AS_OF)
    (row,) = [e for e in result.evidence if e["stage"] == "need"]
    assert row["record_id"] == record
    assert (row["feed"], row["file_name"], row["need"]) == (
        "health", "health_test.csv", "HEALTH_MENTAL")  # fmt: skip
    assert row["row_number"] == int(record.rsplit(":", 1)[1])
    assert row["event_date"] == date(2026, 1, 5)


def _three_needs(s: Scenario, parent: str, child: str) -> None:
    s.fact("police_arrests", parent, arrest_date=date(2026, 1, 1), custody_ref="C9")
    s.fact("health", parent, flag="SUBSTANCE_TREATMENT", flag_date=date(2026, 2, 1))
    s.fact("health", child, flag="CAMHS_REFERRAL", flag_date=date(2026, 3, 1))


def test_eligible_with_three_needs_and_a_dependent_child(scenario: Scenario) -> None:
    parent, child = _family(scenario, "F1")
    adult1 = scenario.person("A1", "F2", date(1970, 1, 1))
    adult2 = scenario.person("A2", "F2", date(1972, 1, 1))
    _three_needs(scenario, parent, child)
    _three_needs(scenario, adult1, adult2)
    result = scenario.assess(AS_OF)
    assert result.needs["F1"] == {"CRIME", "SUBSTANCE", "HEALTH_MENTAL"}
    assert result.eligible["F1"] is True
    assert result.needs["F2"] == result.needs["F1"]
    assert result.eligible["F2"] is False  # no dependent child
    assert result.summary.counts.eligible == 1


def test_a_child_who_turns_eighteen_is_no_longer_dependent(scenario: Scenario) -> None:
    parent = scenario.person("P", "F1", date(1980, 1, 1))
    child = scenario.person("C", "F1", date(2008, 8, 31), "CHILD")  # 18 on the as-of date
    scenario.fact("school_census", child, census_date=date(2025, 10, 2), ncyear="13")
    _three_needs(scenario, parent, parent)
    assert scenario.assess(AS_OF).eligible["F1"] is False


def test_early_years_need_applies_only_to_the_under_fives(scenario: Scenario) -> None:
    for family, dob in (("F1", date(2022, 9, 1)), ("F2", date(2021, 8, 30))):
        child = scenario.person(f"{family}-c", family, dob, "CHILD")
        scenario.fact(
            "early_help", child, eh_family_id=family, family_role="CHILD", episode_id=family,
            episode_start=date(2026, 1, 1), episode_reason="SPEECH_LANGUAGE_COMMUNICATION",
        )  # fmt: skip
    needs = scenario.assess(AS_OF).needs
    assert needs["F1"] == {"EARLY_YEARS"}
    assert "EARLY_YEARS" not in needs.get("F2", set())  # aged 5 on the as-of date


def test_counting_by_headline_outcomes_is_configuration(scenario: Scenario, tmp_path: Path) -> None:
    parent, child = _family(scenario)
    _three_needs(scenario, parent, child)
    scenario.fact("exclusions", child, category="PERM", start_date=date(2026, 3, 3))
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "framework: strict-plan\nversion: '1'\ntitle: t\nextends: supporting-families-2022\n"
        "eligibility: {count: headline_outcomes, minimum: 4}\n"
    )
    # CRIME, SUBSTANCE, HEALTH_MENTAL, EDU_EXCLUSION: four needs under four outcomes.
    assert scenario.assess(AS_OF, plan).eligible["F1"] is True
    plan.write_text(plan.read_text().replace("minimum: 4", "minimum: 5"))
    assert scenario.assess(AS_OF, plan).eligible["F1"] is False


def test_a_run_is_reproducible_from_its_inputs(scenario: Scenario) -> None:
    parent, child = _family(scenario)
    _three_needs(scenario, parent, child)
    first = scenario.assess(AS_OF)
    again = scenario.assess(AS_OF)
    assert again.summary.run_id != first.summary.run_id
    assert again.summary.input_fingerprint == first.summary.input_fingerprint
    assert (again.needs, again.eligible, again.person_needs) == (
        first.needs, first.eligible, first.person_needs)  # fmt: skip

    def rows(result: Result) -> list[tuple[object, ...]]:
        return sorted(tuple(v for k, v in e.items() if k != "run_id") for e in result.evidence)

    assert rows(again) == rows(first)
    earlier = scenario.assess(date(2026, 1, 31))
    assert earlier.summary.input_fingerprint != first.summary.input_fingerprint
    assert earlier.needs["F1"] == {"CRIME"}  # the later events are not seen


def test_an_expectant_parent_rule_makes_a_family_without_children_eligible(
    scenario: Scenario, tmp_path: Path
) -> None:
    mother = scenario.person("M", "F1", date(1995, 1, 1))
    partner = scenario.person("D", "F1", date(1994, 1, 1))
    _three_needs(scenario, mother, partner)
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "framework: maternity\nversion: '1'\ntitle: t\nextends: supporting-families-2022\n"
        "eligibility:\n  expectant_parent: {kind: events, feed: health, "
        "where: {flag: [PERINATAL_MENTAL_HEALTH]}, window: 9 months, at_least: 1}\n"
    )
    assert scenario.assess(AS_OF, plan).eligible["F1"] is False
    scenario.fact("health", mother, flag="PERINATAL_MENTAL_HEALTH", flag_date=date(2026, 6, 1))
    assert scenario.assess(AS_OF, plan).eligible["F1"] is True
