"""The dashboard's map of needs by area: publish places people, each role's map counts
only its scope, analysts' small numbers are suppressed, the SVG and its table agree."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import Q
from django.test import override_settings

from kinlink.portal import areas, policy
from kinlink.portal.models import Enrolment, Family, FamilyMember, FamilyNeed, Person, PublishRun
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


def _district(postcode: str) -> str:
    """The test's own reading of a postcode: its outward code, if in Kinlink City."""
    outward = postcode.split(" ")[0] if " " in postcode else ""
    return outward if re.fullmatch(r"KC([1-9]|[12]\d|3[0-6])", outward) else ""


def _table(content: bytes) -> dict[str, list[str]]:
    """``{area code: [cell texts]}`` of the rendered table (code "" = outside any area)."""
    rows = re.findall(
        rb'<tr class="govuk-table__row"(?: id="[^"]*")? data-area="([^"]*)">(.*?)</tr>',
        content,
        re.S,
    )
    return {
        code.decode(): [c.decode() for c in re.findall(rb"<td[^>]*>(.*?)</td>", body)]
        for code, body in rows
    }


# --- pure parts ---------------------------------------------------------------------------


def test_small_numbers_are_suppressed_for_analysts_only():
    analyst = policy.Scope("a", policy.ANALYST)
    mash = policy.Scope("m", policy.MASH)
    assert policy.counts_shown(mash, [0, 1, 4, 7]) == [0, 1, 4, 7]
    assert policy.counts_shown(analyst, [0, 1, 4, 7, 30]) == [0, None, None, 7, 30]
    # one hidden count alone could be worked out from the total: the next smallest goes too
    assert policy.counts_shown(analyst, [3, 9, 6, 0]) == [None, 9, None, 0]
    assert policy.counts_shown(analyst, [5, 0]) == [5, 0]


def test_postcodes_fall_in_their_sector_or_else_their_district():
    codes = frozenset({"KC1", "KC2 4", "KC2"})
    assert areas.area_of("kc1 2ab", codes) == "KC1"
    assert areas.area_of("KC2 4XY", codes) == "KC2 4"
    assert areas.area_of("KC2 5XY", codes) == "KC2"
    assert areas.area_of("KC9 1AB", codes) == ""
    assert areas.area_of("not a postcode", codes) == ""
    assert areas.area_of(None, codes) == ""


def test_a_boundary_file_with_other_property_names(tmp_path: Path):
    square = [[[0.0, 50.0], [0.1, 50.0], [0.1, 50.1], [0.0, 50.1], [0.0, 50.0]]]
    path = tmp_path / "sectors.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"sector": "kc3  1", "label": "North"},
                     "geometry": {"type": "MultiPolygon", "coordinates": [square]}},
                    {"type": "Feature", "properties": {"label": "no code"},
                     "geometry": {"type": "Polygon", "coordinates": square}},
                ],
            }
        )
    )  # fmt: skip
    loaded = areas.boundaries_load(path, "sector", "label")
    assert [(a.code, a.name) for a in loaded.areas] == [("KC3 1", "North")]
    drawn, width, height = areas.shapes(loaded)
    assert drawn[0].d.startswith("M")
    assert drawn[0].d.endswith("Z")
    assert 0 < drawn[0].x < width
    assert 0 < drawn[0].y < height


# --- publish ------------------------------------------------------------------------------


def test_publish_places_every_person_and_family_in_their_district():
    people = list(Person.objects.values_list("postcode", "area"))
    placed = sum(1 for _pc, area in people if area)
    assert placed > 0.8 * len(people)
    assert PublishRun.objects.get().counts["people_in_an_area"] == placed
    assert all(area == _district(pc) for pc, area in people)
    members: dict[str, Counter[str]] = {}
    postcodes = dict(Person.objects.values_list("pk", "postcode"))
    for family_key, person_key in FamilyMember.objects.values_list("family_key", "person_key"):
        district = _district(postcodes.get(person_key, ""))
        if district:
            members.setdefault(family_key, Counter())[district] += 1
    for family_key, area in Family.objects.values_list("pk", "area"):
        votes = members.get(family_key)
        expected = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if votes else ""
        assert area == expected


def test_a_new_boundary_file_is_a_new_publish(assessed_city, tmp_path: Path):
    from kinlink.portal.publish import publish_run
    from kinlink.synth.boundaries import district_boundaries

    data = district_boundaries()
    data["features"] = data["features"][:3]  # only KC1 to KC3
    path = tmp_path / "three.geojson"
    path.write_text(json.dumps(data))
    with override_settings(KINLINK_AREA_BOUNDARIES=str(path)):
        result = publish_run(warehouse=assessed_city.warehouse)
    assert not result.skipped
    assert set(Person.objects.exclude(area="").values_list("area", flat=True)) <= {
        "KC1",
        "KC2",
        "KC3",
    }
    assert PublishRun.objects.count() == 2


# --- the dashboard ------------------------------------------------------------------------


