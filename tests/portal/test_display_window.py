"""Display windows: how far back a role is shown records, separate from retention. A head
teacher sees the last year of a pupil's records; MASH sees everything still held."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import override_settings

from kinlink.portal import policy, purposes
from kinlink.portal.access import as_of
from kinlink.portal.models import Enrolment, Event, Person, RecordLink
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_display_from_is_per_role_and_absent_roles_see_everything():
    windows = {"head_teacher": 365, "practitioner": 730}
    on = date(2026, 3, 31)
    assert policy.display_from("head_teacher", on, windows) == date(2025, 3, 31)
    assert policy.display_from("practitioner", on, windows) == date(2024, 3, 31)
    assert policy.display_from("mash", on, windows) is None


def _pupil_with_old_and_new_records() -> tuple[Person, str, date]:
    """A pupil on roll now with visible records both sides of the one-year boundary."""
    boundary = as_of() - timedelta(days=365)
    on_roll = Enrolment.objects.filter(on_roll_to__isnull=True).values("person_key")
    shown, _models = purposes.shown("safe_exploitation_review")  # the head teacher's
    for person in Person.objects.filter(pk__in=on_roll, is_child=True).order_by("pk"):
        events = Event.objects.filter(person_key=person.pk, feed__in=sorted(shown))
        if events.filter(date__lt=boundary).exists() and events.filter(date__gte=boundary):
            enrolment = Enrolment.objects.filter(person_key=person.pk, on_roll_to__isnull=True)
            urn = enrolment.order_by("urn").values_list("urn", flat=True).first()
            assert urn is not None
            return person, urn, boundary
    pytest.fail("no pupil has records both sides of the one-year boundary")


def test_a_head_teacher_sees_only_the_last_year_and_mash_sees_it_all():
    pupil, urn, boundary = _pupil_with_old_and_new_records()
    head = sign_in("ht-window", "head_teacher", school_urns=urn)
    page = head.get(f"/child/{pupil.pk}/chronology/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Earlier records are still held" in body
    shown, _models = purposes.shown("safe_exploitation_review")
    mine = Event.objects.filter(person_key=pupil.pk, feed__in=sorted(shown))
    old = mine.filter(date__lt=boundary)
    recent = mine.filter(date__gte=boundary)
    newest = recent.order_by("-date", "feed", "record_id").first()
    assert newest is not None
    assert f'data-record="{newest.record_id}"' in body
    for event in old:
        assert f'data-record="{event.record_id}"' not in body
    # Direct filtering by date cannot reach behind the window.
    early = head.get(f"/child/{pupil.pk}/chronology/?date_to={boundary - timedelta(days=1)}")
    assert b"data-record=" not in early.content
    # Linked records on the overview: only those with something inside the window.
    overview = head.get(f"/child/{pupil.pk}/").content.decode()
    only_old = set(old.values_list("record_id", flat=True)) - set(
        recent.values_list("record_id", flat=True)
    )
    for record_id in only_old & set(RecordLink.objects.values_list("record_id", flat=True)):
        assert record_id not in overview

    mash = sign_in("mash-window", "mash", purpose="safe_exploitation_review")
    mash.post(f"/child/{pupil.pk}/", {"purpose": "Exploitation review of this child"})
    everything = mash.get(f"/child/{pupil.pk}/chronology/?date_to={boundary - timedelta(days=1)}")
    assert b"data-record=" in everything.content
    assert b"Earlier records are still held" not in everything.content


@override_settings(KINLINK_DISPLAY_WINDOW_DAYS={})
def test_without_a_window_the_head_teacher_sees_the_whole_history():
    pupil, urn, boundary = _pupil_with_old_and_new_records()
    head = sign_in("ht-nowindow", "head_teacher", school_urns=urn)
    early = head.get(f"/child/{pupil.pk}/chronology/?date_to={boundary - timedelta(days=1)}")
    assert b"data-record=" in early.content
