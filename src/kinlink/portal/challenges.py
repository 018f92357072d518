"""Carrying challenges and score reviews made in the portal back to the warehouse.

The portal keeps its own queues (``ChallengeRequest``, ``ScoreReviewRequest``) so it never
writes to the warehouse while serving pages; ``kinlink portal push-challenges`` records
each open challenge with ``governance.challenge_raise`` (so the challenged item is out of
use from then on) and ``kinlink portal push-score-reviews`` each review with
``risk.services.risk_review``. The next ``kinlink publish`` marks the challenged items and
shows the latest review of each score.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from kinlink.core.clock import utc_now
from kinlink.core.errors import KinlinkError
from kinlink.governance.challenges import Kind, challenge_raise
from kinlink.portal.models import ChallengeRequest, Profile, ScoreReviewRequest
from kinlink.warehouse.store import warehouse_connect


def _who(user: object) -> str:
    """Who raised it, as the warehouse records it: username and portal role."""
    profile = Profile.objects.filter(user=user).first()
    name = str(getattr(user, "username", "portal user"))
    return f"{name} ({profile.role}, portal)" if profile else f"{name} (portal)"


def challenges_push(*, warehouse: Path) -> tuple[int, int]:
    """Record every open portal challenge in the warehouse; (recorded, failed)."""
    pending = list(ChallengeRequest.objects.filter(status="open").select_related("raised_by"))
    if not pending:
        return 0, 0
    recorded = failed = 0
    con = warehouse_connect(warehouse)
    try:
        for request in pending:
            try:
                raised = challenge_raise(
                    con,
                    cast(Kind, request.kind),
                    request.ref,
                    reason=request.reason,
                    raised_by=_who(request.raised_by),
                    field=request.field or None,
                )
            except KinlinkError as exc:  # e.g. the record left the warehouse (retention)
                request.status, request.push_error = "failed", str(exc)[:2000]
                failed += 1
            else:
                request.status, request.challenge_id = "pushed", raised.challenge_id
                recorded += 1
            request.pushed_at = utc_now()
            request.save()
    finally:
        con.close()
    return recorded, failed


def score_reviews_push(*, warehouse: Path) -> tuple[int, int]:
    """Record every open portal score review in the risk registry; (recorded, failed)."""
    from kinlink.risk.services import risk_review

    recorded = failed = 0
    for review in ScoreReviewRequest.objects.filter(status="open").select_related("reviewed_by"):
        try:
            review.review_id = risk_review(
                warehouse,
                review.score_id,
                reviewer=_who(review.reviewed_by),
                decision=review.decision,
                reason=review.note,
            )
        except KinlinkError as exc:
            review.status, review.push_error = "failed", str(exc)[:2000]
            failed += 1
        else:
            review.status = "pushed"
            recorded += 1
        review.pushed_at = utc_now()
        review.save()
    return recorded, failed
