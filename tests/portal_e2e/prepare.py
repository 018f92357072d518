"""Build the browser tests' portal database in a child process.

``python -m tests.portal_e2e.prepare WAREHOUSE CAST_JSON`` with ``DATABASE_URL`` naming a
SQLite file: migrate, publish the assessed small city, create one user per role and write
the cast (users, their TOTP secrets, and the records each journey opens) as JSON.

It runs in its own process because the pytest process's Django already owns the in-memory
test database; the file it leaves is copied for every test, so each test has its own.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

PASSWORD = "e2e-browser-password-2026"


def _cast() -> dict[str, Any]:
    """The schools, people and families each role's journey opens, chosen from the data."""
    from django.db.models import Count

    from kinlink.portal.models import Enrolment, Event, Family, Person, RecordLink, School

    school = School.objects.order_by("-pupils", "urn").first()
    assert school is not None, "the small city has no schools"
    feeds_per_pupil = (
        Event.objects.filter(
            person_key__in=Person.objects.filter(is_child=True, school_urn=school.urn).values("pk")
        )
        .values("person_key")
        .annotate(feeds=Count("feed", distinct=True))
        .order_by("-feeds", "person_key")
    )
    pupil = feeds_per_pupil.first()
    assert pupil is not None, "no pupil of the largest school has any record"
    enrolled_here = Enrolment.objects.filter(urn=school.urn).values("person_key")
    intel = (
        Event.objects.filter(feed="police_intelligence")
        .exclude(restricted_text="")
        .exclude(person_key__in=enrolled_here)
        .order_by("person_key")
        .first()
    )
    assert intel is not None, "no police intelligence about anyone outside the school"
    other_school = School.objects.exclude(urn=school.urn).order_by("urn").first()
    assert other_school is not None
    lead = (
        Family.objects.exclude(lead_practitioner="")
        .values("lead_practitioner")
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_practitioner")
        .first()
    )
    assert lead is not None, "no family has a lead practitioner"
    name = lead["lead_practitioner"]
    caseload = Family.objects.filter(lead_practitioner=name).values("pk")
    child = (
        Person.objects.filter(is_child=True, family_key__in=caseload)
        .filter(pk__in=RecordLink.objects.exclude(feed="police_intelligence").values("person_key"))
        .order_by("pk")
        .first()
    )
    assert child is not None, "no child in the practitioner's caseload has a linked record"
    link = (  # a feed the practitioner's purpose (Supporting Families) shows
        RecordLink.objects.filter(person_key=child.pk)
        .exclude(feed="police_intelligence")
        .order_by("record_id")
        .first()
    )
    assert link is not None
    other_family = Family.objects.exclude(lead_practitioner=name).order_by("pk").first()
    assert other_family is not None
    searched = (
        Person.objects.filter(is_child=True)
        .exclude(forename="")
        .exclude(surname="")
        .filter(pk__in=Event.objects.filter(feed="police_intelligence").values("person_key"))
        .order_by("pk")
        .first()
    )
    assert searched is not None
    youth = (
        Person.objects.filter(is_child=True, youth_justice=True)
        .filter(pk__in=Event.objects.filter(feed="youth_justice").values("person_key"))
        .order_by("pk")
        .first()
    )
    assert youth is not None, "no child has youth justice records"
    return {
        "youth_justice_child": youth.pk,
        "school": {"urn": school.urn, "name": school.name},
        "other_school": {"urn": other_school.urn, "name": other_school.name},
        "pupil": pupil["person_key"],
        "outsider": intel.person_key,
        "practitioner_name": name,
        "caseload_child": child.pk,
        "caseload_family": child.family_key,
        "record_id": link.record_id,
        "other_family": other_family.pk,
        "searched": {"key": searched.pk, "name": f"{searched.forename} {searched.surname}"},
    }


def main(argv: list[str]) -> None:
    """Migrate, publish, create the users and write the cast."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinlink.portal.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    from kinlink.portal import policy
    from kinlink.portal.publish import publish_run
    from kinlink.portal.users import user_create

    warehouse, out = Path(argv[0]), Path(argv[1])
    call_command("migrate", verbosity=0, interactive=False)
    publish_run(warehouse=warehouse, model_path=warehouse.parent / "person.json")
    cast = _cast()
    users = [
        user_create(username="headteacher", role=policy.HEAD_TEACHER, password=PASSWORD,
                    school_urns=cast["school"]["urn"]),
        user_create(username="practitioner", role=policy.PRACTITIONER, password=PASSWORD,
                    practitioner_name=cast["practitioner_name"]),
        user_create(username="mash", role=policy.MASH, password=PASSWORD, link_reviewer=True),
        user_create(username="analyst", role=policy.ANALYST, password=PASSWORD),
        user_create(username="dpo", role=policy.ADMINISTRATOR, password=PASSWORD),
    ]  # fmt: skip
    cast["users"] = {u.username: {"role": u.role, "totp_secret": u.totp_secret} for u in users}
    cast["password"] = PASSWORD
    out.write_text(json.dumps(cast, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
