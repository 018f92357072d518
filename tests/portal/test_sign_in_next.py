"""After signing in a user goes where they were going, and never to another site."""

from __future__ import annotations

from django.test import Client
from django_otp.oath import totp

from kinlink.portal.users import user_create
from tests.portal.conftest import PASSWORD


def _code(username: str) -> str:
    user = user_create(username=username, role="mash", password=PASSWORD)
    return f"{totp(user.device.bin_key):06d}"


def test_a_deep_link_survives_both_sign_in_steps(db: object) -> None:
    code = _code("deep")
    client = Client()
    first = client.post("/login/?next=/search/", {"username": "deep", "password": PASSWORD})
    assert first.status_code == 302
    assert first["Location"] == "/login/code/?next=%2Fsearch%2F"
    second = client.post(first["Location"], {"token": code})
    assert second["Location"] == "/search/"


def test_the_code_step_refuses_to_send_a_user_to_another_site(db: object) -> None:
    code = _code("phish")
    client = Client()
    client.post("/login/", {"username": "phish", "password": PASSWORD})
    response = client.post("/login/code/?next=https://attacker.example/x", {"token": code})
    assert response.status_code == 302
    assert response["Location"].startswith("/")
    assert "attacker" not in response["Location"]
