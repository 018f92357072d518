"""'Why linked' shows the linkage model's per-comparison weights and final probability,
published with the data and equal to what ``kinlink linkage explain`` says."""

from __future__ import annotations

import re

import pytest

from kinlink.linkage.services import explain
from kinlink.portal.models import RecordLink
from kinlink.portal.publish import publish_run
from tests.outcomes.conftest import AssessedCity
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_why_linked_shows_the_published_match_weights(assessed_city: AssessedCity) -> None:
    assert not RecordLink.objects.exclude(weights={}).exists()  # no model: summary only
    model = assessed_city.warehouse.parent / "person.json"
    publish_run(warehouse=assessed_city.warehouse, force=True, model_path=model)
    linked = RecordLink.objects.exclude(anchor_record_id="")
    assert linked.exists()
    assert not linked.filter(weights={}).exists()  # every record with an anchor is scored
    link = linked.exclude(feed="youth_justice").order_by("pk").first()
    assert link is not None
    expected = explain(assessed_city.warehouse, link.record_id, link.anchor_record_id, model)
    assert link.weights["comparisons"] == [
        [c.name, c.level, round(c.weight, 3)] for c in expected.comparisons
    ]
    assert link.weights["match_probability"] == pytest.approx(expected.match_probability)

    mash = sign_in("mash-weights", "mash")
    page = mash.get(f"/child/{link.person_key}/records/{link.pk}/").content.decode()
    table = re.search(r'<table class="govuk-table" id="match-weights">.*?</table>', page, re.S)
    assert table is not None
    rows = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', table.group(0))
    assert rows == [c.name for c in expected.comparisons] + ["Total, with the prior"]
    assert f"{expected.match_probability:.4f}" in table.group(0)
    assert '<th scope="col"' in table.group(0)  # headers for screen readers
