"""The portal's tables: the published read model, user scopes, break-glass and the audit log.

Published tables (``Person`` ... ``RecordLink``) are replaced as a whole by ``kinlink
publish`` in one transaction; nothing else points at them with a foreign key, so a
publish never cascades into configuration or audit. Keys in URLs are person and family
keys (hash-derived, not sequential) and every access goes through ``policy``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    HEAD_TEACHER = "head_teacher", "Head teacher / designated safeguarding lead"
    PRACTITIONER = "practitioner", "Early help practitioner"
    MASH = "mash", "MASH / social care"
    ANALYST = "analyst", "Analyst"
    ADMINISTRATOR = "administrator", "Administrator"


class PublishRun(models.Model):
    """One ``kinlink publish``: when, from which pipeline runs, and what it counted."""

    published_at = models.DateTimeField()
    as_of = models.DateField(null=True)
    linkage_run_id = models.CharField(max_length=80, blank=True)
    families_run_id = models.CharField(max_length=80, blank=True)
    assessment_run_id = models.CharField(max_length=80, blank=True)
    input_fingerprint = models.CharField(max_length=64)
    counts = models.JSONField(default=dict)
    changes = models.JSONField(default=dict)
    seconds = models.FloatField(default=0.0)


class Person(models.Model):
    person_key = models.CharField(max_length=20, primary_key=True)
    forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    forename_key = models.CharField(max_length=100, blank=True, db_index=True)
    forename_canonical = models.CharField(max_length=100, blank=True)
    surname_key = models.CharField(max_length=100, blank=True, db_index=True)
    other_names = models.TextField(blank=True)  # name keys from every record, space-separated
    dob = models.DateField(null=True, db_index=True)
    sex = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    upns = models.CharField(max_length=200, blank=True)  # space-separated
    school_urn = models.CharField(max_length=10, blank=True, db_index=True)
    school_name = models.CharField(max_length=200, blank=True)
    year_group = models.CharField(max_length=4, blank=True)
    is_child = models.BooleanField(default=False)
    persistent_absence = models.BooleanField(default=False)
    attendance_rate = models.FloatField(null=True)
    sen = models.CharField(max_length=1, blank=True)  # E, K or blank
    exploitation_risk = models.BooleanField(default=False)
    exploitation_open = models.BooleanField(default=False)
    youth_justice = models.BooleanField(default=False)
    eligible_family = models.BooleanField(default=False)
    family_key = models.CharField(max_length=20, blank=True, db_index=True)
    #: Code of the area (boundary file) holding the current postcode's district or sector.
    area = models.CharField(max_length=20, blank=True, db_index=True)

    class Meta:
        # The search's year-group filter, counted and listed in name order, without
        # scanning every person (a council-wide search at 500,000 people).
        indexes = [
            models.Index(
                fields=["year_group", "surname", "forename", "person_key"],
                name="person_year_name",
            )
        ]

    @property
    def display_name(self) -> str:
        return f"{self.forename} {self.surname}".strip() or self.person_key


class Family(models.Model):
    family_key = models.CharField(max_length=20, primary_key=True)
    members = models.IntegerField(default=0)
    dependent_children = models.IntegerField(default=0)
    n_needs = models.IntegerField(default=0)
    headlines = models.JSONField(default=list)
    eligible = models.BooleanField(default=False)
    lead_practitioner = models.CharField(max_length=120, blank=True, db_index=True)
    team = models.CharField(max_length=120, blank=True, db_index=True)
    episode = models.JSONField(default=dict)  # latest episode, or {}
    area = models.CharField(max_length=20, blank=True, db_index=True)  # most members' area


class FamilyMember(models.Model):
    family_key = models.CharField(max_length=20, db_index=True)
    person_key = models.CharField(max_length=20, db_index=True)
    role = models.CharField(max_length=20)


class FamilyNeed(models.Model):
    family_key = models.CharField(max_length=20, db_index=True)
    need = models.CharField(max_length=80)
    headline = models.CharField(max_length=80)
    person_keys = models.JSONField(default=list)
    first_date = models.DateField(null=True)
    last_date = models.DateField(null=True)
    evidence = models.JSONField(default=list)  # [{record_id, date, feed, file_name}]
    progress = models.CharField(max_length=30, blank=True)


class School(models.Model):
    urn = models.CharField(max_length=10, primary_key=True)
    name = models.CharField(max_length=200)
    pupils = models.IntegerField(default=0)


class Enrolment(models.Model):
    person_key = models.CharField(max_length=20, db_index=True)
    urn = models.CharField(max_length=10, db_index=True)
    school_name = models.CharField(max_length=200)
    on_roll_from = models.DateField(null=True)
    on_roll_to = models.DateField(null=True)  # null: on roll at the last census
    year_group = models.CharField(max_length=4, blank=True)


class Event(models.Model):
    """One fact row of one feed, as a short factual summary with its lineage."""

    person_key = models.CharField(max_length=20, db_index=True)
    date = models.DateField(null=True)
    feed = models.CharField(max_length=40)
    kind = models.CharField(max_length=60)
    summary = models.CharField(max_length=300)
    detail = models.JSONField(default=dict)  # structured fields, never free text
    restricted_text = models.TextField(blank=True)  # free text, cleared roles only
    sensitivity = models.CharField(max_length=40)
    file_name = models.CharField(max_length=200)
    extract_date = models.DateField(null=True)
    file_hash = models.CharField(max_length=64)
    record_id = models.CharField(max_length=120)


class RecordLink(models.Model):
    """Why a record was linked to its person, summarised at publish time."""

    record_id = models.CharField(max_length=120, primary_key=True)
    person_key = models.CharField(max_length=20, db_index=True)
    feed = models.CharField(max_length=40)
    file_name = models.CharField(max_length=200)
    row_number = models.IntegerField()
    anchor_record_id = models.CharField(max_length=120, blank=True)
    reasons = models.JSONField(default=list)
    #: The linkage model's score of this record against the anchor, at publish time:
    #: {"comparisons": [[comparison, level, weight], ...], "match_weight", "match_probability"}
    #: ({} when the saved model was not available).
    weights = models.JSONField(default=dict)


class PublishedChange(models.Model):
    """One person or family that changed at the last publish (``kind`` says how), so the
    dashboard can count the changes within each user's scope."""

    kind = models.CharField(max_length=40, db_index=True)
    key = models.CharField(max_length=20, db_index=True)


