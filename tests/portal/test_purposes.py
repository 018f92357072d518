"""A session declares a purpose from the governance registry, and the purpose decides which
feeds are shown: on the child page, in the chronology, by direct URL, in search flags and
exports. Every audit row carries the purpose code."""

from __future__ import annotations

import re
from datetime import date

import pytest

from kinlink.governance import registry_load
from kinlink.portal import policy
from kinlink.portal.models import AuditEvent, Event, Person, RecordLink
from kinlink.sources import definitions_load
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db

ENDED = "emergency_vulnerable_residents"  # the shipped registry ends it on 2025-03-31


def _youth_justice_child() -> Person:
    """A child with youth justice records (the feed MASH enquiries may not show)."""
    keys = Event.objects.filter(feed="youth_justice").values("person_key")
    person = Person.objects.filter(pk__in=keys, is_child=True, youth_justice=True).order_by("pk")
    found = person.first()
    assert found is not None
    return found


# --- the decision, without a database ---------------------------------------------------


def test_roles_are_offered_their_registry_purposes_in_force_only():
    registry = registry_load()
    purposes = registry.purposes.values()
    during = [p.code for p in policy.purposes_offered(policy.MASH, purposes, date(2025, 1, 1))]
    after = [p.code for p in policy.purposes_offered(policy.MASH, purposes, date(2026, 1, 1))]
    assert ENDED in during
    assert ENDED not in after
    assert not policy.may_use_purpose(policy.MASH, ENDED, purposes, date(2026, 1, 1))
    # The registry says early_help_practitioner; the portal's role is practitioner.
    practitioner = policy.purposes_offered(policy.PRACTITIONER, purposes, date(2026, 1, 1))
    assert "supporting_families_outcomes" in [p.code for p in practitioner]
    assert not policy.may_use_purpose(policy.PRACTITIONER, "mash_enquiry", purposes,
                                      date(2026, 1, 1))  # fmt: skip
    assert policy.purposes_offered(policy.ADMINISTRATOR, purposes, date(2026, 1, 1)) == []


def test_a_purpose_shows_the_feeds_its_agreements_allow_and_scores_only_with_their_feeds():
    registry, definitions = registry_load(), definitions_load()
    labels = {"exploitation-model": frozenset({"exploitation"}),
              "dv-model": frozenset({"domestic_abuse", "police_arrests"})}  # fmt: skip
    on = date(2026, 1, 1)
    feeds, models = policy.feeds_shown(registry, definitions, "mash_enquiry", on,
                                       risk_label_feeds=labels)  # fmt: skip
    assert "youth_justice" not in feeds  # its agreement does not allow MASH enquiries
    assert {"police_intelligence", "exploitation"} <= feeds
    assert models == {"exploitation-model", "dv-model"}
    assert policy.RISK_FEED in feeds
    feeds, models = policy.feeds_shown(registry, definitions, "safe_exploitation_review", on,
                                       risk_label_feeds=labels)  # fmt: skip
    assert "domestic_abuse" not in feeds
    assert models == {"exploitation-model"}
    assert policy.feeds_shown(registry, definitions, ENDED, on) == (frozenset(), frozenset())
    scope = policy.Scope("m", policy.MASH, feeds=frozenset({"attendance"}))
    assert policy.flags_visible(scope) == {"persistent_absence", "eligible_family"}
    columns = ("person_key", "youth_justice", "persistent_absence", "school_urn")
    row = policy.blank_hidden_columns(scope, columns, ("P1", True, True, "100001"))
    assert row == ["P1", "", True, ""]  # no census: no school either
    analyst = policy.Scope("a", policy.ANALYST, feeds=frozenset({"attendance"}))
    assert policy.blank_hidden_columns(analyst, columns, ("x", True, True, "1")) == [
        "x",
        "",
        True,
        "",
    ]
    assert policy.measure_visible(analyst, "persistent_absence")
    assert not policy.measure_visible(analyst, "open_exploitation")
    assert not policy.measure_visible(analyst, "new_open_exploitation")
    assert policy.measure_visible(analyst, "families_eligible")


# --- in the portal ------------------------------------------------------------------------


