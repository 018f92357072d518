"""Automated accessibility checks (axe-core) over the portal's main pages in a real browser.

axe-core comes inside axe-playwright-python; nothing is downloaded. A serious or critical
violation on any page fails the test, listing every one found.
"""

from __future__ import annotations

import os
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.portal_e2e.conftest import (
    SCREENSHOTS,
    Portal,
    SignIn,
    needs_chromium,
)

pytestmark = needs_chromium

AXE = Axe()
FAILING = frozenset({"serious", "critical"})


class Audit:
    """Runs axe on each page visited and keeps the serious and critical violations."""

    def __init__(self) -> None:
        self.pages: list[str] = []
        self.problems: list[str] = []
        self.minor: list[str] = []  # moderate and minor: reported, not failed

    def __call__(self, page: Page, name: str) -> None:
        response: dict[str, Any] = AXE.run(page).response
        self.pages.append(name)
        for v in response["violations"]:
            targets = [n["target"] for n in v["nodes"]][:3]
            found = f"{name}: {v['id']} ({v['impact']}) {v['help']}: {targets}"
            (self.problems if v["impact"] in FAILING else self.minor).append(found)


def _map_screenshot(page: Page) -> None:
    if os.environ.get("KINLINK_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#area-map").screenshot(path=str(SCREENSHOTS / "dashboard-map.png"))


def test_main_pages_have_no_serious_accessibility_violations(
    portal: Portal, sign_in: SignIn
) -> None:
    cast = portal.cast
    check = Audit()
    page = sign_in.page()
    page.goto("/login/")
    check(page, "login")

    # MASH: the dashboard with its map, then search results.
    page = sign_in("mash")
    expect(page.locator("#area-map-svg path.kl-map__area")).to_have_count(36)
    check(page, "dashboard (MASH, with the map)")
    _map_screenshot(page)
    page.goto("/search/")
    page.check("#flag-persistent_absence")
    page.click("#filter-button")
    expect(page.locator("#results tr[data-person-key]").first).to_be_visible()
    check(page, "search with results")

    # The analyst's map, with suppressed small numbers.
    analyst = sign_in("analyst")
    analyst.goto("/?measure=persistent_absence#area-map")
    expect(analyst.locator("#area-table")).to_be_visible()
    expect(analyst.locator("#area-table")).to_contain_text("fewer than 5")
    assert analyst.locator("#area-map-svg path.kl-fill-s").count() > 0
    check(analyst, "dashboard (analyst, suppressed map)")

    # A head teacher: every tab of a pupil's record, the chronology and the school page.
    head = sign_in("headteacher")
    head.goto(f"/child/{cast['pupil']}/")
    tabs = head.locator("nav[aria-label='Sections of this record'] a")
    for i in range(tabs.count()):
        label = tabs.nth(i).inner_text()
        tabs.nth(i).click()
        expect(head.locator("#tab-heading")).to_have_text(label)
        check(head, f"child page: {label}")
    head.goto(f"/schools/{cast['school']['urn']}/?flag=persistent_absence")
    check(head, "school page")

    # A practitioner's family page.
    practitioner = sign_in("practitioner")
    practitioner.goto(f"/family/{cast['caseload_family']}/")
    expect(practitioner.locator("main h1")).to_be_visible()
    check(practitioner, "family page")

    assert len(check.pages) == 15
    print("\n".join(["axe: lesser findings", *check.minor]))
    assert check.problems == [], "\n".join(check.problems)


def test_the_check_fails_on_a_known_violation(browser: Any) -> None:
    """The harness can fail: an image without alternative text and an unlabelled field."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(
            '<html lang="en"><head><title>t</title></head><body><main>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">'
            "</main></body></html>"
        )
        check = Audit()
        check(page, "broken page")
        assert any("image-alt (critical)" in p for p in check.problems), check.problems
        assert any("label (critical)" in p for p in check.problems), check.problems
    finally:
        context.close()
