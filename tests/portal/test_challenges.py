"""Challenges and score reviews from the child page: recorded in the portal, audited,
carried to the warehouse by the CLI's push, and marked after the next publish."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

from kinlink.portal import policy, snapshot
from kinlink.portal.challenges import challenges_push, score_reviews_push
from kinlink.portal.models import (
    AuditEvent,
    ChallengeRequest,
    Event,
    Person,
    PublishedChallenge,
    RecordLink,
    ScoreReviewRequest,
)
from kinlink.portal.publish import publish_run
from kinlink.warehouse import warehouse_connect
from tests.portal.conftest import sign_in
from tests.portal.test_risk_scores import _score

pytestmark = pytest.mark.django_db


def _fact() -> Event:
    """A school census row (a feed MASH enquiries show, not restricted)."""
    event = Event.objects.filter(feed="school_census").order_by("person_key", "pk").first()
    assert event is not None
    return event


def test_a_case_user_challenges_a_fact_and_a_link_and_the_push_marks_them(
    assessed_copy: Path,
) -> None:
    assert policy.RISK_FEED == snapshot.RISK_FEED
    fact = _fact()
    key = fact.person_key
    link = RecordLink.objects.filter(person_key=key).exclude(pk=fact.record_id).first()
    assert link is not None
    mash = sign_in("mash-ch", "mash")
    mash.post(f"/child/{key}/", {"purpose": "Checking a disputed school record"})
    page = mash.get(f"/child/{key}/send/").content.decode()
    query = urlencode({"kind": "fact", "ref": fact.record_id}).replace("&", "&amp;")
    assert query in page  # the challenge link on the row

    url = f"/child/{key}/challenge/"
    assert mash.post(url, {"kind": "fact", "ref": fact.record_id, "reason": "short"}
                     ).status_code == 400  # fmt: skip
    done = mash.post(url, {"kind": "fact", "ref": fact.record_id, "field": "ncyear",
                           "reason": "The family says this year group is wrong"})  # fmt: skip
    assert b"Challenge recorded" in done.content
    assert b"Challenge this link" in mash.get(f"/child/{key}/records/{link.pk}/").content
    mash.post(url, {"kind": "link", "ref": link.pk, "reason": "Not this child: different school"})
    assert [(c.kind, c.ref, c.status, c.purpose_code)
            for c in ChallengeRequest.objects.order_by("pk")] == [
        ("fact", fact.record_id, "open", "mash_enquiry"),
        ("link", link.pk, "open", "mash_enquiry")]  # fmt: skip
    audited = AuditEvent.objects.filter(username="mash-ch", action="raise_challenge")
    assert [(a.detail["kind"], a.purpose_code) for a in audited.order_by("pk")] == [
        ("fact", "mash_enquiry"), ("link", "mash_enquiry")]  # fmt: skip

    assert challenges_push(warehouse=assessed_copy) == (2, 0)
    assert challenges_push(warehouse=assessed_copy) == (0, 0)  # pushed once only
    con = warehouse_connect(assessed_copy, read_only=True)
    try:
        rows = con.execute("SELECT kind, record_id, field, status, raised_by FROM challenges "
                           "ORDER BY kind").fetchall()  # fmt: skip
    finally:
        con.close()
    assert rows == [("fact", fact.record_id, "ncyear", "open", "mash-ch (mash, portal)"),
                    ("link", link.pk, None, "open", "mash-ch (mash, portal)")]  # fmt: skip
    assert not PublishedChallenge.objects.exists()
    published = publish_run(warehouse=assessed_copy)
    assert not published.skipped  # the challenges changed what the portal must show
    assert published.counts["challenges"] == 2
    page = mash.get(f"/child/{key}/send/").content.decode()
    assert "Under challenge since" in page
    overview = mash.get(f"/child/{key}/").content.decode()
    assert overview.count("Under challenge since") == 2  # the fact's record and the link
    assert "Link under challenge since" in mash.get(f"/child/{key}/records/{link.pk}/"
                                                    ).content.decode()  # fmt: skip


def test_what_the_session_may_not_read_cannot_be_challenged(db: object) -> None:
    hidden = Event.objects.filter(feed="youth_justice").order_by("pk").first()
    intel = Event.objects.filter(feed="police_intelligence").order_by("pk").first()
    assert hidden is not None
    assert intel is not None
    mash = sign_in("mash-ch2", "mash")  # MASH enquiries do not show youth justice
    mash.post(f"/child/{hidden.person_key}/", {"purpose": "Checking a referral today"})
    url = f"/child/{hidden.person_key}/challenge/"
    response = mash.post(url, {"kind": "fact", "ref": hidden.record_id, "reason": "x" * 20})
    assert response.status_code == 404
    assert mash.get(f"{url}?kind=score&ref={hidden.record_id}").status_code == 404
    # A practitioner opening an intelligence record by break-glass is not cleared to read it.
    prac = sign_in("prac-ch", "practitioner", practitioner_name="Nobody Here")
    reason = "Police called about the child tonight; lead needs context"
    prac.post(f"/child/{intel.person_key}/break-glass/", {"reason": reason})
    url = f"/child/{intel.person_key}/challenge/"
    assert prac.post(url, {"kind": "fact", "ref": intel.record_id, "reason": "x" * 20}
                     ).status_code == 404  # fmt: skip
    assert not ChallengeRequest.objects.exists()
    assert AuditEvent.objects.filter(action="access_refused", username="mash-ch2").exists()


def test_a_cleared_user_reviews_a_score_and_the_push_records_it(assessed_copy: Path) -> None:
    person = Person.objects.order_by("pk").first()
    assert person is not None
    _score(assessed_copy, person.pk, published=True)
    publish_run(warehouse=assessed_copy, force=True)
    mash = sign_in("mash-rev", "mash")
    mash.post(f"/child/{person.pk}/", {"purpose": "Reviewing an advisory risk score"})
    page = mash.get(f"/child/{person.pk}/exploitation/").content.decode()
    url = f"/child/{person.pk}/scores/S1/review/"
    assert url in page
    assert mash.post(url, {"decision": "maybe", "note": "unsure"}).status_code == 400
    done = mash.post(url, {"decision": "disagree", "note": "Arrest was a mistaken identity"})
    assert b"Review recorded" in done.content
    review = ScoreReviewRequest.objects.get()
    assert (review.score_id, review.decision, review.status) == ("S1", "disagree", "open")
    assert AuditEvent.objects.filter(action="review_score", purpose_code="mash_enquiry").exists()

    # Not cleared for scores: no link, and the page is refused (and audited).
    prac = sign_in("prac-rev", "practitioner", practitioner_name="Nobody Here")
    reason = "Police called about the child tonight; lead needs context"
    prac.post(f"/child/{person.pk}/break-glass/", {"reason": reason})
    assert url not in prac.get(f"/child/{person.pk}/exploitation/").content.decode()
    assert prac.get(url).status_code == 403

    assert score_reviews_push(warehouse=assessed_copy) == (1, 0)
    con = warehouse_connect(assessed_copy, read_only=True)
    try:
        rows = con.execute("SELECT score_id, decision, reason, reviewer FROM risk_reviews"
                           ).fetchall()  # fmt: skip
    finally:
        con.close()
    assert rows == [("S1", "disagree", "Arrest was a mistaken identity", "mash-rev (mash, portal)")]
    assert not publish_run(warehouse=assessed_copy).skipped
    event = Event.objects.get(feed="risk_scores")
    assert event.detail["review"]["decision"] == "disagree"
    page = mash.get(f"/child/{person.pk}/exploitation/").content.decode()
    assert "disagree" in page
