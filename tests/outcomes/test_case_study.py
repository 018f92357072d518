"""The seed's case study, Child A: attendance from 84% to 100%, no suspensions, ASB stopped,
early help closed with outcomes met. Eligible before; a claim candidate only once the six
months' sustainment after closure have passed, and only if every need stayed met."""

from __future__ import annotations

from datetime import date

import pytest

from tests.outcomes.conftest import Scenario

START, CLOSED = date(2025, 9, 15), date(2026, 2, 28)  # sustained until 2026-08-28
BEFORE = ("2024/25", (("SPR", date(2025, 3, 28)), ("SUM", date(2025, 7, 22))))
AFTER = (
    ("2025/26", "AUT", date(2025, 12, 19)),
    ("2025/26", "SPR", date(2026, 3, 28)),
    ("2025/26", "SUM", date(2026, 7, 22)),
)


def _attendance(s: Scenario, child: str, year: str, term: str, absent: int, when: date) -> None:
    s.fact(
        "attendance", child, school_urn="100001", academic_year=year, term=term,
        sessions_possible=100, sessions_authorised=absent, sessions_unauthorised=0,
        as_of_date=when,
    )  # fmt: skip


def _child_a(s: Scenario, *, reoffends: bool = False, feeds_stop: bool = False) -> str:
    mother = s.person("mother", "FA", date(1988, 6, 2), "PARENT")
    child = s.person("child-a", "FA", date(2011, 4, 10), "CHILD")
    year, terms = BEFORE
    _attendance(s, child, "2024/25", "AUT", 16, date(2024, 12, 19))
    for term, when in terms:
        _attendance(s, child, year, term, 16, when)  # 84% attendance
    for day in (date(2025, 1, 20), date(2025, 3, 10), date(2025, 5, 12)):
        s.fact("exclusions", child, category="SUSP", start_date=day)
    s.fact("youth_justice", child, offence_date=date(2025, 6, 1), offence_category="Public order")
    for y, term, when in AFTER:
        _attendance(s, child, y, term, 0, when)  # 100% attendance
    if reoffends:
        s.fact(
            "youth_justice", child, offence_date=date(2026, 5, 1), offence_category="Public order"
        )
    # The episode as two monthly extracts saw it: open, then closed with outcomes met.
    for end, reason in ((None, None), (CLOSED, "OUTCOMES_MET")):
        for person, role in ((mother, "PARENT"), (child, "CHILD")):
            s.fact(
                "early_help", person, eh_family_id="EHA", family_role=role, episode_id="EPA",
                episode_start=START, episode_end=end, episode_reason="CHILD_BEHAVIOUR",
                end_reason=reason, lead_practitioner="Lead practitioner 7", team="North",
            )  # fmt: skip
    # Other families' records show each feed's data reaching past the sustainment date,
    # so an absence of events for Child A is evidence, not a gap in the data.
    other = s.person("other", "FB", date(2010, 1, 1), "CHILD")
    reach = date(2025, 12, 1) if feeds_stop else date(2026, 9, 20)
    s.fact("exclusions", other, category="LNCH", start_date=reach)
    s.fact("youth_justice", other, offence_date=reach, offence_category="Theft")
    s.fact("police_arrests", other, arrest_date=reach, custody_ref="X1")
    return child


def test_child_a_is_eligible_with_three_needs_while_the_episode_is_open(
    scenario: Scenario,
) -> None:
    _child_a(scenario)
    result = scenario.assess(date(2025, 10, 31))
    assert result.needs["FA"] == {"EDU_ATTENDANCE", "EDU_EXCLUSION", "CRIME"}
    assert result.eligible["FA"] is True
    assert set(result.progress.values()) == {"in_progress"}
    assert result.claims == set()


def test_child_a_closed_but_not_yet_sustained_is_not_a_claim(scenario: Scenario) -> None:
    _child_a(scenario)
    result = scenario.assess(date(2026, 8, 27))  # a day before six months after closure
    assert result.needs.get("FA", set()) == set()  # the needs have gone
    assert set(result.progress.values()) == {"sustaining"}
    assert result.claims == set()


def test_child_a_becomes_a_claim_candidate_once_sustained(scenario: Scenario) -> None:
    _child_a(scenario)
    result = scenario.assess(date(2026, 8, 28))
    assert result.progress == {
        ("FA", "EDU_ATTENDANCE"): "met",
        ("FA", "EDU_EXCLUSION"): "met",
        ("FA", "CRIME"): "met",
    }
    assert result.claims == {"FA"}


def test_anti_social_behaviour_after_closure_means_no_claim(scenario: Scenario) -> None:
    _child_a(scenario, reoffends=True)
    result = scenario.assess(date(2026, 9, 30))
    assert result.progress[("FA", "CRIME")] == "not_met"
    assert result.progress[("FA", "EDU_ATTENDANCE")] == "met"
    assert result.claims == set()


@pytest.mark.parametrize("need", ["EDU_EXCLUSION", "CRIME"])
def test_no_data_after_closure_is_not_measurable_not_met(scenario: Scenario, need: str) -> None:
    _child_a(scenario, feeds_stop=True)
    result = scenario.assess(date(2026, 9, 30))
    assert result.progress[("FA", need)] == "not_measurable"
    assert result.claims == set()
