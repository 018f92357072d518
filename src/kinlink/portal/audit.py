"""The append-only audit log: write, verify the hash chain, and the two DPO reports.

Each event's hash covers its fields and the previous event's hash, so changing,
removing or reordering any row breaks the chain from there on; ``audit_verify`` finds
the first broken row. The application cannot update or delete rows (the model refuses,
and database triggers refuse UPDATE and DELETE on SQLite and PostgreSQL).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction

from kinlink.core.clock import utc_now
from kinlink.portal.models import AuditEvent

GENESIS = "0" * 64


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def _fields(event: AuditEvent) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "at": event.at.astimezone(UTC).isoformat(),
        "username": event.username,
        "role": event.role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "purpose": event.purpose,
        "source_ip": event.source_ip,
        "detail": event.detail,
    }
    if event.purpose_code:  # rows from before session purposes hash as they always did
        fields["purpose_code"] = event.purpose_code
    return fields


def audit_write(
    *,
    username: str,
    role: str,
    action: str,
    object_type: str = "",
    object_id: str = "",
    purpose: str = "",
    purpose_code: str = "",
    source_ip: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain (in the caller's transaction when there is one).

    ``purpose_code`` is the session's purpose from the governance registry; ``purpose`` the
    free text a user gave for this action (a MASH visit's reason, a break-glass reason).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # one writer at a time keeps the chain whole
                cursor.execute(
                    f"LOCK TABLE {AuditEvent._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
                )
        last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
        event = AuditEvent(
            at=utc_now(),
            username=username,
            role=role,
            action=action,
            object_type=object_type,
            object_id=object_id,
            purpose=purpose,
            purpose_code=purpose_code,
            source_ip=source_ip,
            detail=detail or {},
            prev_hash=last or GENESIS,
        )
        event.hash = _digest(event.prev_hash, _fields(event))
        event.save()
    return event


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    first_bad: int | None
    problem: str


def audit_verify() -> Verification:
    """Walk the chain in order; report the first event whose link or hash is wrong."""
    prev = GENESIS
    n = 0
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000):
        n += 1
        if event.prev_hash != prev:
            return Verification(False, n, event.pk, "previous hash does not match")
        if _digest(prev, _fields(event)) != event.hash:
            return Verification(False, n, event.pk, "contents do not match the hash")
        prev = event.hash
    return Verification(True, n, None, "")


def viewers_of(object_id: str) -> list[AuditEvent]:
    """Who viewed this child (or family): every audited access to the object, latest first."""
    return list(AuditEvent.objects.filter(object_id=object_id).order_by("-pk"))


def views_by(username: str, since: datetime | None = None) -> list[AuditEvent]:
    """What did this user view: their audited actions, latest first."""
    qs = AuditEvent.objects.filter(username=username)
    if since is not None:
        qs = qs.filter(at__gte=since)
    return list(qs.order_by("-pk"))


def subject_views(person_key: str) -> list[dict[str, Any]]:
    """The audit rows about one person for their subject access bundle: who, role, when,
    what and under which purpose (code and name). Free-text reasons are left out: they
    may name other people; the DPO reads them on the audit page."""
    from kinlink.portal.purposes import name_of

    return [
        {
            "at": event.at.astimezone(UTC).isoformat(timespec="seconds"),
            "who": event.username,
            "role": event.role,
            "action": event.action,
            "purpose_code": event.purpose_code,
            "purpose": name_of(event.purpose_code) if event.purpose_code else "",
        }
        for event in AuditEvent.objects.filter(object_type="person", object_id=person_key)
        .order_by("pk")
        .iterator(chunk_size=2000)
    ]
