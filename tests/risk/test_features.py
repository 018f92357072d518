"""Features and labels as of a date: no look-ahead, households, evidence, population."""

from __future__ import annotations

from datetime import date, timedelta

from tests.risk.conftest import RiskScenario

AS_OF = date(2024, 8, 1)
ADULT = date(2003, 5, 5)  # 21 at AS_OF


def _value(data, key: str, as_of: date, feature: str) -> int | None:
    column = data.feature_names.index(feature)
    for (k, d), values in zip(data.keys, data.values, strict=True):
        if k == key and d == as_of:
            return values[column]
    return None


def _label(data, key: str, as_of: date) -> int | None:
    for (k, d), y in zip(data.keys, data.labels, strict=True):
        if k == key and d == as_of:
            return y
    return None


def test_a_feature_as_of_a_date_never_uses_a_later_row(risk_scenario: RiskScenario) -> None:
    s = risk_scenario
    young = s.person("young", "F1", ADULT, "YOUNG_ADULT")
    s.fact("school_census", young, census_date=date(2019, 1, 17))  # known before every date
    arrest = s.fact(
        "police_arrests", young, arrest_date=AS_OF, custody_ref="C1", domestic_abuse=False
    )
    s.ready(AS_OF)
    data = s.dataset("dv-profile", [AS_OF - timedelta(days=1), AS_OF])
    assert _value(data, young, AS_OF - timedelta(days=1), "non_dv_arrest") == 0
    assert _value(data, young, AS_OF, "non_dv_arrest") == 1
    assert (young, AS_OF, "non_dv_arrest", arrest) in s.evidence
    assert all(d >= AS_OF for k, d, f, r in s.evidence if r == arrest)


def test_a_label_only_counts_rows_strictly_after_the_as_of_date_and_within_the_horizon(
    risk_scenario: RiskScenario,
) -> None:
    s = risk_scenario
    on_the_day = s.person("on-the-day", "F1", ADULT, "YOUNG_ADULT")
    next_day = s.person("next-day", "F2", ADULT, "YOUNG_ADULT")
    last_day = s.person("last-day", "F3", ADULT, "YOUNG_ADULT")
    too_late = s.person("too-late", "F4", ADULT, "YOUNG_ADULT")
    for key, when in (
        (on_the_day, AS_OF),
        (next_day, AS_OF + timedelta(days=1)),
        (last_day, date(2025, 8, 1)),
        (too_late, date(2025, 8, 2)),
    ):
        s.fact("school_census", key, census_date=date(2019, 1, 17))
        s.fact("police_arrests", key, arrest_date=when, custody_ref=key, domestic_abuse=True)
    s.ready(AS_OF)
    data = s.dataset("dv-profile", [AS_OF])
    # a DV arrest on the as-of date is a prior label: that person leaves the population
    assert _label(data, on_the_day, AS_OF) is None
    assert _label(data, next_day, AS_OF) == 1
    assert _label(data, last_day, AS_OF) == 1
    assert _label(data, too_late, AS_OF) == 0
    assert {k for k, _, _ in s.label_evidence} == {next_day, last_day}


def test_a_household_feature_holds_through_a_family_member_with_its_evidence(
    risk_scenario: RiskScenario,
) -> None:
    s = risk_scenario
    young = s.person("young", "F1", ADULT, "YOUNG_ADULT")
    parent = s.person("parent", "F1", date(1975, 1, 1), "PARENT")
    stranger = s.person("stranger", "F2", ADULT, "YOUNG_ADULT")
    for key in (young, stranger):
        s.fact("school_census", key, census_date=date(2019, 1, 17))
    flag = s.fact("health", parent, flag="SUBSTANCE_TREATMENT", flag_date=date(2022, 2, 2))
    s.ready(AS_OF)
    data = s.dataset("dv-profile", [AS_OF])
    assert _value(data, young, AS_OF, "family_substance_misuse") == 1
    assert _value(data, stranger, AS_OF, "family_substance_misuse") == 0
    assert (young, AS_OF, "family_substance_misuse", flag) in s.evidence
    assert _value(data, parent, AS_OF, "family_substance_misuse") is None  # 49: not in population


def test_groups_are_read_as_of_the_date(risk_scenario: RiskScenario) -> None:
    s = risk_scenario
    young = s.person("young", "F1", ADULT, "YOUNG_ADULT")
    s.fact("school_census", young, census_date=date(2019, 1, 17), ethnicity="WBRI",
           sen_provision="N", fsm_eligible=False)  # fmt: skip
    s.fact("school_census", young, census_date=date(2025, 1, 16), ethnicity="WBRI",
           sen_provision="K", fsm_eligible=True)  # fmt: skip
    s.ready(AS_OF)
    data = s.dataset("dv-profile", [AS_OF], with_labels=False)
    groups = data.groups[data.keys.index((young, AS_OF))]
    assert groups["ethnicity"] == "White"
    assert groups["sen"] == "no SEN"  # the SEN support record comes after the as-of date
    assert groups["fsm"] == "no FSM"
