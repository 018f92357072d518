"""Who may see what: the portal's ONE access policy.

The decisions are pure functions over a user's ``Scope`` and plain facts about the object
(``PersonFacts``), so they can be tested without a database. The query helpers at the end
turn the same rules into querysets for lists; views never filter by role themselves.

Roles (``models.Role``):

* head teacher / DSL — pupils on roll at their school(s) now or within the window;
* early help practitioner — families whose latest episode names them as lead
  practitioner or belongs to their team, and those families' members;
* MASH / social care — every person; each child page visit records a purpose;
* analyst — aggregates only: no names, no person pages;
* administrator — users and configuration, no case data.

Sensitivity classes come from the feed definitions. ``RESTRICTED`` classes (police
intelligence, health detail) are shown only to users cleared for them; others see that a
record exists and whom to contact. Out-of-scope and non-existent objects look the same
(404). Break-glass opens one person outside scope for a limited time, with a reason.

Each session acts under one purpose from the governance registry that its role may use
today (``purposes_offered``); a feed whose agreement does not allow it is hidden outright
(``feeds_shown``, ``event_filter``, ``flags_visible``), with no "a record exists" line.
Challenges and score reviews are allowed only on what the session can read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import Q

    from kinlink.governance.models import Purpose, Registry
    from kinlink.sources.models import FeedDefinition

HEAD_TEACHER = "head_teacher"
PRACTITIONER = "practitioner"
MASH = "mash"
ANALYST = "analyst"
ADMINISTRATOR = "administrator"

CASE_ROLES = frozenset({HEAD_TEACHER, PRACTITIONER, MASH})
RESTRICTED = frozenset({"police_intelligence", "health", "risk_score"})
#: Whom to contact about a restricted record a user cannot read.
CONTACTS = {
    "police_intelligence": "the MASH police liaison officer",
    "health": "the MASH health liaison",
    "risk_score": "the MASH team manager, who reviews advisory risk scores",
}


@dataclass(frozen=True)
class Scope:
    """What a user is: role, schools, name as lead practitioner, team, clearances."""

    username: str
    role: str
    school_urns: frozenset[str] = frozenset()
    practitioner_name: str = ""
    team: str = ""
    cleared: frozenset[str] = frozenset()
    link_reviewer: bool = False
    may_export: bool = False
    purpose: str = ""  # the session's purpose code from the governance registry
    feeds: frozenset[str] = frozenset()  # feeds the purpose may show (``feeds_shown``)
    risk_models: frozenset[str] = frozenset()  # risk models whose scores it may show
    display_from: date | None = None  # records dated before this are not shown (the window)


@dataclass(frozen=True)
class Enrolled:
    urn: str
    on_roll_to: date | None  # None: on roll at the last census


@dataclass(frozen=True)
class PersonFacts:
    """The facts about a person that access depends on."""

    person_key: str
    enrolments: tuple[Enrolled, ...] = ()
    family_lead: str = ""
    family_team: str = ""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    via: str  # scope, break_glass or refused


# --- decisions ---------------------------------------------------------------------------


def may_see_case_data(scope: Scope) -> bool:
    """Case roles see named people; analysts and administrators never do."""
    return scope.role in CASE_ROLES


def may_search(scope: Scope) -> bool:
    return may_see_case_data(scope)


def may_view_aggregates(scope: Scope) -> bool:
    return scope.role in CASE_ROLES or scope.role == ANALYST


def sees_whole_council(scope: Scope) -> bool:
    """Whose aggregates cover everyone: MASH (anyone's record) and analysts (counts only)."""
    return scope.role in (MASH, ANALYST)


def may_administer(scope: Scope) -> bool:
    return scope.role == ADMINISTRATOR


def may_break_glass(scope: Scope) -> bool:
    """Case roles whose scope is limited may open a record outside it, with a reason."""
    return scope.role in (HEAD_TEACHER, PRACTITIONER)


def may_export_case_data(scope: Scope) -> bool:
    """Exporting named rows is its own permission, on top of seeing them."""
    return scope.may_export and may_search(scope)


def may_export_pseudonymised(scope: Scope) -> bool:
    """Analysts export person-level rows only pseudonymised, and only with the permission."""
    return scope.may_export and scope.role == ANALYST


def may_review_links(scope: Scope) -> bool:
    return scope.link_reviewer and may_see_case_data(scope)


def may_review_audit(scope: Scope) -> bool:
    """The DPO's reports; administrators hold them (they read metadata, not case data)."""
    return scope.role == ADMINISTRATOR


def purpose_required(scope: Scope) -> bool:
    """MASH may open anyone, so every visit says why."""
    return scope.role == MASH


def school_window_start(as_of: date, window_days: int) -> date:
    return as_of - timedelta(days=window_days)


def in_scope(scope: Scope, person: PersonFacts, *, as_of: date, window_days: int) -> bool:
    """Whether ``person`` is within ``scope`` by role and relationship alone."""
    if scope.role == MASH:
        return True
    if scope.role == HEAD_TEACHER:
        since = school_window_start(as_of, window_days)
        return any(
            e.urn in scope.school_urns and (e.on_roll_to is None or e.on_roll_to >= since)
            for e in person.enrolments
        )
    if scope.role == PRACTITIONER:
        return bool(
            (scope.practitioner_name and person.family_lead == scope.practitioner_name)
            or (scope.team and person.family_team == scope.team)
        )
    return False


def may_open_person(
    scope: Scope,
    person: PersonFacts,
    *,
    as_of: date,
    window_days: int,
    break_glass_until: datetime | None = None,
    now: datetime | None = None,
) -> Decision:
    """May this user open this person's record? In scope, or a live break-glass grant."""
    if not may_see_case_data(scope):
        return Decision(False, "refused")
    if in_scope(scope, person, as_of=as_of, window_days=window_days):
        return Decision(True, "scope")
    if (
        may_break_glass(scope)
        and break_glass_until is not None
        and now is not None
        and now < break_glass_until
    ):
        return Decision(True, "break_glass")
    return Decision(False, "refused")


def may_open_family(scope: Scope, *, family_lead: str, family_team: str) -> bool:
    """Families: MASH, and practitioners for their caseload or team."""
    if scope.role == MASH:
        return True
    if scope.role == PRACTITIONER:
        return bool(
            (scope.practitioner_name and family_lead == scope.practitioner_name)
            or (scope.team and family_team == scope.team)
        )
    return False


def may_open_school(scope: Scope, urn: str) -> bool:
    """A school's pupil lists: its own head teacher, and MASH."""
    if scope.role == HEAD_TEACHER:
        return urn in scope.school_urns
    return scope.role == MASH


def sensitivity_visible(scope: Scope, sensitivity: str) -> bool:
    """Restricted classes need a clearance; the rest follow the record's access."""
    if not may_see_case_data(scope):
        return False
    return sensitivity not in RESTRICTED or sensitivity in scope.cleared


def contact_for(sensitivity: str) -> str:
    return CONTACTS.get(sensitivity, "the data protection officer")


#: Aggregates below this (but above zero) are shown to analysts as "fewer than 5".
SMALL_NUMBER_LIMIT = 5


def suppresses_small_numbers(scope: Scope) -> bool:
    """Analysts see council-wide counts of people they may not know: small ones could
    identify someone. Case roles already see the people behind their own counts."""
    return scope.role == ANALYST


def counts_shown(scope: Scope, counts: list[int]) -> list[int | None]:
    """``counts`` as this user may see them: None where a figure is suppressed.

    For analysts a count of 1 to 4 is suppressed, and when exactly one figure in the list
    would be, the next smallest non-zero one is too, so the suppressed one cannot be
    worked out from a total shown elsewhere.

    >>> counts_shown(Scope("a", ANALYST), [0, 3, 7, 12])
    [0, None, None, 12]
    """
    if not suppresses_small_numbers(scope):
        return list(counts)
    hidden = {i for i, n in enumerate(counts) if 0 < n < SMALL_NUMBER_LIMIT}
    if len(hidden) == 1:
        others = [(n, i) for i, n in enumerate(counts) if n >= SMALL_NUMBER_LIMIT]
        if others:
            hidden.add(min(others)[1])
    return [None if i in hidden else n for i, n in enumerate(counts)]


def default_clearances(role: str) -> frozenset[str]:
    """Clearances a new user of ``role`` gets unless an administrator says otherwise."""
    return RESTRICTED if role == MASH else frozenset()


# --- the same rules as querysets -------------------------------------------------------


def person_filter(scope: Scope, *, as_of: date, window_days: int) -> Q:
    """A filter on ``Person`` matching exactly the people ``in_scope`` allows."""
    from django.db.models import Q

    from kinlink.portal.models import Enrolment, Family, FamilyMember

    if scope.role == MASH:
        return Q()
    if scope.role == HEAD_TEACHER:
        since = school_window_start(as_of, window_days)
        pupils = Enrolment.objects.filter(urn__in=scope.school_urns).filter(
            Q(on_roll_to__isnull=True) | Q(on_roll_to__gte=since)
        )
        return Q(person_key__in=pupils.values("person_key"))
    if scope.role == PRACTITIONER:
        families = Family.objects.filter(family_filter(scope))
        members = FamilyMember.objects.filter(family_key__in=families.values("family_key"))
        return Q(person_key__in=members.values("person_key"))
    return Q(pk__in=[])


def family_filter(scope: Scope) -> Q:
    """A filter on ``Family`` matching ``may_open_family``."""
    from django.db.models import Q

    if scope.role == MASH:
        return Q()
    if scope.role == PRACTITIONER:
        q = Q(pk__in=[])
        if scope.practitioner_name:
            q |= Q(lead_practitioner=scope.practitioner_name)
        if scope.team:
            q |= Q(team=scope.team)
        return q
    return Q(pk__in=[])


def school_urns_visible(scope: Scope, all_urns: Iterable[str]) -> list[str]:
    return sorted(u for u in all_urns if may_open_school(scope, u))


# --- the session's purpose (governance registry) ----------------------------------------

#: The ONE mapping from portal roles to the role names the governance registry uses.
REGISTRY_ROLES = {
    HEAD_TEACHER: "head_teacher",
    PRACTITIONER: "early_help_practitioner",
    MASH: "mash",
    ANALYST: "analyst",
}
#: Pseudo-feed of published advisory risk scores (``snapshot.RISK_FEED``).
RISK_FEED = "risk_scores"
#: The feed each search flag is derived from; a flag of a hidden feed is neither shown nor
#: usable as a filter. ``eligible_family`` is the outcomes assessment's, not one feed's.
FLAG_FEEDS = {
    "persistent_absence": "attendance",
    "sen": "school_census",
    "exploitation_risk": "exploitation",
    "youth_justice": "youth_justice",
}


def session_purpose_required(scope: Scope) -> bool:
    """Roles that act under a registry purpose declare one for the session; administrators
    read no case data and act under none."""
    return scope.role in REGISTRY_ROLES


def purposes_offered(role: str, purposes: Iterable[Purpose], on: date) -> list[Purpose]:
    """The purposes a user of ``role`` may choose on ``on``: in force, naming the role."""
    registry_role = REGISTRY_ROLES.get(role)
    if registry_role is None:
        return []
    return sorted(
        (p for p in purposes if registry_role in p.roles and p.in_force(on)),
        key=lambda p: p.name,
    )


def may_use_purpose(role: str, purpose: str, purposes: Iterable[Purpose], on: date) -> bool:
    """Whether a session of ``role`` may act under ``purpose`` today (ended: no)."""
    return any(p.code == purpose for p in purposes_offered(role, purposes, on))


def feeds_shown(
    registry: Registry,
    definitions: dict[str, FeedDefinition],
    purpose: str,
    on: date,
    *,
    risk_label_feeds: dict[str, frozenset[str]] | None = None,
) -> tuple[frozenset[str], frozenset[str]]:
    """The feeds and risk models a session under ``purpose`` is shown.

    Feeds: those their agreements allow for the purpose (``governance.feeds_for_purpose``).
    An advisory risk model's scores: only when the purpose shows every feed the model's
    label rests on (``risk_label_feeds``: model -> feeds), since a score speaks about them.
    """
    from kinlink.governance.policy import feeds_for_purpose

    feeds = frozenset(feeds_for_purpose(registry, definitions, purpose, on))
    models = frozenset(
        model for model, needed in (risk_label_feeds or {}).items() if needed and needed <= feeds
    )
    return (feeds | {RISK_FEED} if models else feeds), models


def feed_visible(scope: Scope, feed: str) -> bool:
    """A hidden feed is not shown at all, not even as "something exists"."""
    return may_see_case_data(scope) and feed in scope.feeds


#: The feed a person's school and year group come from (search columns and filters).
SCHOOL_FEED = "school_census"
#: Dashboard and map figures drawn from one feed's flag: shown only when the session's
#: purpose shows that feed (to analysts too, who see the figure but no records).
MEASURE_FLAGS = {
    "persistent_absence": "persistent_absence",
    "open_exploitation": "exploitation_risk",
    "new_persistent_absence": "persistent_absence",
    "new_open_exploitation": "exploitation_risk",
}


def measure_visible(scope: Scope, measure: str) -> bool:
    """Whether an aggregate figure may be shown under the session's purpose."""
    flag = MEASURE_FLAGS.get(measure)
    return flag is None or FLAG_FEEDS[flag] in scope.feeds


def flags_visible(scope: Scope) -> frozenset[str]:
    """The person flags this session may see and filter by."""
    return frozenset(
        flag
        for flag in (*FLAG_FEEDS, "eligible_family")
        if flag not in FLAG_FEEDS or feed_visible(scope, FLAG_FEEDS[flag])
    )


def display_from(role: str, as_of: date, window_days_by_role: dict[str, int]) -> date | None:
    """The first day of ``role``'s display window (None: the whole history is shown).

    A display window is how far back a role is shown records, separate from retention
    (how long Kinlink holds them): a school sees the last year, a MASH worker everything
    still held.
    """
    days = window_days_by_role.get(role)
    return as_of - timedelta(days=days) if days else None


def event_filter(scope: Scope) -> Q:
    """A filter on ``Event`` keeping only the feeds (and risk models) the session's purpose
    shows, dated within the role's display window (undated records fall outside it)."""
    from django.db.models import Q

    q = Q(feed__in=sorted(f for f in scope.feeds if f != RISK_FEED))
    if scope.risk_models:
        q |= Q(feed=RISK_FEED, detail__model__in=sorted(scope.risk_models))
    if scope.display_from is not None:
        q &= Q(date__gte=scope.display_from)
    return q


def evidence_visible(
    scope: Scope, evidence: Iterable[dict[str, object]]
) -> list[dict[str, object]]:
    """The evidence rows of a family need that come from feeds the purpose shows."""
    return [e for e in evidence if feed_visible(scope, str(e.get("feed", "")))]


#: Export columns that come from the school census.
SCHOOL_COLUMNS = frozenset({"school_urn", "school_name", "year_group"})


def blank_hidden_columns(
    scope: Scope, columns: Iterable[str], row: Iterable[object]
) -> list[object]:
    """An export row with what hidden feeds say emptied: their flags, and school and year
    when the census is hidden (the column stays, unfilled for everyone, so its presence
    says nothing about the person). Analysts' pseudonymised rows follow the same purpose."""
    hidden = {flag for flag, feed in FLAG_FEEDS.items() if feed not in scope.feeds}
    if SCHOOL_FEED not in scope.feeds:
        hidden |= SCHOOL_COLUMNS
    return ["" if c in hidden else v for c, v in zip(columns, row, strict=True)]


# --- challenges and score reviews ---------------------------------------------------------

CHALLENGE_KINDS = ("fact", "link", "score")
SCORE_REVIEW_DECISIONS = ("agree", "disagree")


def event_readable(scope: Scope, feed: str, sensitivity: str) -> bool:
    """The session may read this record's detail: its feed is shown for the purpose and
    its sensitivity class is one the user is cleared for."""
    return feed_visible(scope, feed) and sensitivity_visible(scope, sensitivity)


def may_challenge(scope: Scope, kind: str, *, feed: str, sensitivity: str = "") -> bool:
    """A case user may challenge a fact, a link or a score they can read (a link: its
    record's feed is shown; a fact or score: its detail is readable)."""
    if not may_see_case_data(scope) or kind not in CHALLENGE_KINDS:
        return False
    if kind == "link":
        return feed_visible(scope, feed)
    if (kind == "score") != (feed == RISK_FEED):
        return False
    return event_readable(scope, feed, sensitivity)


def may_review_scores(scope: Scope) -> bool:
    """Reviewing an advisory score needs the ``risk_score`` clearance (and a purpose that
    shows scores, checked per score with ``event_readable``)."""
    return may_see_case_data(scope) and "risk_score" in scope.cleared
