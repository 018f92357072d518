"""The portal end to end on a published small city: publish, access, audit, search."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver

from kinlink.portal import publish as publish_module
from kinlink.portal.access import as_of
from kinlink.portal.audit import audit_verify, audit_write
from kinlink.portal.models import (
    AppendOnlyError,
    AuditEvent,
    BreakGlass,
    Enrolment,
    Event,
    Family,
    Person,
    PublishRun,
    RecordLink,
    WrongLinkReport,
)
from kinlink.portal.publish import publish_run
from tests.portal.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def _refusals(object_id: str) -> int:
    return AuditEvent.objects.filter(action="access_refused", object_id=object_id).count()


# --- publish ------------------------------------------------------------------------


def test_publish_copies_people_families_schools_and_events(assessed_city):
    run = PublishRun.objects.get()
    assert run.counts["people"] == Person.objects.count() > 1000
    assert Family.objects.filter(eligible=True).exists()
    assert Event.objects.count() == RecordLink.objects.count() == run.counts["events"]
    assert run.linkage_run_id
    assert run.assessment_run_id
    assert len(run.input_fingerprint) == 64
    intel = Event.objects.filter(feed="police_intelligence").first()
    assert intel is not None
    assert intel.sensitivity == "police_intelligence"
    assert intel.restricted_text
    assert intel.restricted_text not in intel.summary


def test_publish_is_idempotent(assessed_city):
    first = PublishRun.objects.get()
    again = publish_run(warehouse=assessed_city.warehouse)
    assert again.skipped
    assert PublishRun.objects.count() == 1
    before = sorted(Person.objects.values_list("pk", "forename", "persistent_absence"))
    forced = publish_run(warehouse=assessed_city.warehouse, force=True)
    assert not forced.skipped
    assert forced.counts == first.counts
    after = sorted(Person.objects.values_list("pk", "forename", "persistent_absence"))
    assert before == after


def test_a_failed_publish_leaves_the_previous_one_intact(assessed_city, monkeypatch):
    people = Person.objects.count()
    events = Event.objects.count()
    real_bulk = publish_module._bulk

    def failing(model, rows):
        if model is Event:
            raise RuntimeError("disk full")
        return real_bulk(model, rows)

    monkeypatch.setattr(publish_module, "_bulk", failing)
    with pytest.raises(RuntimeError):
        publish_run(warehouse=assessed_city.warehouse, force=True)
    assert Person.objects.count() == people
    assert Event.objects.count() == events
    assert PublishRun.objects.count() == 1


# --- sign in ------------------------------------------------------------------------


def test_pages_need_the_second_factor(db):
    from kinlink.portal.users import user_create

    user_create(username="nofactor", role="mash", password=PASSWORD)
    from django.test import Client

    client = Client()
    assert client.post("/login/", {"username": "nofactor", "password": PASSWORD}).status_code == 302
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.endswith("/login/code/")
    assert client.post("/login/code/", {"token": "000000"}).status_code == 200
    assert client.get("/").status_code == 302
    assert Client().get("/search/").status_code == 302  # not signed in at all


def test_repeated_wrong_passwords_lock_the_account(db):
    from django.test import Client

    from kinlink.portal.users import user_create

    user_create(username="victim", role="mash", password=PASSWORD)
    client = Client()
    for _ in range(3):
        client.post("/login/", {"username": "victim", "password": "wrong-password"})
    response = client.post("/login/", {"username": "victim", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_every_portal_route_is_guarded():
    from kinlink.portal.urls import PUBLIC

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "portal":
                    yield from walk(p.url_patterns, "portal")
            elif isinstance(p, URLPattern) and namespace == "portal":
                yield p

    routes = list(walk(get_resolver().url_patterns))
    assert len(routes) > 10
    unguarded = [p.name for p in routes if p.name not in PUBLIC
                 and not getattr(p.callback, "kinlink_guarded", False)]  # fmt: skip
    assert unguarded == []


# --- access -------------------------------------------------------------------------


def _page(content: bytes, key: str) -> bytes:
    """A page with the key and the per-render CSRF token blanked, for comparing."""
    return re.sub(
        rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content.replace(key.encode(), b"K")
    )


def _pupil_and_school() -> tuple[Person, str]:
    person = Person.objects.exclude(school_urn="").filter(is_child=True).order_by("pk").first()
    assert person is not None
    return person, person.school_urn


def test_head_teacher_opens_own_pupils_and_not_others(db):
    pupil, urn = _pupil_and_school()
    outsider = (
        Person.objects.exclude(pk__in=Enrolment.objects.filter(urn=urn).values("person_key"))
        .order_by("pk")
        .first()
    )
    client = sign_in("head", "head_teacher", school_urns=urn)
    assert client.get(f"/child/{pupil.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="view_child", object_id=pupil.pk).exists()
    response = client.get(f"/child/{outsider.pk}/")
    assert response.status_code == 404
    assert _refusals(outsider.pk) == 1
    missing = client.get("/child/PNOSUCHKEY0/")
    assert missing.status_code == 404
    assert _page(response.content, outsider.pk) == _page(missing.content, "PNOSUCHKEY0")
    assert client.get(f"/family/{outsider.family_key or 'F0'}/").status_code == 404
    other_school = Person.objects.exclude(school_urn__in=["", urn]).first()
    assert client.get(f"/schools/{other_school.school_urn}/").status_code == 404
    assert client.get(f"/schools/{urn}/?flag=sen").status_code == 200


def test_practitioner_sees_caseload_families_only(db):
    family = Family.objects.exclude(lead_practitioner="").order_by("pk").first()
    other = Family.objects.exclude(lead_practitioner=family.lead_practitioner).exclude(
        team=family.team).order_by("pk").first()  # fmt: skip
    client = sign_in("prac", "practitioner", practitioner_name=family.lead_practitioner)
    assert client.get(f"/family/{family.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="view_family", object_id=family.pk).exists()
    assert client.get(f"/family/{other.pk}/").status_code == 404
    assert _refusals(other.pk) == 1
    member = Person.objects.filter(family_key=family.pk).first()
    assert client.get(f"/child/{member.pk}/").status_code == 200


def test_mash_records_a_purpose_for_each_child_visit(db):
    person = Person.objects.filter(is_child=True).order_by("pk").first()
    client = sign_in("mashuser", "mash")
    response = client.get(f"/child/{person.pk}/")
    assert b"Why are you opening this record" in response.content
    assert not AuditEvent.objects.filter(action="view_child", object_id=person.pk).exists()
    purpose = "Strategy meeting about a referral"
    assert client.post(f"/child/{person.pk}/", {"purpose": purpose}).status_code == 200
    assert client.get(f"/child/{person.pk}/chronology/").status_code == 200
    views = AuditEvent.objects.filter(action="view_child", object_id=person.pk)
    assert views.count() == 2
    assert {v.purpose for v in views} == {purpose}


def test_analyst_sees_aggregates_only(db):
    person = Person.objects.first()
    client = sign_in("analyst1", "analyst")
    page = client.get("/")
    assert page.status_code == 200
    assert person.surname.encode() not in page.content
    assert client.get("/search/").status_code == 403
    assert client.get(f"/child/{person.pk}/").status_code == 403
    admin = sign_in("admin1", "administrator")
    assert admin.get(f"/child/{person.pk}/").status_code == 403


def test_sensitive_facts_are_withheld_from_uncleared_roles_and_break_glass_works(db):
    # Within a head teacher's display window (the last year), so the record is listed.
    since = as_of() - timedelta(days=365)
    intel = Event.objects.filter(feed="police_intelligence", date__gte=since).order_by("pk").first()
    person = Person.objects.get(pk=intel.person_key)
    urn = "999999"  # a head teacher whose school this person is not at
    client = sign_in("head2", "head_teacher", school_urns=urn)
    assert client.get(f"/child/{person.pk}/exploitation/").status_code == 404
    form = client.get(f"/child/{person.pk}/break-glass/")
    assert form.status_code == 200
    assert client.post(f"/child/{person.pk}/break-glass/", {"reason": "short"}).status_code == 200
    assert not BreakGlass.objects.exists()
    reason = "Police called about the child tonight; DSL needs context"
    response = client.post(f"/child/{person.pk}/break-glass/", {"reason": reason})
    assert response.status_code == 302
    grant = BreakGlass.objects.get()
    assert grant.dpo_reviewed_at is None
    assert grant.expires_at > grant.created_at
    page = client.get(f"/child/{person.pk}/exploitation/")
    assert page.status_code == 200
    assert b"not cleared to read it" in page.content
    assert intel.summary.encode() not in page.content
    assert intel.restricted_text.encode() not in page.content
    assert AuditEvent.objects.filter(action="break_glass", object_id=person.pk).exists()
    view = AuditEvent.objects.filter(action="view_child", object_id=person.pk).get()
    assert view.detail["via"] == "break_glass"
    assert reason in view.purpose
    mash = sign_in("mash2", "mash")
    mash.post(f"/child/{person.pk}/", {"purpose": "Checking police intelligence"})
    cleared = mash.get(f"/child/{person.pk}/exploitation/")
    assert intel.summary.encode() in cleared.content
    dpo = sign_in("dpo", "administrator")
    assert person.pk.encode() in dpo.get("/audit/").content
    dpo.post(f"/audit/break-glass/{grant.pk}/", {"note": "Justified"})
    grant.refresh_from_db()
    assert grant.dpo_reviewed_at is not None


# --- search ---------------------------------------------------------------------------


def test_search_pages_sorts_and_filters(db):
    client = sign_in("mash3", "mash")
    page1 = client.get("/search/?flag=persistent_absence&sort=dob")
    total = Person.objects.filter(is_child=True, persistent_absence=True).count()
    assert total > 25
    rows = page1.content.count(b"data-person-key=")
    assert rows == 25
    assert f"({total} results)".encode() in page1.content
    ordered = Person.objects.filter(is_child=True, persistent_absence=True).order_by(
        "dob", "surname", "person_key"
    )
    expected = list(ordered.values_list("pk", flat=True)[25:50])
    page2 = client.get("/search/?flag=persistent_absence&sort=dob&page=2")
    keys = [k.decode() for k in re.findall(rb'data-person-key="(\w+)"', page2.content)]
    assert keys == expected
    year = Person.objects.exclude(year_group="").first().year_group
    filtered = client.get(f"/search/?year={year}")
    shown = re.findall(rb'data-person-key="(\w+)"', filtered.content)
    assert shown
    assert all(Person.objects.get(pk=k.decode()).year_group == year for k in shown)
    assert AuditEvent.objects.filter(action="search", username="mash3").exists()


def test_search_by_name_tolerates_nicknames_and_slips(db):
    from kinlink.identity.names import forename_canonical

    person = next(p for p in Person.objects.filter(is_child=True).exclude(surname="")
                  .order_by("pk") if forename_canonical(p.forename) not in (None, p.forename_key)
                  and len(p.surname_key) > 4)  # fmt: skip
    slip = person.surname_key[:-1] + ("x" if person.surname_key[-1] != "x" else "y")
    client = sign_in("mash4", "mash")
    response = client.post("/search/", {"name": f"{forename_canonical(person.forename)} {slip}"})
    assert response.status_code == 302
    assert "s=" in response.url
    assert person.surname not in response.url  # names never travel in URLs
    results = client.get(response.url)
    assert person.pk.encode() in results.content
    terms = AuditEvent.objects.filter(action="search", username="mash4").get().detail["terms"]
    assert slip in terms["name"]


# --- wrong links ------------------------------------------------------------------------


def test_report_a_wrong_link_then_review_and_push(db, assessed_copy):
    link = RecordLink.objects.exclude(anchor_record_id="").order_by("pk").first()
    client = sign_in("mash5", "mash", link_reviewer=True)
    client.post(f"/child/{link.person_key}/", {"purpose": "Checking a possible wrong link"})
    page = client.get(f"/child/{link.person_key}/records/{link.pk}/")
    assert page.status_code == 200
    assert b"Report a wrong link" in page.content
    client.post(f"/child/{link.person_key}/records/{link.pk}/", {"comment": "Different birthday"})
    report = WrongLinkReport.objects.get()
    assert report.status == "open"
    client.post("/reviews/", {"report": report.pk, "decision": "different", "reason": "Checked"})
    report.refresh_from_db()
    assert report.status == "decided"
    assert report.same_person is False
    from kinlink.portal.reviews import reviews_push
    from kinlink.warehouse.store import warehouse_connect

    assert reviews_push(warehouse=assessed_copy) == 1
    con = warehouse_connect(assessed_copy, read_only=True)
    try:
        rows = con.execute("SELECT same_person FROM linkage_review_decisions").fetchall()
    finally:
        con.close()
    assert rows == [(False,)]


# --- audit ----------------------------------------------------------------------------


def test_audit_chain_verifies_and_detects_tampering(db):
    for n in range(3):
        audit_write(username="u", role="mash", action="view_child", object_id=f"P{n}")
    assert audit_verify().ok
    last = AuditEvent.objects.order_by("-pk").first()
    with connection.cursor() as cursor:  # a forged row slipped in behind the application
        cursor.execute(
            f"INSERT INTO {AuditEvent._meta.db_table} (at, username, role, action, object_type, "
            "object_id, purpose, source_ip, detail, prev_hash, hash) "
            "VALUES (%s, 'x', '', 'view_child', '', 'P9', '', '', '{}', %s, %s)",
            [last.at, last.hash, "f" * 64],
        )
    result = audit_verify()
    assert not result.ok
    assert result.first_bad is not None


def test_audit_rows_cannot_be_changed_or_deleted(db):
    event = audit_write(username="u", role="mash", action="view_child", object_id="P1")
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(username="other")
    table = AuditEvent._meta.db_table
    for sql in (f"UPDATE {table} SET username = 'other'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).username == "u"


def test_audit_reports_who_viewed_a_child_and_what_a_user_viewed(db):
    person = Person.objects.filter(is_child=True).first()
    mash = sign_in("mash6", "mash")
    mash.post(f"/child/{person.pk}/", {"purpose": "Referral screening today"})
    dpo = sign_in("dpo2", "administrator")
    assert b"mash6" in dpo.get(f"/audit/?person={person.pk}").content
    assert person.pk.encode() in dpo.get("/audit/?user=mash6").content


# --- deployment -----------------------------------------------------------------------


def test_production_settings_pass_check_deploy(tmp_path: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kinlink.portal.settings.production",
        "DJANGO_SECRET_KEY": "k" * 20 + "".join(chr(97 + (i * 7) % 26) for i in range(40)),
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "kinlink.portal", "check", "--deploy"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout
    assert "WARNING" not in done.stderr + done.stdout
