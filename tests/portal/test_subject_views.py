"""A subject access bundle can say who viewed the person's records, from the portal's
audit log: who, role, when and under which purpose, never the free-text reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kinlink.governance.subject_access import subject_access_write
from kinlink.portal.audit import subject_views
from kinlink.portal.models import Person
from kinlink.sources import definitions_load
from tests.outcomes.conftest import AssessedCity
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_bundle_lists_the_portal_views_of_the_person(
    assessed_city: AssessedCity, tmp_path: Path
) -> None:
    person = Person.objects.filter(is_child=True).order_by("pk").first()
    other = Person.objects.filter(is_child=True).order_by("-pk").first()
    assert person is not None
    assert other is not None
    mash = sign_in("mash-sar", "mash")
    reason = "Strategy meeting about the Smith household"
    mash.post(f"/child/{person.pk}/", {"purpose": reason})
    mash.get(f"/child/{person.pk}/chronology/")
    mash.post(f"/child/{other.pk}/", {"purpose": "Another child entirely"})

    views = subject_views(person.pk)
    assert [(v["who"], v["role"], v["action"], v["purpose_code"]) for v in views] == [
        ("mash-sar", "mash", "view_child", "mash_enquiry")] * 2  # fmt: skip
    assert views[0]["purpose"] == "MASH enquiry"
    assert views[0]["at"]

    files = subject_access_write(assessed_city.warehouse, person.pk, definitions_load(),
                                 tmp_path, views=views)  # fmt: skip
    bundle = json.loads(files.json_path.read_text())
    assert bundle["views"] == views
    text = files.json_path.read_text()
    assert reason not in text  # free text may name others: not in the bundle
    assert files.pdf_path.stat().st_size > 1000
    without = subject_access_write(assessed_city.warehouse, person.pk, definitions_load(),
                                   tmp_path / "plain")  # fmt: skip
    assert "portal-audit" in json.loads(without.json_path.read_text())["views"]
