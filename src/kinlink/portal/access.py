"""Glue between requests and ``policy``: build a user's scope, load the facts about an
object, ask the policy, and audit refusals. Views get objects only through here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kinlink.core.clock import utc_now
from kinlink.portal import policy, purposes
from kinlink.portal.audit import audit_write
from kinlink.portal.models import (
    BreakGlass,
    Enrolment,
    Family,
    FamilyMember,
    Person,
    Profile,
    PublishRun,
)

View = Callable[..., HttpResponse]


def scope_for(user: AbstractBaseUser | AnonymousUser, purpose: str = "") -> policy.Scope | None:
    """The user's scope under the session's ``purpose`` (the feeds it shows), or None for a
    user without a profile (who may do nothing)."""
    profile = Profile.objects.filter(user_id=getattr(user, "pk", None)).first()
    if profile is None:
        return None
    feeds, risk_models = purposes.shown(purpose)
    return policy.Scope(
        username=str(user.get_username()),
        role=profile.role,
        school_urns=frozenset(profile.school_urns.split()),
        practitioner_name=profile.practitioner_name,
        team=profile.team,
        cleared=frozenset(profile.cleared.split()),
        link_reviewer=profile.link_reviewer,
        may_export=profile.may_export,
        purpose=purpose,
        feeds=feeds,
        risk_models=risk_models,
        display_from=_display_from(profile.role),
    )


def _display_from(role: str) -> date | None:
    """The start of the role's display window (the publish date is read only for roles
    that have one)."""
    windows = dict(settings.KINLINK_DISPLAY_WINDOW_DAYS)
    return policy.display_from(role, as_of(), windows) if role in windows else None


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def audit(request: HttpRequest, action: str, **fields: Any) -> None:
    """Audit an action by the request's user (who, role, under which session purpose,
    from where; when is now)."""
    scope: policy.Scope | None = getattr(request, "scope", None)
    fields.setdefault("purpose_code", scope.purpose if scope else purposes.session_code(request))
    audit_write(
        username=str(request.user.get_username()),
        role=scope.role if scope else "",
        action=action,
        source_ip=client_ip(request),
        **fields,
    )


def guarded(
    check: Callable[[policy.Scope], bool] | None = None, *, needs_purpose: bool = True
) -> Callable[[View], View]:
    """Every portal view: signed in, second factor verified, a profile, a session purpose
    the role may use today (except the page that chooses it), and ``check``."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not getattr(user, "is_verified", lambda: False)():
                return redirect("portal:totp")
            code = purposes.session_code(request)
            scope = scope_for(user, code)
            if (
                needs_purpose
                and scope is not None
                and policy.session_purpose_required(scope)
                and not purposes.usable(scope.role, code)
            ):
                request.session.pop(purposes.SESSION_KEY, None)  # ended or never chosen
                target = reverse("portal:session_purpose")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
            if scope is None or (check is not None and not check(scope)):
                audit_write(
                    username=str(user.get_username()),
                    role=scope.role if scope else "",
                    action="access_refused",
                    object_type="page",
                    object_id=request.path[:120],
                    purpose_code=code,
                    source_ip=client_ip(request),
                )
                return render(request, "portal/forbidden.html", status=403)
            request.scope = scope
            return view(request, *args, **kwargs)

        wrapper.kinlink_guarded = True  # type: ignore[attr-defined]
        return wrapper

    return decorate


def as_of() -> date:
    """The date the published data describes (today before anything is published)."""
    run = PublishRun.objects.order_by("-pk").first()
    return run.as_of if run and run.as_of else utc_now().date()


def window_days() -> int:
    return int(settings.KINLINK_SCHOOL_WINDOW_DAYS)


def person_facts(person: Person) -> policy.PersonFacts:
    enrolments = tuple(
        policy.Enrolled(e.urn, e.on_roll_to) for e in Enrolment.objects.filter(person_key=person.pk)
    )
    lead, team = "", ""
    family = Family.objects.filter(pk=person.family_key).first() if person.family_key else None
    if family is not None:
        lead, team = family.lead_practitioner, family.team
    return policy.PersonFacts(person.pk, enrolments, lead, team)


def break_glass_until(username: str, person_key: str) -> Any:
    grant = (
        BreakGlass.objects.filter(user__username=username, person_key=person_key)
        .order_by("-expires_at")
        .first()
    )
    return grant.expires_at if grant else None


def person_for_request(request: HttpRequest, person_key: str) -> tuple[Person | None, str]:
    """The person if the user may open them, with how (``scope`` / ``break_glass``).

    None for a person that does not exist and for one out of scope alike; a refusal of an
    existing person is audited.
    """
    scope: policy.Scope = request.scope
    person = Person.objects.filter(pk=person_key).first()
    if person is None:
        audit(request, "access_refused", object_type="person", object_id=person_key[:120])
        return None, "refused"
    decision = policy.may_open_person(
        scope,
        person_facts(person),
        as_of=as_of(),
        window_days=window_days(),
        break_glass_until=break_glass_until(scope.username, person.pk),
        now=utc_now(),
    )
    if not decision.allowed:
        audit(request, "access_refused", object_type="person", object_id=person.pk)
        return None, "refused"
    return person, decision.via


def family_for_request(request: HttpRequest, family_key: str) -> Family | None:
    scope: policy.Scope = request.scope
    family = Family.objects.filter(pk=family_key).first()
    if family is None or not policy.may_open_family(
        scope, family_lead=family.lead_practitioner, family_team=family.team
    ):
        audit(request, "access_refused", object_type="family", object_id=family_key[:120])
        return None
    found: Family = family
    return found


def people_visible(scope: policy.Scope) -> Any:
    """The people this user may list (a queryset)."""
    return Person.objects.filter(
        policy.person_filter(scope, as_of=as_of(), window_days=window_days())
    )


def family_members(family_key: str) -> list[FamilyMember]:
    return list(FamilyMember.objects.filter(family_key=family_key).order_by("role", "person_key"))
