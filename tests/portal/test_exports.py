"""Exports: a separate permission, watermarked, audited, pseudonymised for analysts."""

from __future__ import annotations

from kinlink.portal.models import AuditEvent, Person
from tests.portal.conftest import sign_in


def test_export_needs_its_own_permission_and_a_purpose(db: object) -> None:
    plain = sign_in("mash-no-export", "mash")
    assert (
        plain.post("/search/export/", {"purpose": "Strategy meeting on 3 March"}).status_code == 403
    )
    assert AuditEvent.objects.filter(username="mash-no-export", action="access_refused").exists()
    allowed = sign_in("mash-export", "mash", may_export=True)
    assert allowed.post("/search/export/", {"purpose": "short"}).status_code == 400
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_search_export_is_watermarked_scoped_and_audited(db: object) -> None:
    person = Person.objects.filter(is_child=True).exclude(school_urn="").order_by("pk").first()
    assert person is not None
    head = sign_in("head-export", "head_teacher", school_urns=person.school_urn, may_export=True)
    purpose = "Attendance panel for the spring term"
    response = head.post(
        "/search/export/", {"purpose": purpose, "query": f"school={person.school_urn}"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    lines = text.splitlines()
    assert lines[0].startswith("# Kinlink export EXP-")
    assert "head-export (head_teacher)" in lines[1]
    assert purpose in lines[2]
    rows = lines[4:]
    on_roll = Person.objects.filter(is_child=True, school_urn=person.school_urn)
    assert len(rows) >= 1
    keys = {row.split(",")[0] for row in rows}
    assert keys <= set(Person.objects.values_list("pk", flat=True))
    assert person.pk in keys or on_roll.count() > len(rows)
    event = AuditEvent.objects.get(action="export", username="head-export")
    assert event.purpose == purpose
    assert event.detail["rows"] == len(rows)
    assert event.object_id in lines[0]


def test_analyst_exports_are_pseudonymised(db: object) -> None:
    analyst = sign_in("analyst-export", "analyst", may_export=True)
    assert (
        analyst.post("/search/export/", {"purpose": "Needs analysis for the plan"}).status_code
        == 403
    )
    response = analyst.post("/export/pseudonymised/", {"purpose": "Needs analysis for the plan"})
    assert response.status_code == 200
    text = response.content.decode()
    children = Person.objects.filter(is_child=True)
    assert len(text.splitlines()) == 4 + children.count()
    for person in children[:50]:
        assert person.pk not in text
        if person.surname:
            assert f",{person.surname}," not in text
    # The analyst's purpose shows attendance: the flag is filled in, not blanked.
    header = text.splitlines()[3].split(",")
    absent = [line.split(",")[header.index("persistent_absence")] for line in text.splitlines()[4:]]
    assert absent.count("True") == children.filter(persistent_absence=True).count() > 0
    again = analyst.post("/export/pseudonymised/", {"purpose": "Needs analysis for the plan"})
    assert again.content.decode().splitlines()[4:] == text.splitlines()[4:]  # stable pseudonyms
    assert AuditEvent.objects.filter(action="export", username="analyst-export").count() == 2
