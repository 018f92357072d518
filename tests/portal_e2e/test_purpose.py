"""The session's purpose in the browser: chosen after the code step, shown in the header,
changeable, recorded on every audit row, and deciding which feeds a page shows."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.portal_e2e.conftest import Portal, SignIn, needs_chromium

pytestmark = needs_chromium


def test_the_purpose_decides_what_is_shown_and_is_audited(portal: Portal, sign_in: SignIn) -> None:
    child = portal.cast["youth_justice_child"]
    page = sign_in("mash")  # chooses "MASH enquiry", whose agreements exclude youth justice
    header = page.locator("#session-purpose")
    expect(header).to_contain_text("Purpose: MASH enquiry")

    page.goto(f"/child/{child}/youth-justice/")
    page.fill("#id_purpose", "Checking a referral from the school")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#tab-heading")).to_have_text("Youth justice")
    expect(page.locator("tr[data-feed='youth_justice']")).to_have_count(0)
    expect(page.locator(".kl-withheld")).to_have_count(0)  # hidden, not "withheld"
    page.goto(f"/child/{child}/chronology/")
    expect(page.locator("#id_feed option[value='youth_justice']")).to_have_count(0)

    # Change it from the header; an ended purpose is never offered.
    header.get_by_role("link", name="Change").click()
    expect(page.locator("main h1")).to_have_text("What are you working on?")
    expect(page.locator("#purpose-emergency_vulnerable_residents")).to_have_count(0)
    page.check("#purpose-safe_exploitation_review")
    page.click("#purpose-button")
    expect(page.locator("#session-purpose")).to_contain_text("exploitation")
    page.goto(f"/child/{child}/youth-justice/")
    page.fill("#id_purpose", "Exploitation review of this child")
    page.get_by_role("button", name="Continue").click()
    (n,) = portal.rows("SELECT COUNT(*) FROM portal_event WHERE person_key = ? "
                       "AND feed = 'youth_justice'", (child,))[0]  # fmt: skip
    expect(page.locator("tr[data-feed='youth_justice']")).to_have_count(n)

    codes = portal.rows("SELECT action, purpose_code, purpose FROM portal_auditevent "
                        "WHERE username = 'mash' AND object_id = ? ORDER BY id",
                        (child,))  # fmt: skip
    assert [c[:2] for c in codes if c[0] == "view_child"] == [
        ("view_child", "mash_enquiry"), ("view_child", "mash_enquiry"),
        ("view_child", "safe_exploitation_review")]  # fmt: skip
    assert codes[-1][2] == "Exploitation review of this child"
