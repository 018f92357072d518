"""Portal fixtures: the small assessed city published once per session into the test
database (SQLite, or PostgreSQL when ``DATABASE_URL`` is set), and signed-in clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp

from tests.conftest import AssessedCity

PASSWORD = "a-long-test-password-42"
#: The session purpose each role's test user declares unless a test names another.
PURPOSES = {
    "head_teacher": "safe_exploitation_review",
    "practitioner": "supporting_families_identification",
    "mash": "mash_enquiry",
    "analyst": "supporting_families_identification",
}


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: Any,  # noqa: PT019 - extends pytest-django's fixture of the same name
    django_db_blocker: Any,
    assessed_city: AssessedCity,
) -> None:
    from kinlink.portal.publish import publish_run

    with django_db_blocker.unblock():
        publish_run(warehouse=assessed_city.warehouse)


def sign_in(username: str, role: str, purpose: str | None = None, **scope: Any) -> Client:
    """A client signed in with password and a valid TOTP code, under a session purpose
    (the role's usual one unless ``purpose`` names another; "" chooses none)."""
    from kinlink.portal.users import user_create

    new = user_create(username=username, role=role, password=PASSWORD, **scope)
    client = Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    response = client.post("/login/code/", {"token": f"{totp(new.device.bin_key):06d}"})
    assert response.status_code == 302
    chosen = PURPOSES.get(role, "") if purpose is None else purpose
    if chosen:
        response = client.post("/purpose/", {"purpose": chosen})
        assert response.status_code == 302, response.content[:300]
    return client


@pytest.fixture
def signed_in(db: Any) -> Callable[..., Client]:
    return sign_in
