"""htmx in a real browser: search and chronology update in place with JavaScript (no
page load, the address follows), and the same journeys work with JavaScript off."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.portal_e2e.conftest import VIEWPORT, Portal, SignIn, needs_chromium

pytestmark = needs_chromium


def test_search_and_chronology_update_in_place_with_javascript(
    portal: Portal, sign_in: SignIn
) -> None:
    page = sign_in("headteacher")
    page.goto("/search/")
    page.click("#filter-button")
    expect(page.locator("#results")).to_be_visible()
    page.evaluate("window.kinlinkMarker = 'same page'")  # lost on any full page load
    first = page.locator("#results tr[data-person-key]").first.get_attribute("data-person-key")
    page.get_by_role("link", name="Next page").first.click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("#search-results")).to_be_focused()  # not lost with the old link
    expect(page.locator("#results tr[data-person-key]").first).not_to_have_attribute(
        "data-person-key", first or ""
    )
    page.get_by_role("link", name="Date of birth").click()
    expect(page).to_have_url(re.compile(r"sort=dob"))
    expect(page.locator("#search-status")).to_contain_text("results, page 1 of")
    assert page.evaluate("window.kinlinkMarker") == "same page"

    pupil = portal.cast["pupil"]
    page.goto(f"/child/{pupil}/chronology/")
    page.evaluate("window.kinlinkMarker = 'chronology'")
    (feed,) = portal.rows(
        "SELECT feed FROM portal_event WHERE person_key = ? GROUP BY feed "
        "ORDER BY COUNT(*) DESC, feed LIMIT 1",
        (pupil,),
    )[0]
    page.select_option("#id_feed", feed)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"feed={feed}"))
    rows = page.locator(".kl-events tbody tr[data-feed]")
    expect(rows.first).to_have_attribute("data-feed", feed)
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.feed)")) == {feed}
    assert page.evaluate("window.kinlinkMarker") == "chronology"


def test_search_and_chronology_work_without_javascript(portal: Portal, sign_in: SignIn) -> None:
    signed = sign_in("headteacher")
    cookies = signed.context.cookies()
    context = sign_in.browser.new_context(
        viewport=VIEWPORT, base_url=portal.url, java_script_enabled=False
    )
    sign_in.contexts.append(context)
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto("/search/")
    page.click("#filter-button")
    expect(page.locator("#results tr[data-person-key]").first).to_be_visible()
    page.get_by_role("link", name="Next page").first.click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("main h1")).to_have_text("Child advanced search")
    pupil = portal.cast["pupil"]
    (feed,) = portal.rows(
        "SELECT feed FROM portal_event WHERE person_key = ? GROUP BY feed "
        "ORDER BY COUNT(*) DESC, feed LIMIT 1",
        (pupil,),
    )[0]
    page.goto(f"/child/{pupil}/chronology/")
    page.select_option("#id_feed", feed)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"feed={feed}"))
    feeds = page.locator(".kl-events tbody tr[data-feed]").evaluate_all(
        "rs => rs.map(r => r.dataset.feed)"
    )
    assert feeds
    assert set(feeds) == {feed}