def test_mash_map_counts_everyone_by_area():
    client = sign_in("mash-map", "mash")
    response = client.get("/")
    assert response.status_code == 200
    content = response.content
    assert b'role="img" aria-labelledby="area-map-title area-map-desc"' in content
    assert b'<title id="area-map-title">Map of eligible families by area</title>' in content
    assert content.count(b'class="kl-map__area ') == 36
    assert content.count(b'class="kl-map__label') == 36
    table = _table(content)
    assert len(table) == 36 + 1  # every district and "not in any area"
    # persistent absence by district, counted here straight from the people
    expected = Counter(
        _district(pc)
        for pc in Person.objects.filter(is_child=True, persistent_absence=True).values_list(
            "postcode", flat=True
        )
    )
    assert sum(expected.values()) > 20
    assert {code: int(cells[1]) for code, cells in table.items()} == {
        code: expected.get(code, 0) for code in table
    }
    eligible = Counter(Family.objects.filter(eligible=True).values_list("area", flat=True))
    assert {code: int(cells[0]) for code, cells in table.items()} == {
        code: eligible.get(code, 0) for code in table
    }
    figure = re.search(rb'id="fig-families-eligible">(\d+)<', content)
    assert figure is not None
    assert sum(int(cells[0]) for cells in table.values()) == int(figure.group(1))


def test_head_teacher_map_counts_only_their_pupils():
    school = (
        Enrolment.objects.filter(on_roll_to__isnull=True)
        .values("urn")
        .order_by("urn")
        .first()["urn"]
    )
    client = sign_in("head-map", "head_teacher", school_urns=school)
    table = _table(client.get("/").content)
    as_of = PublishRun.objects.get().as_of
    since = as_of - timedelta(days=365)
    pupils = Enrolment.objects.filter(urn=school).filter(
        Q(on_roll_to__isnull=True) | Q(on_roll_to__gte=since)
    )
    absent = Person.objects.filter(
        pk__in=pupils.values("person_key"), is_child=True, persistent_absence=True
    )
    expected = Counter(_district(pc) for pc in absent.values_list("postcode", flat=True))
    assert {code: int(cells[1]) for code, cells in table.items()} == {
        code: expected.get(code, 0) for code in table
    }
    everyone = Person.objects.filter(is_child=True, persistent_absence=True).count()
    assert 0 < sum(expected.values()) < everyone


def test_analyst_map_hides_counts_below_five():
    mash = _table(sign_in("mash-map2", "mash").get("/?measure=open_exploitation").content)
    response = sign_in("analyst-map", "analyst").get("/?measure=open_exploitation")
    analyst = _table(response.content)
    small = [(code, i) for code, cells in mash.items() for i, v in enumerate(cells)
             if 0 < int(v) < 5]  # fmt: skip
    assert small, "the small city should have some areas with one to four cases"
    for code, i in small:
        assert analyst[code][i] == "fewer than 5"
    for cells in analyst.values():
        for v in cells:
            assert v == "fewer than 5" or v == "0" or int(v) >= 5
    assert b"kl-fill-s" in response.content
    assert b"Fewer than 5 (not shown)" in response.content


def test_a_need_can_be_mapped_and_its_counts_match_the_needs():
    headline = (
        FamilyNeed.objects.filter(family_key__in=Family.objects.filter(eligible=True).values("pk"))
        .values_list("headline", flat=True)
        .order_by("headline")
        .first()
    )
    client = sign_in("mash-need", "mash")
    response = client.get("/", {"measure": f"need:{headline}"})
    assert f"Map of eligible families with a need: {headline}".lower().encode() in (
        response.content.lower()
    )
    table = _table(response.content)
    areas_of = dict(Family.objects.values_list("pk", "area"))
    families = set(
        FamilyNeed.objects.filter(
            headline=headline, family_key__in=Family.objects.filter(eligible=True).values("pk")
        ).values_list("family_key", flat=True)
    )
    expected = Counter(areas_of[f] for f in families)
    assert {code: int(cells[3]) for code, cells in table.items()} == {
        code: expected.get(code, 0) for code in table
    }
    # an unknown measure falls back to eligible families rather than failing
    assert b"Map of eligible families by area" in client.get("/?measure=nonsense").content


def test_administrators_get_no_map_and_the_map_can_be_switched_off():
    admin = sign_in("admin-map", "administrator")
    assert b"area-map" not in admin.get("/").content
    with override_settings(KINLINK_AREA_BOUNDARIES="none"):
        assert b"area-map" not in sign_in("mash-nomap", "mash").get("/").content


def test_a_missing_boundary_file_is_reported_not_a_server_error(assessed_city, tmp_path: Path):
    from kinlink.portal.publish import publish_run

    missing = tmp_path / "nowhere.geojson"
    with override_settings(KINLINK_AREA_BOUNDARIES=str(missing)):
        page = sign_in("mash-missing", "mash").get("/")
        assert page.status_code == 200
        assert b'id="area-map-error"' in page.content
        assert b"nowhere.geojson does not exist" in page.content
        with pytest.raises(areas.BoundaryError):
            publish_run(warehouse=assessed_city.warehouse, force=True)
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")
    with pytest.raises(areas.BoundaryError):
        areas.boundaries_load(broken)


def test_a_tall_area_fits_the_map_box(tmp_path: Path):
    tall = [[[0.0, 50.0], [0.01, 50.0], [0.01, 51.0], [0.0, 51.0], [0.0, 50.0]]]
    path = tmp_path / "tall.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "KC1"},
         "geometry": {"type": "Polygon", "coordinates": tall}}]}))  # fmt: skip
    drawn, width, height = areas.shapes(areas.boundaries_load(path))
    assert height == pytest.approx(areas.WIDTH)
    assert width < 30
    numbers = [float(v) for v in re.findall(r"[\d.]+", drawn[0].d)]
    assert max(numbers) <= areas.WIDTH
