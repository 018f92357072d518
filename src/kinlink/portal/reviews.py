"""Pushing reviewers' decisions on reported wrong links back into the warehouse.

The portal keeps its own queue (``WrongLinkReport``) so it never writes to the
warehouse while serving pages; ``kinlink portal push-reviews`` writes each decided
report as a linkage review decision (the reported record versus another record of the
same person), which every later linkage run obeys.
"""

from __future__ import annotations

from pathlib import Path

from kinlink.core.clock import utc_now
from kinlink.linkage import review_decide
from kinlink.portal.models import WrongLinkReport


def reviews_push(*, warehouse: Path) -> int:
    """Write every decided, unpushed report; returns how many were written."""
    n = 0
    for report in WrongLinkReport.objects.filter(status="decided").select_related("reviewer"):
        if not report.anchor_record_id:
            continue
        review_decide(
            warehouse,
            report.record_id,
            report.anchor_record_id,
            bool(report.same_person),
            report.reviewer.get_username() if report.reviewer else "portal",
            report.review_reason,
        )
        report.status = "pushed"
        report.pushed_at = utc_now()
        report.save()
        n += 1
    return n
