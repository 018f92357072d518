"""Reading families back: one family with its evidence, and the export for partners.

Both read only the warehouse tables a run wrote, so they show exactly what the last run
decided. They name people by person key and role, never by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from kinlink.core.errors import KinlinkError
from kinlink.families.tables import EVENTS, KEYS, MEMBERS, RELATIONSHIPS, RESIDENCE, table_exists

EXPORT_COLUMNS = ("person_key", "family_key", "role")


class UnknownFamily(KinlinkError):
    """No such family key has ever been issued."""


@dataclass(frozen=True)
class Membership:
    """One person's membership of the family (current or past)."""

    person_key: str
    role: str
    valid_from: date | None
    valid_to: date | None
    basis: str  # current, closed (ended between runs) or moved (an earlier address)
    placed_by: str | None
    address_id: str | None = None


@dataclass(frozen=True)
class Relationship:
    """An edge between two members, or between a member and someone outside."""

    person_key_a: str
    person_key_b: str
    relation: str
    evidence: str
    evidence_ref: str | None
    detail: str | None
    records: int
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class KeyEvent:
    """A registry event naming the family: new, merge, split, retire."""

    run_id: str
    kind: str
    family_key: str
    related_keys: list[str]
    members: int
    reason: str


@dataclass
class FamilyView:
    """Everything recorded about one family key."""

    family_key: str
    created_at: datetime | None
    created_run: str | None
    retired_at: datetime | None
    merged_into: str | None
    members: list[Membership] = field(default_factory=list)
    history: list[Membership] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    events: list[KeyEvent] = field(default_factory=list)


@dataclass(frozen=True)
class FamiliesExport:
    """What was written."""

    path: Path
    rows: int
    families: int


def _require(con: duckdb.DuckDBPyConnection) -> None:
    if not table_exists(con, MEMBERS):
        raise KinlinkError("no families in this warehouse yet; run 'kinlink families build'")


def family_view(con: duckdb.DuckDBPyConnection, family_key: str) -> FamilyView:
    """The family's registry entry, members, history, relationships and events."""
    _require(con)
    row = con.execute(
        f"SELECT created_at, created_run, retired_at, merged_into FROM {KEYS} WHERE family_key = ?",
        [family_key],
    ).fetchone()
    if row is None:
        raise UnknownFamily(f"no family key {family_key!r} has been issued")
    view = FamilyView(family_key, row[0], row[1], row[2], row[3])
    for person, role, start, end, basis, placed, address in con.execute(
        f"""
        SELECT m.person_key, m.role, m.valid_from, m.valid_to, m.basis, m.placed_by,
               r.address_id
        FROM {MEMBERS} m
        LEFT JOIN {RESIDENCE} r
          ON r.person_key = m.person_key AND r.valid_to IS NULL AND m.basis = 'current'
        WHERE m.family_key = ?
        ORDER BY m.basis = 'current' DESC, m.valid_from, m.person_key
        """,
        [family_key],
    ).fetchall():
        member = Membership(person, role, start, end, basis, placed, address)
        (view.members if basis == "current" else view.history).append(member)
    keys = [m.person_key for m in view.members]
    if keys:
        view.relationships = [
            Relationship(a, b, rel, ev, ref, detail, int(n or 0), start, end)
            for a, b, rel, ev, ref, detail, n, start, end in con.execute(
                f"""
                SELECT person_key_a, person_key_b, relation, evidence, evidence_ref, detail,
                       len(record_ids), valid_from, valid_to
                FROM {RELATIONSHIPS}
                WHERE list_contains(?, person_key_a) OR list_contains(?, person_key_b)
                ORDER BY evidence, person_key_a, person_key_b, valid_from
                """,
                [keys, keys],
            ).fetchall()
        ]
    view.events = [
        KeyEvent(run, kind, key, list(related or []), int(n or 0), reason)
        for run, kind, key, related, n, reason in con.execute(
            f"""
            SELECT run_id, kind, family_key, related_keys, members, reason FROM {EVENTS}
            WHERE family_key = ? OR list_contains(related_keys, ?)
            ORDER BY created_at, run_id, kind
            """,
            [family_key, family_key],
        ).fetchall()
    ]
    return view


def families_csv(con: duckdb.DuckDBPyConnection, out: Path) -> FamiliesExport:
    """Write ``person_key,family_key,role`` for every person's current family."""
    _require(con)
    out.parent.mkdir(parents=True, exist_ok=True)
    query = (
        f"SELECT person_key, family_key, role FROM {MEMBERS} WHERE basis = 'current' "
        "ORDER BY family_key, person_key"
    )
    target = str(out).replace("'", "''")
    con.execute(f"COPY ({query}) TO '{target}' (HEADER, DELIMITER ',')")
    row = con.execute(
        f"SELECT count(*), count(DISTINCT family_key) FROM {MEMBERS} WHERE basis = 'current'"
    ).fetchone()
    rows, families = (int(row[0]), int(row[1])) if row else (0, 0)
    return FamiliesExport(out, rows, families)
