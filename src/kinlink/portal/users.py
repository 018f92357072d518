"""Creating users with a role, a scope and a TOTP device (every user has a second factor)."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django_otp.plugins.otp_totp.models import TOTPDevice

from kinlink.portal import policy
from kinlink.portal.models import Family, Profile, School


@dataclass(frozen=True)
class NewUser:
    username: str
    role: str
    password: str
    totp_secret: str  # base32, for an authenticator app
    totp_uri: str
    device: TOTPDevice


def user_create(
    *,
    username: str,
    role: str,
    password: str | None = None,
    school_urns: str = "",
    practitioner_name: str = "",
    team: str = "",
    cleared: str | None = None,
    link_reviewer: bool = False,
    may_export: bool = False,
) -> NewUser:
    """Create or reset a user with its profile and a fresh confirmed TOTP device."""
    password = password or secrets.token_urlsafe(12)
    with transaction.atomic():
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = role == policy.ADMINISTRATOR
        user.save()
        Profile.objects.update_or_create(
            user=user,
            defaults={
                "role": role,
                "school_urns": school_urns,
                "practitioner_name": practitioner_name,
                "team": team,
                "cleared": " ".join(sorted(policy.default_clearances(role)))
                if cleared is None
                else cleared,
                "link_reviewer": link_reviewer,
                "may_export": may_export,
            },
        )
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    secret = base64.b32encode(bytes.fromhex(device.key)).decode()
    return NewUser(username, role, password, secret, device.config_url, device)


def demo_users_create() -> list[NewUser]:
    """A user per role, scoped to real published schools and practitioners."""
    school = School.objects.order_by("-pupils", "urn").values_list("urn", flat=True).first() or ""
    lead = (
        Family.objects.exclude(lead_practitioner="")
        .values("lead_practitioner", "team")
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_practitioner")
        .first()
    ) or {"lead_practitioner": "", "team": ""}
    return [
        user_create(username="headteacher", role=policy.HEAD_TEACHER, school_urns=school),
        user_create(
            username="practitioner",
            role=policy.PRACTITIONER,
            practitioner_name=lead["lead_practitioner"],
        ),  # fmt: skip
        user_create(username="mash", role=policy.MASH, link_reviewer=True),
        user_create(username="analyst", role=policy.ANALYST),
        user_create(username="admin", role=policy.ADMINISTRATOR),
    ]
