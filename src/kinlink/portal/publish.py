"""``kinlink publish``: copy the linked, assessed warehouse into the portal database.

One run replaces every published table inside ONE database transaction, so users see the
previous publish until the new one commits, and a failure leaves it intact. A run whose
inputs (linkage, families and assessment runs, active extracts) are those of the last
publish changes nothing unless forced. Rows go in with ``bulk_create``.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction

from kinlink.core.clock import utc_now
from kinlink.portal.areas import areas_assign, configured_boundaries
from kinlink.portal.models import (
    Enrolment,
    Event,
    Family,
    FamilyMember,
    FamilyNeed,
    Person,
    PublishedChallenge,
    PublishedChange,
    PublishRun,
    RecordLink,
    School,
)
from kinlink.portal.snapshot import events_iter, risk_score_events, runs_read, snapshot_read
from kinlink.warehouse.store import warehouse_connect

PUBLISHED: tuple[type[models.Model], ...] = (
    Person, Family, FamilyMember, FamilyNeed, School, Enrolment, Event, RecordLink,
    PublishedChallenge,
    PublishedChange,
)  # fmt: skip
BATCH = 2000


@dataclass(frozen=True)
class PublishResult:
    run_id: int
    skipped: bool
    counts: dict[str, int]
    changes: dict[str, int]
    seconds: float


def _bulk(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    iterator: Iterator[dict[str, Any]] = iter(rows)
    while chunk := list(islice(iterator, BATCH)):
        model.objects.bulk_create([model(**r) for r in chunk], batch_size=BATCH)
        n += len(chunk)
    return n


def _previous_state() -> dict[str, set[str]]:
    return {
        "eligible": set(Family.objects.filter(eligible=True).values_list("pk", flat=True)),
        "absence": set(Person.objects.filter(persistent_absence=True).values_list("pk", flat=True)),
        "exploitation": set(
            Person.objects.filter(exploitation_open=True).values_list("pk", flat=True)
        ),
    }


def publish_run(
    *, warehouse: Path, force: bool = False, model_path: Path | None = None
) -> PublishResult:
    """Publish the warehouse; returns what was written (or that nothing changed).

    ``model_path``: the saved linkage model, to publish each record's per-comparison match
    weights (default: the configured model; without it, the summary only).

    >>> publish_run(warehouse=Path("data/warehouse.duckdb"))  # doctest: +SKIP
    """
    started = time.perf_counter()
    con = warehouse_connect(warehouse, read_only=True)
    try:
        runs = runs_read(con)
        boundaries = configured_boundaries()
        # a new boundary file changes every person's area, so it is an input too
        fingerprint = runs.fingerprint
        if boundaries is not None:
            fingerprint = hashlib.sha256(f"{fingerprint}|{boundaries.digest}".encode()).hexdigest()
        last = PublishRun.objects.order_by("-pk").first()
        if last and last.input_fingerprint == fingerprint and not force:
            return PublishResult(last.pk, True, dict(last.counts), dict(last.changes), 0.0)
        if model_path is None:
            from kinlink.linkage import LinkageConfig

            model_path = LinkageConfig().model_path
        snap = snapshot_read(con, model_path=model_path)
        codes = boundaries.codes if boundaries is not None else frozenset()
        areas_assign(snap.people, snap.families, snap.members, codes)
        with transaction.atomic():
            before = _previous_state()
            first_publish = last is None
            for model in PUBLISHED:
                model.objects.all().delete()
            counts = {
                "people": _bulk(Person, snap.people),
                "families": _bulk(Family, snap.families),
                "family_members": _bulk(FamilyMember, snap.members),
                "family_needs": _bulk(FamilyNeed, snap.needs),
                "schools": _bulk(School, snap.schools),
                "enrolments": _bulk(Enrolment, snap.enrolments),
                "events": _bulk(Event, itertools.chain(events_iter(con), risk_score_events(con))),
                "record_links": _bulk(RecordLink, snap.record_links),
                "challenges": _bulk(PublishedChallenge, snap.challenges),
                # a boundary file that places few people is the wrong file for this council
                "people_in_an_area": sum(1 for p in snap.people if p["area"]),
            }
            after = _previous_state()
            changed = (
                {}
                if first_publish
                else {
                    "newly_eligible": after["eligible"] - before["eligible"],
                    "no_longer_eligible": before["eligible"] - after["eligible"],
                    "new_persistent_absence": after["absence"] - before["absence"],
                    "new_open_exploitation": after["exploitation"] - before["exploitation"],
                }
            )
            changes = {kind: len(keys) for kind, keys in changed.items()}
            _bulk(
                PublishedChange,
                (
                    {"kind": kind, "key": key}
                    for kind, keys in changed.items()
                    for key in sorted(keys)
                ),
            )
            seconds = round(time.perf_counter() - started, 2)
            run = PublishRun.objects.create(
                published_at=utc_now(),
                as_of=runs.as_of,
                linkage_run_id=runs.linkage_run_id,
                families_run_id=runs.families_run_id,
                assessment_run_id=runs.assessment_run_id,
                input_fingerprint=fingerprint,
                counts=counts,
                changes=changes,
                seconds=seconds,
            )
    finally:
        con.close()
    _statistics_refresh()
    return PublishResult(run.pk, False, counts, changes, seconds)


def _statistics_refresh() -> None:
    """Leave the replaced tables ready for the first searches after a refresh.

    ANALYZE, so queries are planned on the new data's statistics, not an empty table's; on
    PostgreSQL, outside a caller's transaction, VACUUM (ANALYZE), so autovacuum does not
    then work through millions of new rows while users search (at 500,000 people, that
    pushed the search p95 over the target for the first minutes after a publish).
    """
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for model in PUBLISHED:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"VACUUM (ANALYZE) {table}" if vacuum else f"ANALYZE {table}")
