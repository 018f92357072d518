"""Challenging a fact, a link or a score, and reviewing an advisory score, from the child
page. Both go into the portal's own queues and reach the warehouse through
``kinlink portal push-challenges`` / ``push-score-reviews`` (``portal.challenges``).

Every page is audited; what may be challenged or reviewed is ``policy``'s decision, and a
record the session may not read looks like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from kinlink.core.clock import utc_now
from kinlink.portal import policy
from kinlink.portal.access import audit, guarded, person_for_request
from kinlink.portal.forms import ChallengeForm, ScoreReviewForm
from kinlink.portal.models import (
    ChallengeRequest,
    Event,
    PublishedChallenge,
    RecordLink,
    ScoreReviewRequest,
)
from kinlink.portal.views import _not_found

KIND_LABELS = {"fact": "this record's facts", "link": "this record's link to the child",
               "score": "this advisory risk score"}  # fmt: skip


def _target(scope: policy.Scope, person_key: str, kind: str, ref: str) -> dict[str, Any] | None:
    """What is being challenged, if this session may challenge it (else None)."""
    if kind == "link":
        link = RecordLink.objects.filter(pk=ref, person_key=person_key).first()
        if link is None or not policy.may_challenge(scope, kind, feed=link.feed):
            return None
        return {"feed": link.feed, "what": f"{link.feed}, {link.file_name}, row {link.row_number}"}
    event = (
        Event.objects.filter(person_key=person_key, record_id=ref)
        .filter(policy.event_filter(scope))
        .first()
    )
    if event is None or not policy.may_challenge(
        scope, kind, feed=event.feed, sensitivity=event.sensitivity
    ):
        return None
    return {"feed": event.feed, "what": f"{event.kind}: {event.summary}"}


@guarded(policy.may_see_case_data)
@require_http_methods(["GET", "POST"])
def raise_challenge(request: HttpRequest, person_key: str) -> HttpResponse:
    """Say a fact, a link or a score is wrong, and why; it is out of use once imported."""
    scope: policy.Scope = request.scope
    person, _via = person_for_request(request, person_key)
    if person is None:
        return _not_found(request, person_key)
    kind = str(request.POST.get("kind") or request.GET.get("kind") or "")
    ref = str(request.POST.get("ref") or request.GET.get("ref") or "")[:120]
    target = _target(scope, person.pk, kind, ref)
    if target is None:
        audit(request, "access_refused", object_type="person", object_id=person.pk,
              detail={"challenge": kind[:10], "ref": ref})  # fmt: skip
        return _not_found(request, person_key)
    form = ChallengeForm(request.POST or None)
    context = {"person": person, "kind": kind, "ref": ref, "target": target, "form": form,
               "label": KIND_LABELS[kind],
               "existing": PublishedChallenge.objects.filter(ref=ref).first()}  # fmt: skip
    if request.method == "POST" and form.is_valid():
        ChallengeRequest.objects.create(
            kind=kind, ref=ref, person_key=person.pk, field=form.cleaned_data["field"],
            reason=form.cleaned_data["reason"], raised_by=request.user, raised_at=utc_now(),
            purpose_code=scope.purpose,
        )  # fmt: skip
        audit(request, "raise_challenge", object_type="person", object_id=person.pk,
              detail={"kind": kind, "ref": ref})  # fmt: skip
        return render(request, "portal/challenge.html", {**context, "raised": True})
    audit(request, "view_challenge", object_type="person", object_id=person.pk,
          detail={"kind": kind, "ref": ref})  # fmt: skip
    return render(request, "portal/challenge.html", context, status=400 if form.errors else 200)


@guarded(policy.may_review_scores)
@require_http_methods(["GET", "POST"])
def review_score(request: HttpRequest, person_key: str, score_id: str) -> HttpResponse:
    """Agree or disagree with an advisory score, with a note; sent to the risk registry."""
    scope: policy.Scope = request.scope
    person, _via = person_for_request(request, person_key)
    if person is None:
        return _not_found(request, person_key)
    event = (
        Event.objects.filter(person_key=person.pk, feed=policy.RISK_FEED, record_id=score_id)
        .filter(policy.event_filter(scope))
        .first()
    )
    if event is None or not policy.event_readable(scope, event.feed, event.sensitivity):
        audit(request, "access_refused", object_type="person", object_id=person.pk,
              detail={"score_review": score_id[:120]})  # fmt: skip
        return _not_found(request, person_key)
    form = ScoreReviewForm(request.POST or None)
    context = {"person": person, "event": event, "form": form}
    if request.method == "POST" and form.is_valid():
        ScoreReviewRequest.objects.create(
            score_id=score_id, person_key=person.pk, decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"], reviewed_by=request.user, reviewed_at=utc_now(),
        )  # fmt: skip
        audit(request, "review_score", object_type="person", object_id=person.pk,
              detail={"score_id": score_id, "decision": form.cleaned_data["decision"]})  # fmt: skip
        return render(request, "portal/score_review.html", {**context, "reviewed": True})
    audit(request, "view_score_review", object_type="person", object_id=person.pk,
          detail={"score_id": score_id})  # fmt: skip
    return render(request, "portal/score_review.html", context, status=400 if form.errors else 200)
