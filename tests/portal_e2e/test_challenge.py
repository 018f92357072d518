"""Challenging a record and reading the match weights, in the browser."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.portal_e2e.conftest import Portal, SignIn, needs_chromium

pytestmark = needs_chromium


def test_a_practitioner_challenges_a_record_and_reads_why_it_is_linked(
    portal: Portal, sign_in: SignIn
) -> None:
    child, record = portal.cast["caseload_child"], portal.cast["record_id"]
    page = sign_in("practitioner")

    # Why linked: the model's weights per comparison, with the final probability.
    page.goto(f"/child/{child}/records/{record}/")
    table = page.locator("#match-weights")
    expect(table.locator("caption")).to_contain_text("How the linkage model scored")
    expect(table.locator("thead th")).to_have_text(["Comparison", "Level reached", "Match weight"])
    expect(table.locator("tbody tr")).to_have_count(6)
    (weights,) = portal.rows("SELECT weights FROM portal_recordlink WHERE record_id = ?",
                             (record,))[0]  # fmt: skip
    shown = float(page.locator("#match-probability").inner_text())
    assert abs(shown - json.loads(weights)["match_probability"]) < 1e-4

    # Challenge the first record of the chronology.
    page.goto(f"/child/{child}/chronology/")
    first = page.locator(".kl-events tbody tr[data-feed]").first
    first.locator("a.kl-challenge-link").click()
    expect(page.locator("main h1")).to_have_text("Challenge this record's facts")
    page.fill("#id_reason", "too short")
    page.get_by_role("button", name="Raise the challenge").click()
    expect(page.locator("#reason-error")).to_be_visible()
    page.fill("#id_reason", "The family says this never happened at this address")
    page.get_by_role("button", name="Raise the challenge").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Challenge recorded")
    rows = portal.rows("SELECT kind, person_key, status, purpose_code FROM portal_challengerequest")
    assert rows == [("fact", child, "open", "supporting_families_identification")]
    audited = portal.rows(
        "SELECT purpose_code FROM portal_auditevent WHERE username = 'practitioner' "
        "AND action = 'raise_challenge' AND object_id = ?",
        (child,),
    )
    assert audited == [("supporting_families_identification",)]
