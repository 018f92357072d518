"""The dashboard's changes since the last publish are counted within the user's scope."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models import Q

from kinlink.portal.models import Enrolment, Family, Person, PublishedChange, PublishRun
from kinlink.portal.publish import publish_run
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


def _shown(content: bytes) -> dict[str, int]:
    return {
        kind.decode(): int(n)
        for kind, n in re.findall(rb'<li data-change="([a-z_]+)">[^<:]*: (\d+)</li>', content)
    }


def test_changes_since_the_last_publish_are_scoped(assessed_city):
    # Make the published state differ from the warehouse, so the next publish changes it.
    absent = list(
        Person.objects.filter(is_child=True, persistent_absence=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    flipped = set(absent[::2])
    Person.objects.filter(pk__in=flipped).update(persistent_absence=False)
    eligible = list(
        Family.objects.filter(eligible=True).order_by("pk").values_list("pk", flat=True)
    )
    unflagged = set(eligible[:5])
    Family.objects.filter(pk__in=unflagged).update(eligible=False)
    result = publish_run(warehouse=assessed_city.warehouse, force=True)
    assert result.changes["new_persistent_absence"] == len(flipped)
    assert result.changes["newly_eligible"] == len(unflagged)
    assert (
        set(
            PublishedChange.objects.filter(kind="new_persistent_absence").values_list(
                "key", flat=True
            )
        )
        == flipped
    )

    mash = _shown(sign_in("mash-changes", "mash").get("/").content)
    assert mash["new_persistent_absence"] == len(flipped)
    assert mash["newly_eligible"] == len(unflagged)

    # A head teacher: only their pupils (on roll now or within the window) and their families.
    urn = (
        Enrolment.objects.filter(person_key__in=flipped, on_roll_to__isnull=True)
        .order_by("urn")
        .values_list("urn", flat=True)
        .first()
    )
    head = sign_in("head-changes", "head_teacher", school_urns=urn)
    page = head.get("/").content
    assert b"Changes since the last publish (your scope)" in page
    shown = _shown(page)
    since = PublishRun.objects.order_by("-pk").first().as_of - timedelta(days=365)
    pupils = set(
        Enrolment.objects.filter(urn=urn)
        .filter(Q(on_roll_to__isnull=True) | Q(on_roll_to__gte=since))
        .values_list("person_key", flat=True)
    )
    assert 0 < shown["new_persistent_absence"] == len(flipped & pupils) < len(flipped)
    their_families = set(
        Person.objects.filter(pk__in=pupils)
        .exclude(family_key="")
        .values_list("family_key", flat=True)
    )
    assert shown["newly_eligible"] == len(unflagged & their_families)
