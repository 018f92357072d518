"""Exports: a separate permission, a watermark naming the user, pseudonyms for analysts.

Every export is written to the audit log with its purpose and row count. An export's
first lines are a watermark (who, role, when, why, export id), so a file found elsewhere
says where it came from. Analysts never receive names, dates of birth, postcodes or person
keys: each person is a keyed hash (HMAC-SHA256) of their key under a secret that stays on
the server (``KINLINK_PSEUDONYM_KEY``; by default derived from the server's secret key),
stable within one deployment so exports can be joined, useless outside it.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from collections.abc import Iterable
from datetime import datetime

EXPORT_ROW_LIMIT = 10_000
CASE_COLUMNS = ("person_key", "forename", "surname", "dob", "school_urn", "school_name",
                "year_group", "persistent_absence", "sen", "exploitation_risk",
                "youth_justice", "eligible_family", "family_key")  # fmt: skip
PSEUDONYMISED_COLUMNS = ("pseudonym", "sex", "school_urn", "year_group", "persistent_absence",
                         "sen", "exploitation_risk", "youth_justice", "eligible_family",
                         "family_pseudonym")  # fmt: skip


def pseudonym(key: str, secret: bytes) -> str:
    """A keyed hash of a person or family key: stable here, meaningless elsewhere."""
    if not key:
        return ""
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()[:20]


def export_id() -> str:
    """A random reference that the watermark and the audit row share."""
    return "EXP-" + secrets.token_hex(6)


def watermark(*, username: str, role: str, purpose: str, reference: str, at: datetime) -> list[str]:
    """The lines every export starts with."""
    return [
        f"# Kinlink export {reference}: OFFICIAL-SENSITIVE, for the stated purpose only",
        f"# Exported by {username} ({role}) at {at.isoformat(timespec='seconds')}",
        f"# Purpose: {' '.join(purpose.split())}",
    ]


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]], marks: list[str]) -> str:
    """The export's text: watermark lines, then CSV."""
    out = io.StringIO()
    for line in marks:
        out.write(line + "\n")
    writer = csv.writer(out)
    writer.writerow(list(header))
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()
