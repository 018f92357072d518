"""htmx progressive enhancement: an htmx request for a region gets that region alone; a
plain request (JavaScript off) gets the whole page; anything else falls back to a page load."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders

from kinlink.portal.access import as_of
from kinlink.portal.models import Enrolment, Event, Person
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _keys(content: bytes) -> list[str]:
    return [k.decode() for k in re.findall(rb'data-person-key="([^"]+)"', content)]


def test_htmx_is_served_from_the_vendored_copy():
    client = sign_in("mash-hx0", "mash")
    page = client.get("/search/").content.decode()
    scripts = re.findall(r'<script src="/static/([^"]+)"', page)
    assert scripts
    assert all(s.startswith("django_htmx/") for s in scripts)
    assert all(finders.find(s) for s in scripts)  # in the installed package, not fetched
    assert "https://" not in "".join(re.findall(r"<script[^>]*>", page))
    # no inline styles (the CSP) and no copies of pages in the browser's storage
    assert '"includeIndicatorStyles":false' in page
    assert '"historyCacheSize":0' in page


def test_search_paging_and_sorting_update_the_results_in_place():
    client = sign_in("mash-hx1", "mash")
    url = "/search/?sort=-dob&page=2"
    whole = client.get(url)
    assert whole.status_code == 200
    assert b"<html" in whole.content
    assert b"Child advanced search</h1>" in whole.content
    region = client.get(url, headers={**HX, "HX-Target": "search-results"})
    assert region.status_code == 200
    assert b"<html" not in region.content
    assert b"<h1" not in region.content
    assert region.content.startswith(b'<div id="search-results"')
    assert "HX-Redirect" not in region.headers
    keys = _keys(region.content)
    assert len(keys) == 25
    assert keys == _keys(whole.content)
    expected = list(
        Person.objects.filter(is_child=True)
        .order_by("-dob", "person_key")
        .values_list("pk", flat=True)[25:50]
    )
    assert keys == expected
    count = Person.objects.filter(is_child=True).count()
    pages = -(-count // 25)
    assert f"{count} results, page 2 of {pages}".encode() in region.content
    assert b'id="search-button"' in region.content  # keeps the name search's filters


def test_search_filters_update_in_place_with_the_same_rows_as_the_whole_page():
    client = sign_in("mash-hx2", "mash")
    url = "/search/?flag=persistent_absence"
    region = client.get(url, headers={**HX, "HX-Target": "search-results"})
    whole = client.get(url)
    assert _keys(region.content) == _keys(whole.content)
    absent = set(Person.objects.filter(persistent_absence=True).values_list("pk", flat=True))
    assert _keys(region.content)
    assert set(_keys(region.content)) <= absent


def test_chronology_filter_updates_in_place():
    pupil = (
        Event.objects.filter(
            feed="attendance",
            person_key__in=Enrolment.objects.filter(on_roll_to__isnull=True).values("person_key"),
        )
        .values_list("person_key", flat=True)
        .order_by("person_key")
        .first()
    )
    urn = Enrolment.objects.filter(person_key=pupil, on_roll_to__isnull=True).first().urn
    client = sign_in("head-hx", "head_teacher", school_urns=urn)
    url = f"/child/{pupil}/chronology/?feed=attendance"
    region = client.get(url, headers={**HX, "HX-Target": "chronology-results"})
    assert region.status_code == 200
    assert region.content.startswith(b'<div id="chronology-results"')
    assert b"<html" not in region.content
    feeds = re.findall(rb'data-feed="([^"]+)"', region.content)
    assert feeds
    assert set(feeds) == {b"attendance"}
    # A head teacher is shown the last year (the display window).
    since = as_of() - timedelta(days=365)
    shown = Event.objects.filter(person_key=pupil, feed="attendance", date__gte=since)
    assert len(feeds) == min(50, shown.count())
    whole = client.get(url)
    assert b"<html" in whole.content
    assert re.findall(rb'data-feed="([^"]+)"', whole.content) == feeds


def test_other_htmx_requests_load_the_whole_page():
    client = sign_in("mash-hx3", "mash")
    # htmx asking for a region this page does not answer alone: a full page load instead
    other = client.get("/search/", headers={**HX, "HX-Target": "somewhere-else"})
    assert b"<html" in other.content
    assert other.headers["HX-Redirect"] == "/search/"
    # a session that has ended: the sign-in page is loaded whole, never swapped into a region
    client.post("/logout/")
    ended = client.get(
        "/search/?page=2", headers={**HX, "HX-Target": "search-results"}, follow=True
    )
    assert b'id="username"' in ended.content
    assert ended.headers["HX-Redirect"].startswith("/login/")