def test_after_sign_in_the_user_chooses_a_purpose_and_an_ended_one_is_refused(db):
    client = sign_in("mash-choose", "mash", purpose="")
    response = client.get("/search/")
    assert response.status_code == 302
    assert response.url.startswith("/purpose/?next=")
    page = client.get(response.url)
    assert b'value="mash_enquiry"' in page.content
    shown = AuditEvent.objects.get(username="mash-choose", action="view_purposes")
    assert "mash_enquiry" in shown.detail["offered"]
    assert ENDED not in shown.detail["offered"]
    assert b'value="supporting_families_outcomes"' not in page.content  # not a MASH purpose
    assert ENDED.encode() not in page.content
    refused = client.post("/purpose/", {"purpose": ENDED})
    assert refused.status_code == 400
    assert client.get("/").status_code == 302  # still no purpose
    assert AuditEvent.objects.filter(username="mash-choose", action="access_refused",
                                     object_type="purpose", object_id=ENDED).exists()  # fmt: skip
    chosen = client.post("/purpose/", {"purpose": "mash_enquiry", "next": "/search/"})
    assert chosen.status_code == 302
    assert chosen.url == "/search/"
    header = client.get("/").content.decode()
    assert re.search(r'id="session-purpose">Purpose: MASH enquiry', header)
    choice = AuditEvent.objects.get(username="mash-choose", action="choose_purpose")
    assert (choice.object_id, choice.purpose_code) == ("mash_enquiry", "mash_enquiry")
    # It can be changed; the change is audited and later rows carry the new code.
    client.post("/purpose/", {"purpose": "safe_exploitation_review"})
    client.get("/")
    last = AuditEvent.objects.filter(username="mash-choose").order_by("-pk").first()
    assert (last.action, last.purpose_code) == ("view_dashboard", "safe_exploitation_review")


def test_every_audit_row_carries_the_purpose_code_and_mash_keeps_its_reason(db):
    person = Person.objects.filter(is_child=True).order_by("pk").first()
    client = sign_in("mash-audit", "mash")
    reason = "Strategy meeting about a referral"
    client.post(f"/child/{person.pk}/", {"purpose": reason})
    client.get(f"/child/{person.pk}/chronology/")
    client.get("/search/?flag=sen")
    rows = AuditEvent.objects.filter(username="mash-audit").exclude(action="choose_purpose")
    assert rows.count() >= 3
    assert {r.purpose_code for r in rows} == {"mash_enquiry"}
    views = rows.filter(action="view_child")
    assert {v.purpose for v in views} == {reason}
    from kinlink.portal.audit import audit_verify

    assert audit_verify().ok


def test_a_feed_the_purpose_may_not_show_is_hidden_everywhere_server_side(db):
    child = _youth_justice_child()
    yj = Event.objects.filter(person_key=child.pk, feed="youth_justice").first()
    link = RecordLink.objects.filter(person_key=child.pk, feed="youth_justice").first()
    assert yj is not None
    assert link is not None
    title = definitions_load()["youth_justice"].title

    mash = sign_in("mash-hidden", "mash")  # mash_enquiry: youth justice's agreement says no
    mash.post(f"/child/{child.pk}/", {"purpose": "Checking a referral from the school"})
    for path in (
        f"/child/{child.pk}/youth-justice/",
        f"/child/{child.pk}/chronology/",
        f"/child/{child.pk}/chronology/?feed=youth_justice",
        f"/child/{child.pk}/",
    ):
        page = mash.get(path)
        assert page.status_code == 200, path
        assert b'data-feed="youth_justice"' not in page.content, path
        assert yj.summary.encode() not in page.content, path
        assert title.encode() not in page.content, path  # not even a "record exists"
        assert b"Youth justice</strong>" not in page.content, path  # nor the flag
    assert mash.get(f"/child/{child.pk}/records/{link.pk}/").status_code == 404
    assert AuditEvent.objects.filter(username="mash-hidden", action="access_refused",
                                     object_id=child.pk).exists()  # fmt: skip
    # The flag is not offered, and filtering by it by URL changes nothing.
    search = mash.get("/search/")
    assert b'value="youth_justice"' not in search.content
    everyone = mash.get("/search/?year=")
    flagged = mash.get("/search/?flag=youth_justice")
    total = re.search(rb"\((\d+) results\)", everyone.content)
    assert total is not None
    assert total.group(0) in flagged.content

    # The same user under a purpose the agreement allows sees the records and the flag.
    mash.post("/purpose/", {"purpose": "safe_exploitation_review"})
    mash.post(f"/child/{child.pk}/", {"purpose": "Exploitation review of this child"})
    page = mash.get(f"/child/{child.pk}/youth-justice/")
    assert b'data-feed="youth_justice"' in page.content
    assert mash.get(f"/child/{child.pk}/records/{link.pk}/").status_code == 200


