"""Each role's journey through the portal in a real browser, checked against the database.

What each role may see is asserted from the page a person would see; what it may not is
asserted twice: the page refuses, and the audit log holds a row for the attempt.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.portal_e2e.conftest import (
    ROOT,
    Portal,
    SignIn,
    _child_env,
    needs_chromium,
    screenshot,
    totp_code,
)

pytestmark = needs_chromium

TABS = ("Overview", "Safeguarding", "Attendance & exclusions", "SEND", "Exploitation risk",
        "Youth justice", "Family", "Chronology", "Transition")  # fmt: skip
NOT_FOUND = "Page not found"
FORBIDDEN = "You cannot open this page"


def _result_keys(page: Page) -> list[str]:
    expect(page.locator("#results")).to_be_visible()
    keys: list[str] = page.locator("#results tr[data-person-key]").evaluate_all(
        "rows => rows.map(r => r.dataset.personKey)"
    )
    return keys


def _result_count(page: Page) -> int:
    text = page.locator("#results ~ nav, #results ~ p").first.inner_text()
    found = re.search(r"\((\d+) results\)", text) or re.search(r"^(\d+) results?", text)
    assert found, text
    return int(found.group(1))


def _name(portal: Portal, key: str) -> tuple[str, str]:
    forename, surname = portal.rows(
        "SELECT forename, surname FROM portal_person WHERE person_key = ?", (key,)
    )[0]
    return str(forename), str(surname)


def _status(page: Page, path: str) -> int:
    """Open ``path`` as a typed-in address and return the HTTP status."""
    response = page.goto(path)
    assert response is not None
    return response.status


def _heading(page: Page) -> str:
    return page.locator("main h1").inner_text()


def _refused(portal: Portal, username: str, object_type: str, object_id: str) -> int:
    return portal.audit(username, "access_refused").count((object_type, object_id, ""))


def test_head_teacher_pupils_tabs_chronology_school_and_break_glass(
    portal: Portal, sign_in: SignIn
) -> None:
    cast = portal.cast
    urn, pupil, outsider = cast["school"]["urn"], cast["pupil"], cast["outsider"]
    page = sign_in("headteacher")
    menu = page.locator("nav[aria-label=Menu]")
    expect(menu.get_by_role("link", name="Child search")).to_be_visible()
    expect(menu.get_by_role("link", name="Schools")).to_be_visible()
    expect(menu.get_by_role("link", name="Audit")).to_have_count(0)
    expect(menu.get_by_role("link", name="Link reviews")).to_have_count(0)

    # Every child listed is on roll at the school now or within the school window.
    menu.get_by_role("link", name="Child search").click()
    page.click("#filter-button")
    (as_of,) = portal.rows("SELECT as_of FROM portal_publishrun ORDER BY id DESC LIMIT 1")[0]
    since = (date.fromisoformat(as_of) - timedelta(days=365)).isoformat()
    pupils = {k for (k,) in portal.rows(
        "SELECT p.person_key FROM portal_person p JOIN portal_enrolment e "
        "ON e.person_key = p.person_key WHERE p.is_child AND e.urn = ? "
        "AND (e.on_roll_to IS NULL OR e.on_roll_to >= ?)", (urn, since))}  # fmt: skip
    listed = _result_keys(page)
    assert len(listed) == min(25, len(pupils))
    assert set(listed) <= pupils
    assert _result_count(page) == len(pupils)
    screenshot(page, "search-results")

    # Find one pupil by name and open the record.
    forename, surname = _name(portal, pupil)
    page.fill("#id_name", f"{forename} {surname}")
    page.click("#search-button")
    assert pupil in _result_keys(page)
    assert surname not in page.url
    page.locator(f"#results tr[data-person-key='{pupil}'] a").click()
    expect(page.locator("main h1")).to_have_text(f"{forename} {surname}")
    screenshot(page, "child-overview")
    tabs = page.locator("nav[aria-label='Sections of this record'] a")
    expect(tabs).to_have_text(list(TABS))
    for label in TABS[1:]:
        tabs.get_by_text(label, exact=True).click()
        expect(page.locator("#tab-heading")).to_have_text(label)
    assert len(portal.audit("headteacher", "view_child")) == len(TABS)

    # The chronology filtered by source and date shows exactly those records.
    tabs.get_by_text("Chronology", exact=True).click()
    screenshot(page, "child-chronology")
    shown = (
        "attendance",
        "exclusions",
        "exploitation",
        "police_arrests",
        "police_intelligence",
        "school_census",
        "social_care",
        "youth_justice",
    )  # safe_exploitation_review's
    marks = ",".join("?" * len(shown))
    feed, n = portal.rows("SELECT feed, COUNT(*) AS n FROM portal_event WHERE person_key = ? "
                          f"AND feed IN ({marks}) GROUP BY feed ORDER BY n DESC, feed LIMIT 1",
                          (pupil, *shown))[0]  # fmt: skip
    dates = [d for (d,) in portal.rows("SELECT date FROM portal_event WHERE person_key = ? "
             "AND feed = ? AND date IS NOT NULL ORDER BY date", (pupil, feed))]  # fmt: skip
    start = dates[len(dates) // 2]
    (expected,) = portal.rows("SELECT COUNT(*) FROM portal_event WHERE person_key = ? "
                              "AND feed = ? AND date >= ?", (pupil, feed, start))[0]  # fmt: skip
    page.select_option("#id_feed", feed)
    page.fill("#id_date_from", start)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"feed={feed}.*date_from={start}"))
    rows = page.locator(".kl-events tbody tr[data-feed]")
    expect(rows).to_have_count(min(50, expected))
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.feed)")) == {feed}
    assert 0 < expected <= n

    # Their school's page; another school and any family page are refused and audited.
    page.locator("nav[aria-label=Menu]").get_by_role("link", name="Schools").click()
    page.get_by_role("link", name=cast["school"]["name"]).click()
    expect(page.locator("main h1")).to_have_text(cast["school"]["name"])
    page.check("#flag-persistent_absence")
    page.get_by_role("button", name="Show pupils").click()
    (absent,) = portal.rows("SELECT COUNT(*) FROM portal_person WHERE school_urn = ? "
                            "AND persistent_absence", (urn,))[0]  # fmt: skip
    assert _result_count(page) == absent
    screenshot(page, "school")
    other = cast["other_school"]["urn"]
    assert _status(page, f"/schools/{other}/") == 404
    assert _refused(portal, "headteacher", "school", other) == 1
    family = cast["caseload_family"]
    assert _status(page, f"/family/{family}/") == 404
    assert _heading(page) == NOT_FOUND
    assert _refused(portal, "headteacher", "family", family) == 1

    # A child outside the school by direct URL: refused like a missing one, and audited.
    assert _status(page, f"/child/{outsider}/") == 404
    assert _heading(page) == NOT_FOUND
    assert outsider not in page.locator("main").inner_text()
    assert _refused(portal, "headteacher", "person", outsider) == 1
    assert portal.rows("SELECT COUNT(*) FROM portal_breakglass")[0] == (0,)

    # Break-glass: a reason of 20 characters or more opens it, flagged, restricted withheld.
    page.get_by_role("link", name=re.compile("break-glass")).click()
    page.fill("#id_reason", "too short")
    page.get_by_role("button", name="Open the record").click()
    expect(page.locator(".govuk-error-message")).to_be_visible()
    reason = "Police called the school about this child tonight; DSL needs context"
    page.fill("#id_reason", reason)
    page.get_by_role("button", name="Open the record").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("break-glass")
    page.locator("nav[aria-label='Sections of this record']").get_by_text(
        "Exploitation risk", exact=True).click()  # fmt: skip
    restricted = portal.rows(
        "SELECT restricted_text FROM portal_event WHERE person_key = ? AND feed IN "
        "('exploitation', 'police_intelligence') AND sensitivity IN "
        "('police_intelligence', 'health')", (outsider,))  # fmt: skip
    assert restricted
    expect(page.locator(".kl-withheld")).to_have_count(len(restricted))
    text = page.locator("main").inner_text()
    assert all(t not in text for (t,) in restricted if t)
    assert portal.audit("headteacher", "break_glass") == [("person", outsider, reason)]
    views = [v for v in portal.audit("headteacher", "view_child") if v[1] == outsider]
    assert views == [("person", outsider, f"break-glass: {reason}")] * 2

    # The DPO sees the break-glass awaiting review, marks it, and may not open the child.
    dpo = sign_in("dpo")
    dpo.locator("nav[aria-label=Menu]").get_by_role("link", name="Audit").click()
    grant = dpo.locator("#break-glass tbody tr", has_text=outsider)
    expect(grant).to_contain_text(reason)
    grant.locator("input[name=note]").fill("Justified: police call")
    grant.get_by_role("button", name="Mark reviewed").click()
    expect(dpo.locator("#break-glass tbody tr", has_text=outsider)).to_have_count(0)
    assert portal.rows("SELECT dpo_note FROM portal_breakglass WHERE dpo_reviewed_at "
                       "IS NOT NULL") == [("Justified: police call",)]  # fmt: skip
    dpo.fill("#id_person", outsider)
    dpo.get_by_role("button", name="Show").click()
    expect(dpo.locator("main table").first).to_contain_text("headteacher (head_teacher)")
    assert _status(dpo, f"/child/{pupil}/") == 403
    assert _heading(dpo) == FORBIDDEN
    assert _refused(portal, "dpo", "page", f"/child/{pupil}/") == 1
    verify = subprocess.run(
        [sys.executable, "-m", "kinlink.portal", "audit", "verify"],
        env=_child_env(portal.database_url, portal.folder), cwd=ROOT,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stderr
    assert "audit chain intact" in verify.stdout


def test_practitioner_family_and_wrong_link_reviewed_by_mash(
    portal: Portal, sign_in: SignIn
) -> None:
    cast = portal.cast
    child, family = cast["caseload_child"], cast["caseload_family"]
    page = sign_in("practitioner")
    menu = page.locator("nav[aria-label=Menu]")
    expect(menu.get_by_role("link", name="Schools")).to_have_count(0)

    # The search lists exactly the children of the practitioner's caseload.
    menu.get_by_role("link", name="Child search").click()
    expect(page.locator("#id_school")).to_have_count(0)
    page.click("#filter-button")
    caseload = {k for (k,) in portal.rows(
        "SELECT p.person_key FROM portal_person p JOIN portal_familymember m "
        "ON m.person_key = p.person_key JOIN portal_family f ON f.family_key = m.family_key "
        "WHERE p.is_child AND f.lead_practitioner = ?", (cast["practitioner_name"],))}  # fmt: skip
    assert set(_result_keys(page)) <= caseload
    assert _result_count(page) == len(caseload)

    # The child's family tab leads to the family page with every member.
    page.goto(f"/child/{child}/family/")
    page.get_by_role("link", name="Open the family page").click()
    expect(page.locator("main h1")).to_have_text(family)
    (members,) = portal.rows("SELECT COUNT(*) FROM portal_familymember WHERE family_key = ?",
                             (family,))[0]  # fmt: skip
    expect(page.locator("main table").first.locator("tbody tr")).to_have_count(members)
    screenshot(page, "family")
    assert portal.audit("practitioner", "view_family") == [("family", family, "")]

    # Another practitioner's family, and the reviewers' page, are refused and audited.
    other = cast["other_family"]
    assert _status(page, f"/family/{other}/") == 404
    assert _refused(portal, "practitioner", "family", other) == 1
    assert _status(page, "/reviews/") == 403
    assert _refused(portal, "practitioner", "page", "/reviews/") == 1

    # Report a wrong link from the child's overview.
    record = cast["record_id"]
    page.goto(f"/child/{child}/")
    page.locator(f"a[href$='/records/{record}/']").click()
    expect(page.locator("main h1")).to_have_text("Why this record is linked to this person")
    page.fill("#id_comment", "Date of birth differs from the school record")
    page.get_by_role("button", name="Report a wrong link").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Thank you")
    assert portal.rows("SELECT record_id, person_key, status FROM portal_wronglinkreport") == [
        (record, child, "open")
    ]
    assert portal.audit("practitioner", "report_link") == [("person", child, "")]

    # A MASH link reviewer decides it.
    mash = sign_in("mash")
    mash.locator("nav[aria-label=Menu]").get_by_role("link", name="Link reviews").click()
    report = mash.locator("main tbody tr", has_text=record)
    expect(report).to_contain_text("open")
    report.locator("select[name=decision]").select_option("different")
    report.locator("textarea[name=reason]").fill("Different dates of birth and schools")
    report.get_by_role("button", name="Decide").click()
    expect(mash.locator("main tbody tr", has_text=record)).to_contain_text(
        "decided (different people)"
    )
    assert portal.rows(
        "SELECT r.status, r.same_person, u.username, r.review_reason FROM "
        "portal_wronglinkreport r JOIN auth_user u ON u.id = r.reviewer_id"
    ) == [("decided", 0, "mash", "Different dates of birth and schools")]
    assert portal.audit("mash", "review_link") == [("person", child, "")]


def test_mash_searches_by_name_gives_a_purpose_and_reads_restricted_records(
    portal: Portal, sign_in: SignIn
) -> None:
    key, name = portal.cast["searched"]["key"], portal.cast["searched"]["name"]
    page = sign_in("mash")
    (children,) = portal.rows("SELECT COUNT(*) FROM portal_person WHERE is_child")[0]
    expect(page.locator("#fig-children")).to_have_text(str(children))
    screenshot(page, "dashboard")

    page.locator("nav[aria-label=Menu]").get_by_role("link", name="Child search").click()
    page.fill("#id_name", name)
    page.click("#search-button")
    assert key in _result_keys(page)
    assert name.split()[-1] not in page.url  # names never travel in URLs
    page.locator(f"#results tr[data-person-key='{key}'] a").click()

    # Every visit records a purpose before anything is shown.
    expect(page.locator("main h1")).to_have_text("Why are you opening this record?")
    assert portal.audit("mash", "view_child") == []
    page.fill("#id_purpose", "short")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#purpose-error")).to_be_visible()
    purpose = "Strategy meeting about a police referral"
    page.fill("#id_purpose", purpose)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main h1")).to_have_text(name)
    expect(page.locator("main")).to_contain_text(f"Purpose recorded: {purpose}")

    # Cleared for police intelligence: the restricted text is shown.
    page.locator("nav[aria-label='Sections of this record']").get_by_text(
        "Exploitation risk", exact=True).click()  # fmt: skip
    restricted = [t for (t,) in portal.rows(
        "SELECT restricted_text FROM portal_event WHERE person_key = ? AND feed IN "
        "('exploitation', 'police_intelligence') AND restricted_text != ''", (key,))]  # fmt: skip
    assert restricted
    expect(page.locator(".kl-restricted")).to_have_count(len(restricted))
    expect(page.locator(".kl-withheld")).to_have_count(0)
    assert portal.audit("mash", "view_child") == [("person", key, purpose)] * 2

    # MASH may open anyone, so it has no break-glass; asking for one is refused and audited.
    assert _status(page, f"/child/{key}/break-glass/") == 403
    assert _refused(portal, "mash", "page", f"/child/{key}/break-glass/") == 1


def test_analyst_needs_the_right_code_and_sees_aggregates_only(
    portal: Portal, sign_in: SignIn
) -> None:
    page = sign_in.page()
    page.goto("/search/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/search/$"))
    page.fill("#username", "analyst")
    page.fill("#password", portal.cast["password"])
    page.click("main button[type=submit]")
    right = totp_code(portal.cast["users"]["analyst"]["totp_secret"])
    page.fill("#token", f"{(int(right) + 1) % 1_000_000:06d}")
    page.click("main button[type=submit]")
    expect(page.locator(".govuk-error-summary")).to_contain_text("code is not right")
    page.goto("/")
    expect(page).to_have_url(portal.url + "/login/code/")
    time.sleep(1.2)  # a failed code throttles the device for a second
    page.fill("#token", totp_code(portal.cast["users"]["analyst"]["totp_secret"]))
    page.click("main button[type=submit]")
    expect(page.locator("main h1")).to_have_text("What are you working on?")
    expect(page.locator("input[name=purpose]")).to_have_count(3)  # the analyst's purposes
    page.check("#purpose-early_help_return")
    page.click("#purpose-button")
    expect(page.locator("main h1")).to_have_text("Dashboard")

    (children,) = portal.rows("SELECT COUNT(*) FROM portal_person WHERE is_child")[0]
    expect(page.locator("#fig-children")).to_have_text(str(children))
    expect(page.locator("nav[aria-label=Menu]").get_by_role("link", name="Child search")
           ).to_have_count(0)  # fmt: skip
    expect(page.locator("a[href^='/child/'], a[href^='/family/']")).to_have_count(0)
    pupil = portal.cast["pupil"]
    for path in ("/search/", f"/child/{pupil}/", f"/family/{portal.cast['caseload_family']}/"):
        assert _status(page, path) == 403, path
        assert _heading(page) == FORBIDDEN
        assert _refused(portal, "analyst", "page", path) == 1
    assert not any(v[1] == pupil for v in portal.audit("analyst", "view_child"))
