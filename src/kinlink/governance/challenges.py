"""Rectification and challenge: a link, a fact or a score a family or a practitioner disputes.

A challenge is recorded with who raised it and why, and from that moment the challenged
item is not used:

* a challenged **fact** or **link** takes its source record out of every assessment
  (``challenged_records``: outcomes reads person records through it) until resolved;
* a challenged **score** is marked, and the portal shows it as challenged.

Resolving it: a link challenge *upheld* becomes reviewers' "different people" decisions
between the record and the person's other records, which every later linkage run enforces
(run ``kinlink link`` to split it); a fact challenge *upheld* keeps the record out until
the partner sends a corrected extract (a new extract is a new record); *rejected* puts the
item back into use. ``challenges_return`` writes the "please correct this record" file for
a partner: feed, file, row, field and reason, never the personal values.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import duckdb

from kinlink.core.clock import utc_now
from kinlink.core.errors import KinlinkError
from kinlink.linkage.review import decide
from kinlink.warehouse.schema import PERSON_RECORD_TABLE
from kinlink.warehouse.store import table_exists

TABLE = "challenges"
Kind = Literal["link", "fact", "score"]
RETURN_COLUMNS = ("challenge_id", "feed", "file_name", "row_number", "slot", "field", "kind",
                  "reason", "raised_at", "status")  # fmt: skip

DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    challenge_id VARCHAR PRIMARY KEY, kind VARCHAR, record_id VARCHAR, score_id VARCHAR,
    person_key VARCHAR, feed VARCHAR, file_name VARCHAR, row_number INTEGER, slot VARCHAR,
    field VARCHAR, reason VARCHAR, raised_by VARCHAR, raised_at TIMESTAMPTZ, status VARCHAR,
    resolved_by VARCHAR, resolved_at TIMESTAMPTZ, resolution VARCHAR)"""


class ChallengeError(KinlinkError):
    """A challenge that cannot be recorded or resolved."""


@dataclass(frozen=True)
class Challenge:
    """One recorded challenge."""

    challenge_id: str
    kind: str
    record_id: str | None
    person_key: str | None
    status: str
    raised_at: datetime


def challenges_table_create(con: duckdb.DuckDBPyConnection) -> None:
    """Create the challenges table if it is not there yet."""
    con.execute(DDL)


def challenged_records_sql(con: duckdb.DuckDBPyConnection) -> str:
    """SQL for the record ids that must not be used now (empty when nothing is challenged)."""
    challenges_table_create(con)
    return (
        f"SELECT record_id FROM {TABLE} WHERE record_id IS NOT NULL AND "
        "(status = 'open' OR (kind = 'fact' AND status = 'upheld'))"
    )


def challenge_raise(
    con: duckdb.DuckDBPyConnection,
    kind: Kind,
    ref: str,
    *,
    reason: str,
    raised_by: str,
    field: str | None = None,
) -> Challenge:
    """Record a challenge of a record's link or fact (``ref`` = record id) or of a score."""
    if kind not in ("link", "fact", "score"):
        raise ChallengeError(f"unknown kind {kind!r}: link, fact or score")
    if not reason.strip() or not raised_by.strip():
        raise ChallengeError("a challenge needs a reason and who raised it")
    challenges_table_create(con)
    now = utc_now()
    cid = "CH-" + hashlib.sha256(f"{kind}|{ref}|{now.isoformat()}".encode()).hexdigest()[:10]
    if kind == "score":
        found = con.execute(
            "SELECT person_key FROM risk_scores WHERE score_id = ?", [ref]
        ).fetchone() if table_exists(con, "risk_scores") else None  # fmt: skip
        if found is None:
            raise ChallengeError(f"unknown score: {ref}")
        con.execute(
            f"INSERT INTO {TABLE} VALUES (?, ?, NULL, ?, ?, NULL, NULL, NULL, NULL, ?, ?, ?, ?, "
            "'open', NULL, NULL, NULL)",
            [cid, kind, ref, found[0], field, reason.strip(), raised_by.strip(), now],
        )
        return Challenge(cid, kind, None, str(found[0]), "open", now)
    record = con.execute(
        f"""SELECT r.feed, r.file_name, r.row_number, r.slot, m.person_key
            FROM {PERSON_RECORD_TABLE} r LEFT JOIN person_key_members m USING (record_id)
            WHERE r.record_id = ?""",
        [ref],
    ).fetchone()
    if record is None:
        raise ChallengeError(f"unknown record: {ref}")
    feed, file_name, row_number, slot, person_key = record
    con.execute(
        f"INSERT INTO {TABLE} VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', "
        "NULL, NULL, NULL)",
        [cid, kind, ref, person_key, feed, file_name, row_number, slot, field, reason.strip(),
         raised_by.strip(), now],
    )  # fmt: skip
    return Challenge(cid, kind, ref, person_key, "open", now)


def challenge_resolve(
    con: duckdb.DuckDBPyConnection,
    challenge_id: str,
    *,
    upheld: bool,
    resolved_by: str,
    resolution: str,
) -> str:
    """Uphold or reject an open challenge; an upheld link becomes "different people"."""
    if not resolved_by.strip() or not resolution.strip():
        raise ChallengeError("a resolution needs who resolved it and why")
    challenges_table_create(con)
    found = con.execute(
        f"SELECT kind, record_id, person_key, status FROM {TABLE} WHERE challenge_id = ?",
        [challenge_id],
    ).fetchone()
    if found is None:
        raise ChallengeError(f"unknown challenge: {challenge_id}")
    kind, record_id, person_key, status = found
    if status != "open":
        raise ChallengeError(f"challenge {challenge_id} is already {status}")
    if upheld and kind == "link" and person_key is not None:
        others = [
            r[0]
            for r in con.execute(
                "SELECT record_id FROM person_key_members WHERE person_key = ? AND record_id <> ?",
                [person_key, record_id],
            ).fetchall()
        ]
        for other in others:
            decide(con, record_id, other, False, resolved_by,
                   f"challenge {challenge_id} upheld: {resolution}")  # fmt: skip
    new_status = "upheld" if upheld else "rejected"
    con.execute(
        f"UPDATE {TABLE} SET status = ?, resolved_by = ?, resolved_at = ?, resolution = ? "
        "WHERE challenge_id = ?",
        [new_status, resolved_by.strip(), utc_now(), resolution.strip(), challenge_id],
    )
    return new_status


def challenges_return(con: duckdb.DuckDBPyConnection, feed: str, out: Path) -> int:
    """Write the feed's challenged facts and links for its partner to correct; row count."""
    challenges_table_create(con)
    rows = con.execute(
        f"""SELECT {", ".join(RETURN_COLUMNS)} FROM {TABLE}
            WHERE feed = ? AND kind IN ('fact', 'link') AND status IN ('open', 'upheld')
            ORDER BY file_name, row_number, challenge_id""",
        [feed],
    ).fetchall()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(RETURN_COLUMNS)
        writer.writerows(rows)
    return len(rows)
