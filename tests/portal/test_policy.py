"""The access policy as pure functions: every role with an object in and out of scope."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kinlink.portal import policy
from kinlink.portal.policy import Enrolled, PersonFacts, Scope

AS_OF = date(2026, 3, 31)
PUPIL = PersonFacts("P1", (Enrolled("100001", None),), "A. Lead", "Team North")
FORMER = PersonFacts("P2", (Enrolled("100001", AS_OF - timedelta(days=400)),))
RECENT = PersonFacts("P3", (Enrolled("100001", AS_OF - timedelta(days=100)),))
OTHER = PersonFacts("P4", (Enrolled("200002", None),), "B. Other", "Team South")


def allowed(scope: Scope, person: PersonFacts, **kw: object) -> bool:
    return policy.may_open_person(scope, person, as_of=AS_OF, window_days=365, **kw).allowed  # type: ignore[arg-type]


def test_head_teacher_sees_pupils_on_roll_now_or_within_the_window():
    head = Scope("h", policy.HEAD_TEACHER, school_urns=frozenset({"100001"}))
    assert allowed(head, PUPIL)
    assert allowed(head, RECENT)
    assert not allowed(head, FORMER)
    assert not allowed(head, OTHER)


def test_practitioner_sees_own_caseload_and_team():
    lead = Scope("p", policy.PRACTITIONER, practitioner_name="A. Lead")
    team = Scope("t", policy.PRACTITIONER, team="Team South")
    assert allowed(lead, PUPIL)
    assert not allowed(lead, OTHER)
    assert allowed(team, OTHER)
    assert not allowed(team, PUPIL)


def test_mash_sees_everyone_and_must_give_a_purpose():
    mash = Scope("m", policy.MASH)
    assert allowed(mash, OTHER)
    assert policy.purpose_required(mash)


def test_analyst_and_administrator_never_open_a_person():
    for role in (policy.ANALYST, policy.ADMINISTRATOR):
        scope = Scope("x", role)
        assert not allowed(scope, PUPIL)
        assert not policy.may_search(scope)
    assert policy.may_view_aggregates(Scope("a", policy.ANALYST))
    assert not policy.may_view_aggregates(Scope("a", policy.ADMINISTRATOR))


def test_break_glass_opens_out_of_scope_only_while_it_lasts():
    head = Scope("h", policy.HEAD_TEACHER, school_urns=frozenset({"100001"}))
    now = datetime(2026, 4, 1, 12, tzinfo=UTC)
    live = allowed(head, OTHER, break_glass_until=now + timedelta(minutes=5), now=now)
    expired = allowed(head, OTHER, break_glass_until=now - timedelta(minutes=5), now=now)
    assert live
    assert not expired
    assert not allowed(Scope("a", policy.ANALYST), OTHER,
                       break_glass_until=now + timedelta(minutes=5), now=now)  # fmt: skip


def test_restricted_sensitivities_need_clearance():
    head = Scope("h", policy.HEAD_TEACHER)
    mash = Scope("m", policy.MASH, cleared=policy.default_clearances(policy.MASH))
    assert not policy.sensitivity_visible(head, "police_intelligence")
    assert not policy.sensitivity_visible(head, "health")
    assert policy.sensitivity_visible(head, "education")
    assert policy.sensitivity_visible(mash, "police_intelligence")
    assert "police" in policy.contact_for("police_intelligence")


def test_families_open_to_mash_and_the_caseload_only():
    assert policy.may_open_family(Scope("m", policy.MASH), family_lead="", family_team="")
    lead = Scope("p", policy.PRACTITIONER, practitioner_name="A. Lead")
    assert policy.may_open_family(lead, family_lead="A. Lead", family_team="")
    assert not policy.may_open_family(lead, family_lead="B. Other", family_team="")
    head = Scope("h", policy.HEAD_TEACHER, school_urns=frozenset({"1"}))
    assert not policy.may_open_family(head, family_lead="A. Lead", family_team="")