class Profile(models.Model):
    """A user's role and scope. Not linked to published rows, so a publish never drops it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role = models.CharField(max_length=20, choices=Role.choices)
    school_urns = models.CharField(max_length=500, blank=True, help_text="Space-separated URNs")
    practitioner_name = models.CharField(max_length=120, blank=True)
    team = models.CharField(max_length=120, blank=True)
    cleared = models.CharField(
        max_length=200,
        blank=True,
        help_text="Space-separated sensitivity classes this user is cleared for "
        "(police_intelligence, health)",
    )
    link_reviewer = models.BooleanField(default=False)
    may_export = models.BooleanField(
        default=False,
        help_text="May download data (a separate permission; every export is audited)",
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class BreakGlass(models.Model):
    """An out-of-scope opening of one person's record: reason, expiry, DPO review."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    person_key = models.CharField(max_length=20, db_index=True)
    reason = models.TextField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    dpo_reviewed_at = models.DateTimeField(null=True, blank=True)
    dpo_note = models.TextField(blank=True)


class WrongLinkReport(models.Model):
    """A user says a record is not this person; a reviewer decides; the CLI pushes it back."""

    record_id = models.CharField(max_length=120)
    person_key = models.CharField(max_length=20)
    anchor_record_id = models.CharField(max_length=120)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField()
    comment = models.TextField()
    status = models.CharField(max_length=20, default="open")  # open, decided, pushed
    same_person = models.BooleanField(null=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True)
    review_reason = models.TextField(blank=True)
    pushed_at = models.DateTimeField(null=True)


class AppendOnlyError(Exception):
    """The audit log is append-only: no update, no delete."""


class _AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One audited action. Append-only (here and by database triggers), hash-chained."""

    objects = _AppendOnlyQuerySet.as_manager()

    at = models.DateTimeField()
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=20, blank=True)
    object_id = models.CharField(max_length=120, blank=True, db_index=True)
    purpose = models.TextField(blank=True)  # free text given for this action, if any
    purpose_code = models.CharField(
        max_length=60, blank=True, default="", db_default="", db_index=True
    )
    source_ip = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["username", "at"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")


class ChallengeRequest(models.Model):
    """A fact, link or score a user challenged in the portal. ``kinlink portal
    push-challenges`` records it in the warehouse's challenges (the portal never writes
    to the warehouse while serving pages); the next publish marks it."""

    kind = models.CharField(max_length=10)  # fact, link or score
    ref = models.CharField(max_length=120)  # record id (fact, link) or score id
    person_key = models.CharField(max_length=20, db_index=True)
    field = models.CharField(max_length=60, blank=True)
    reason = models.TextField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    purpose_code = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=20, default="open")  # open, pushed, failed
    challenge_id = models.CharField(max_length=40, blank=True)
    pushed_at = models.DateTimeField(null=True)
    push_error = models.TextField(blank=True)


class ScoreReviewRequest(models.Model):
    """A reviewer's decision on an advisory score, made in the portal; ``kinlink portal
    push-score-reviews`` records it in the risk registry's reviews."""

    score_id = models.CharField(max_length=120)
    person_key = models.CharField(max_length=20, db_index=True)
    decision = models.CharField(max_length=20)  # agree or disagree
    note = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    status = models.CharField(max_length=20, default="open")  # open, pushed, failed
    review_id = models.CharField(max_length=40, blank=True)
    pushed_at = models.DateTimeField(null=True)
    push_error = models.TextField(blank=True)


class PublishedChallenge(models.Model):
    """A challenge in the warehouse at publish time that keeps its item out of use (open,
    or a fact upheld until the partner corrects it); the portal marks the item with it."""

    challenge_id = models.CharField(max_length=40, primary_key=True)
    kind = models.CharField(max_length=10)
    ref = models.CharField(max_length=120, db_index=True)  # record id or score id
    person_key = models.CharField(max_length=20, blank=True, db_index=True)
    status = models.CharField(max_length=20)
    raised_at = models.DateTimeField()
