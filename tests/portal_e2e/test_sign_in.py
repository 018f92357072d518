"""Sign-in in the browser: where the code step sends a user afterwards."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.portal_e2e.conftest import Portal, SignIn, needs_chromium, totp_code

pytestmark = needs_chromium


def test_the_code_step_never_sends_a_user_to_another_site(portal: Portal, sign_in: SignIn) -> None:
    page = sign_in.page()
    page.goto("/login/")
    page.fill("#username", "mash")
    page.fill("#password", portal.cast["password"])
    page.click("main button[type=submit]")
    expect(page).to_have_url(portal.url + "/login/code/")
    csrf = page.locator("input[name=csrfmiddlewaretoken]").input_value()
    response = page.request.post(
        "/login/code/?next=https://attacker.example/sign-in",
        form={"token": totp_code(portal.cast["users"]["mash"]["totp_secret"]),
              "csrfmiddlewaretoken": csrf},
        headers={"Referer": portal.url + "/login/code/"},
        max_redirects=0,
    )  # fmt: skip
    assert response.status == 302  # the code was right: the user is signed in
    assert response.headers["location"].startswith("/")