def test_exports_leave_out_the_flags_of_hidden_feeds(db):
    child = _youth_justice_child()
    client = sign_in("mash-export", "mash", may_export=True)
    data = {"purpose": "Monthly list for the exploitation panel", "query": ""}
    text = client.post("/search/export/", data).content.decode()
    header = next(line for line in text.splitlines() if line.startswith("person_key"))
    row = next(line for line in text.splitlines() if line.startswith(child.pk))
    column = header.split(",").index("youth_justice")
    assert row.split(",")[column] == ""
    client.post("/purpose/", {"purpose": "safe_exploitation_review"})
    text = client.post("/search/export/", data).content.decode()
    row = next(line for line in text.splitlines() if line.startswith(child.pk))
    assert row.split(",")[column] == "True"


def test_the_family_page_shows_only_what_the_purpose_allows(db):
    from kinlink.portal.models import Family, FamilyNeed

    need = (
        FamilyNeed.objects.filter(family_key__in=Family.objects.exclude(episode={}).values("pk"))
        .order_by("family_key", "pk")
        .first()
    )
    assert need is not None
    feeds = {e["feed"] for e in need.evidence}
    mash = sign_in("mash-family", "mash")  # mash_enquiry: early help shown
    page = mash.get(f"/family/{need.family_key}/").content.decode()
    assert "Early help episode" in page
    mash.post("/purpose/", {"purpose": "safe_exploitation_review"})  # no early help
    page = mash.get(f"/family/{need.family_key}/").content.decode()
    assert "Early help episode" not in page
    shown = policy.feeds_shown(registry_load(), definitions_load(), "safe_exploitation_review",
                               date(2026, 1, 1))[0]  # fmt: skip
    for feed in feeds - shown:
        assert f"– {feed}," not in page


def test_a_purpose_narrows_the_dashboard_search_columns_and_map(db):
    # supporting_families_outcomes: no attendance, no exploitation feed
    outcomes = sign_in("prac-outcomes", "practitioner", team="Team North",
                       purpose="supporting_families_outcomes")  # fmt: skip
    page = outcomes.get("/").content.decode()
    assert 'id="fig-families-eligible"' in page
    assert 'id="fig-persistent-absence"' not in page
    assert 'id="fig-open-exploitation"' not in page
    assert "Children with persistent absence" not in page  # nor as a map measure
    assert (
        outcomes.get("/?measure=persistent_absence")
        .content.decode()
        .count("Children with persistent absence")
        == 0
    )
    identification = sign_in("prac-ident", "practitioner", team="Team North",
                             purpose="supporting_families_identification")  # fmt: skip
    assert 'id="fig-persistent-absence"' in identification.get("/").content.decode()

    # domestic_abuse_response hides the census: no school or year columns
    mash = sign_in("mash-da", "mash", purpose="domestic_abuse_response")
    results = mash.get("/search/?year=")
    assert results.status_code == 200
    assert b">School</a>" not in results.content
    assert b'id="id_year"' not in results.content
    allowed = sign_in("mash-ok", "mash")  # mash_enquiry shows the census
    shown = allowed.get("/search/?year=")
    assert b">School</a>" in shown.content
    # A school filter by URL is ignored where the census is hidden.
    everyone = re.search(rb"\((\d+) results\)", results.content)
    school = Person.objects.exclude(school_urn="").order_by("pk").first()
    assert school is not None
    narrowed = mash.get(f"/search/?school={school.school_urn}")
    assert everyone is not None
    assert everyone.group(0) in narrowed.content
