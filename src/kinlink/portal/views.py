"""Portal pages. Thin: each asks ``access``/``policy`` for the object, audits, renders."""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from kinlink.core.clock import utc_now
from kinlink.portal import areas, changes, exports, partials, policy
from kinlink.portal.access import (
    audit,
    family_for_request,
    family_members,
    guarded,
    people_visible,
    person_for_request,
)
from kinlink.portal.audit import viewers_of, views_by
from kinlink.portal.forms import (
    SORTS,
    BreakGlassForm,
    ChronologyForm,
    ExportForm,
    FilterForm,
    PurposeForm,
    ReportLinkForm,
    ReviewForm,
    SearchForm,
    TokenForm,
)
from kinlink.portal.models import (
    BreakGlass,
    Event,
    Family,
    FamilyNeed,
    Person,
    PublishedChallenge,
    PublishRun,
    RecordLink,
    School,
    WrongLinkReport,
)
from kinlink.portal.search import NameQuery, name_query, name_score
from kinlink.portal.snapshot import RISK_FEED
from kinlink.sources import definitions_load

PAGE_SIZE = 25
TABS = (
    ("overview", "Overview", ()),
    ("safeguarding", "Safeguarding", ("social_care", "domestic_abuse", "early_help", "health")),
    ("attendance", "Attendance & exclusions", ("attendance", "exclusions")),
    ("send", "SEND", ("school_census",)),
    ("exploitation", "Exploitation risk", ("exploitation", "police_intelligence", RISK_FEED)),
    ("youth-justice", "Youth justice", ("youth_justice", "police_arrests")),
    ("family", "Family", ()),
    ("chronology", "Chronology", ()),
    ("transition", "Transition", ("neet",)),
)
TAB_FEEDS = {slug: feeds for slug, _, feeds in TABS}


@functools.cache
def _feed_titles() -> dict[str, str]:
    titles = {name: d.title for name, d in definitions_load().items()}
    titles[RISK_FEED] = "Advisory risk score"
    return titles


# --- sign in ---------------------------------------------------------------------------


def _safe_next(request: HttpRequest) -> str | None:
    """The page to go to after signing in, only if it is on this site (no open redirect)."""
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: username and password (throttled and locked out by axes)."""
    error = ""
    if request.method == "POST":
        user = authenticate(
            request,
            username=request.POST.get("username", ""),
            password=request.POST.get("password", ""),
        )
        if user is not None:
            login(request, user)
            request.session["last_seen"] = time.time()
            following = _safe_next(request)
            code_step = reverse("portal:totp")
            return redirect(
                f"{code_step}?{urlencode({'next': following})}" if following else code_step
            )
        error = "The username or password is not right."
        if getattr(request, "axes_locked_out", False):
            return render(request, "portal/locked_out.html", status=429)
    return render(request, "portal/login.html", {"error": error}, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def totp_view(request: HttpRequest) -> HttpResponse:
    """Step two: a TOTP code from the user's confirmed device; every user has one."""
    if not request.user.is_authenticated:
        return redirect("portal:login")
    form = TokenForm(request.POST or None)
    error = ""
    if request.method == "POST":
        device = match_token(request.user, form.data.get("token", "")) if form.is_valid() else None
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request) or "portal:dashboard")
        error = "That code is not right. Enter the current 6-digit code from your app."
    return render(request, "portal/totp.html", {"form": form, "error": error})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:login")


# --- dashboard -------------------------------------------------------------------------


@guarded()
def dashboard(request: HttpRequest) -> HttpResponse:
    """Headline figures for the user's scope (council-wide, unnamed, for analysts)."""
    scope: policy.Scope = request.scope
    run = PublishRun.objects.order_by("-pk").first()
    context: dict[str, Any] = {
        "run": run,
        "figures": None,
        "may_export_pseudonymised": policy.may_export_pseudonymised(scope),
    }
    if policy.may_view_aggregates(scope):
        people = Person.objects.all() if scope.role == policy.ANALYST else people_visible(scope)
        families = Family.objects.filter(pk__in=people.exclude(family_key="").values("family_key"))
        needs = (
            FamilyNeed.objects.filter(family_key__in=families.filter(eligible=True).values("pk"))
            .values("headline")
            .annotate(n=Count("family_key", distinct=True))
            .order_by("-n")
        )
        top = max([n["n"] for n in needs] or [1])
        shown = policy.counts_shown(scope, [n["n"] for n in needs])
        figures: dict[str, Any] = {
            "families_eligible": families.filter(eligible=True).count(),
            "children": people.filter(is_child=True).count(),
            "needs": [
                {**n, "n": m, "pct": round(100 * (m or 0) / top)}
                for n, m in zip(needs, shown, strict=True)
            ],
            "limit": policy.SMALL_NUMBER_LIMIT,
        }
        if policy.measure_visible(scope, "persistent_absence"):
            figures["persistent_absence"] = people.filter(
                is_child=True, persistent_absence=True
            ).count()
        if policy.measure_visible(scope, "open_exploitation"):
            figures["open_exploitation"] = people.filter(exploitation_open=True).count()
        context["figures"] = figures
        counted = changes.changes_for(run, people, families)
        context["changes"] = changes.labelled(
            {k: n for k, n in counted.items() if policy.measure_visible(scope, k)}
        )
        context["whole_council"] = policy.sees_whole_council(scope)
        context["area_map"] = areas.area_map(
            scope, people, families, request.GET.get("measure", "")
        )
    audit(request, "view_dashboard")
    return render(request, "portal/dashboard.html", context)


# --- search ----------------------------------------------------------------------------


def _slip_fragments(word: str) -> list[str]:
    """Substrings that survive any one-letter slip in ``word``: its start or its end.

    An insertion, deletion or substitution leaves either the first two letters or the
    last two intact (for words of four or more letters; shorter ones keep one of their
    end letters), so a name one slip away contains at least one of these.
    """
    if len(word) >= 4:
        return [word[:2], word[-2:]]
    return [word[:1], word[-1:]] if word else []


def _name_prefilter(query: NameQuery) -> Q:
    """A database filter that keeps every person ``name_score`` could match (and fewer
    others), so the Python scoring runs over a few rows, not everyone in scope."""
    words = set(query.variants) | {w for w in (query.canonical, query.forename) if w}
    any_name = Q()
    for word in words:
        any_name |= Q(forename_key__startswith=word) | Q(other_names__contains=word)
    if query.canonical:
        any_name |= Q(forename_canonical=query.canonical)
    if query.forename is None:  # one word: a forename, or a surname within one slip
        for fragment in _slip_fragments(query.canonical or ""):
            any_name |= Q(surname_key__contains=fragment)
        return any_name
    assert query.surname is not None
    surname = Q(other_names__contains=query.surname)
    for fragment in _slip_fragments(query.surname):
        surname |= Q(surname_key__contains=fragment)
    forename = any_name
    for fragment in _slip_fragments(query.forename):
        forename |= Q(forename_key__contains=fragment)
    return forename & surname


def _apply_terms(qs: Any, terms: dict[str, str]) -> Any:
    if terms.get("dob"):
        qs = qs.filter(dob=terms["dob"])
    if terms.get("upn"):
        qs = qs.filter(upns__icontains=terms["upn"].strip().upper())
    query = name_query(terms.get("name", "")) if terms.get("name") else None
    if query is None:
        return qs
    qs = qs.filter(_name_prefilter(query))
    rows = qs.values_list("pk", "forename_key", "forename_canonical", "surname_key", "other_names")
    keys = [
        pk
        for pk, fk, fc, sk, other in rows.iterator(chunk_size=5000)
        if name_score(query, forename_key=fk, forename_canon=fc, surname_key=sk, other_names=other)
    ]
    return qs.filter(pk__in=keys)


def _search_results(
    request: HttpRequest, scope: policy.Scope
) -> tuple[Any, dict[str, Any], str, dict[str, str], str]:
    """The people a search shows (in scope, filtered, named, sorted), from the request."""
    filters = FilterForm(request.GET)
    filters.is_valid()
    data = filters.cleaned_data if filters.is_valid() else {}
    token = data.get("s") or ""
    terms: dict[str, str] = request.session.get(f"search:{token}", {}) if token else {}
    qs = people_visible(scope).filter(is_child=True)
    census = policy.feed_visible(scope, policy.SCHOOL_FEED)  # school and year come from it
    if data.get("school") and census:
        qs = qs.filter(school_urn=data["school"])
    if data.get("year") and census:
        qs = qs.filter(year_group=data["year"])
    for flag in [f for f in data.get("flag") or [] if f in policy.flags_visible(scope)]:
        qs = qs.exclude(sen="") if flag == "sen" else qs.filter(**{flag: True})
    qs = _apply_terms(qs, terms)
    sort = data.get("sort") or "name"
    if sort in ("school", "year") and not census:
        sort = "name"
    qs = qs.order_by(*SORTS[sort], "person_key")
    return qs, data, token, terms, sort


@guarded(policy.may_search)
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Child advanced search: 25 a page, sortable, filters in GET, personal terms by POST."""
    scope: policy.Scope = request.scope
    if request.method == "POST":
        form = SearchForm(request.POST)
        if form.is_valid():
            token = secrets.token_hex(8)
            given = {k: (str(v) if v else "") for k, v in form.cleaned_data.items()}
            request.session[f"search:{token}"] = given
            audit(request, "search", detail={"terms": given})
            params = request.GET.copy()
            params["s"] = token
            params.pop("page", None)
            return redirect(f"{reverse('portal:search')}?{params.urlencode()}")
    qs, data, token, terms, sort = _search_results(request, scope)
    page = Paginator(qs, PAGE_SIZE).get_page(data.get("page") or 1)
    if not token and request.GET:
        audit(request, "search", detail={"filters": {k: v for k, v in data.items() if v}})
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = request.GET.copy()
    sort_params.pop("sort", None)
    sort_params.pop("page", None)
    schools = (
        School.objects.filter(
            urn__in=policy.school_urns_visible(scope, School.objects.values_list("urn", flat=True))
        )
        if scope.role != policy.PRACTITIONER
        else School.objects.none()
    )
    return partials.page_or_region(
        request,
        "portal/search.html",
        {
            "form": SearchForm(initial=terms),
            "filters": data,
            "page": page,
            "query": params.urlencode(),
            "sort_query": sort_params.urlencode(),
            "sort": sort,
            "schools": schools.order_by("name"),
            "flags": _flag_choices(scope),
            "may_export": policy.may_export_case_data(scope),
            "searched": bool(token or request.GET),
        },
        (partials.SEARCH_RESULTS, "portal/_search_results.html"),
    )


def _flag_choices(scope: policy.Scope) -> list[tuple[str, str]]:
    """The flag filters the session's purpose shows (a hidden feed's flag is not offered)."""
    shown = policy.flags_visible(scope)
    return [(v, label) for v, label in FilterForm.base_fields["flag"].choices if v in shown]


def _needs_shown(scope: policy.Scope, needs: Any) -> list[FamilyNeed]:
    """Family needs with only the evidence the purpose shows; a need none of whose
    evidence is shown is left out altogether."""
    shown = []
    for need in needs:
        need.evidence = policy.evidence_visible(scope, need.evidence)
        if need.evidence:
            shown.append(need)
    return shown


def _records_shown(scope: policy.Scope, person_key: str, events: Any) -> list[RecordLink]:
    """The person's linked records of the feeds the purpose shows (with a display window,
    only those with something inside it), each with the challenge keeping it out of use."""
    shown = RecordLink.objects.filter(person_key=person_key, feed__in=scope.feeds)
    if scope.display_from is not None:
        shown = shown.filter(record_id__in=events.values("record_id"))
    records = list(shown.order_by("feed", "record_id"))
    marks = {c.ref: c for c in PublishedChallenge.objects.filter(person_key=person_key)}
    for record in records:
        record.challenge = marks.get(record.record_id)
    return records


# --- child page ------------------------------------------------------------------------


def _not_found(request: HttpRequest, key: str) -> HttpResponse:
    scope: policy.Scope = request.scope
    return render(
        request,
        "portal/not_found.html",
        {"key": key, "can_break_glass": policy.may_break_glass(scope)},
        status=404,
    )


def _purpose(request: HttpRequest, key: str) -> str | None:
    """The purpose of this visit, fresh within ``KINLINK_PURPOSE_MINUTES``, if given."""
    stored = request.session.get(f"purpose:{key}")
    if stored and time.time() - stored[1] < settings.KINLINK_PURPOSE_MINUTES * 60:
        return str(stored[0])
    return None


def _events(scope: policy.Scope, qs: Any) -> list[dict[str, Any]]:
    titles = _feed_titles()
    events = list(qs)
    marks = {c.ref: c for c in PublishedChallenge.objects.filter(
        ref__in=[e.record_id for e in events])}  # fmt: skip
    return [
        {
            "e": e,
            "visible": policy.sensitivity_visible(scope, e.sensitivity),
            "contact": policy.contact_for(e.sensitivity),
            "feed_title": titles.get(e.feed, e.feed),
            "show_text": bool(e.restricted_text)
            and policy.sensitivity_visible(scope, e.sensitivity),
            **_case_links(scope, e, marks.get(e.record_id)),
        }
        for e in events
    ]


def _case_links(scope: policy.Scope, e: Event, mark: PublishedChallenge | None) -> dict[str, Any]:
    """An event's challenge mark, and links to challenge it or review its score."""
    readable = policy.event_readable(scope, e.feed, e.sensitivity)
    kind = "score" if e.feed == RISK_FEED else "fact"
    query = urlencode({"kind": kind, "ref": e.record_id})
    return {
        "challenge": mark if readable else None,
        "challenge_url": f"{reverse('portal:challenge', args=[e.person_key])}?{query}"
        if readable and policy.may_challenge(scope, kind, feed=e.feed, sensitivity=e.sensitivity)
        else "",
        "review_url": reverse("portal:score_review", args=[e.person_key, e.record_id])
        if readable and e.feed == RISK_FEED and policy.may_review_scores(scope)
        else "",
    }


@guarded(policy.may_see_case_data)
@require_http_methods(["GET", "POST"])
def child(request: HttpRequest, person_key: str, tab: str = "overview") -> HttpResponse:
    """One child, one tab; out of scope looks exactly like not found (and is audited)."""
    scope: policy.Scope = request.scope
    if tab not in TAB_FEEDS:
        return _not_found(request, person_key)
    person, via = person_for_request(request, person_key)
    if person is None:
        return _not_found(request, person_key)
    purpose = ""
    if policy.purpose_required(scope):
        given = _purpose(request, person.pk)
        if given is None:
            form = PurposeForm(request.POST or None)
            if request.method == "POST" and form.is_valid():
                given = form.cleaned_data["purpose"]
                request.session[f"purpose:{person.pk}"] = (given, time.time())
            else:
                return render(request, "portal/purpose.html", {"form": form, "key": person.pk})
        purpose = given
    elif via == "break_glass":
        grant = BreakGlass.objects.filter(
            user__username=scope.username, person_key=person.pk
        ).latest("expires_at")
        purpose = f"break-glass: {grant.reason}"
    audit(request, "view_child", object_type="person", object_id=person.pk, purpose=purpose,
          detail={"tab": tab, "via": via})  # fmt: skip
    context: dict[str, Any] = {
        "person": person, "tab": tab, "tabs": TABS, "via": via, "purpose": purpose,
        "display_from": scope.display_from,
    }  # fmt: skip
    events = (
        Event.objects.filter(person_key=person.pk)
        .filter(policy.event_filter(scope))
        .order_by("-date", "feed", "record_id")
    )
    if tab == "overview":
        context["records"] = _records_shown(scope, person.pk, events)
        context["feed_counts"] = events.values("feed").annotate(n=Count("id")).order_by("feed")
    elif tab == "family":
        context["members"] = [
            (m, Person.objects.filter(pk=m.person_key).first())
            for m in family_members(person.family_key)
        ] if person.family_key else []  # fmt: skip
        context["needs"] = _needs_shown(
            scope, FamilyNeed.objects.filter(family_key=person.family_key)
        )
        context["family_open"] = bool(
            person.family_key and family_for_request_quiet(scope, person.family_key)
        )
    elif tab == "chronology":
        form = ChronologyForm(request.GET)
        f = form.cleaned_data if form.is_valid() else {}
        if f.get("feed"):
            events = events.filter(feed=f["feed"])
        if f.get("date_from"):
            events = events.filter(date__gte=f["date_from"])
        if f.get("date_to"):
            events = events.filter(date__lte=f["date_to"])
        page = Paginator(events, 50).get_page(f.get("page") or 1)
        context["page"] = page
        context["events"] = _events(scope, page.object_list)
        context["feeds"] = sorted(
            (name, title)
            for name, title in _feed_titles().items()
            if policy.feed_visible(scope, name)
        )
        context["filters"] = f
        params = request.GET.copy()
        params.pop("page", None)
        context["query"] = params.urlencode()
    else:
        context["events"] = _events(scope, events.filter(feed__in=TAB_FEEDS[tab]))
    if tab == "transition":
        from kinlink.portal.models import Enrolment

        context["enrolments"] = Enrolment.objects.filter(person_key=person.pk).order_by(
            "on_roll_from"
        )
    return partials.page_or_region(
        request, "portal/child.html", context, partials.CHILD_TAB_REGIONS.get(tab)
    )


def family_for_request_quiet(scope: policy.Scope, family_key: str) -> bool:
    family = Family.objects.filter(pk=family_key).first()
    return bool(
        family
        and policy.may_open_family(
            scope, family_lead=family.lead_practitioner, family_team=family.team
        )
    )


@guarded(policy.may_break_glass)
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, person_key: str) -> HttpResponse:
    """Open one record outside scope: a written reason, time-limited, for DPO review."""
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not Person.objects.filter(pk=person_key).exists():
            audit(request, "access_refused", object_type="person", object_id=person_key[:120])
            return _not_found(request, person_key)
        now = utc_now()
        BreakGlass.objects.create(
            user=request.user,
            person_key=person_key,
            reason=form.cleaned_data["reason"],
            created_at=now,
            expires_at=now + timedelta(minutes=settings.KINLINK_BREAK_GLASS_MINUTES),
        )
        audit(request, "break_glass", object_type="person", object_id=person_key,
              purpose=form.cleaned_data["reason"])  # fmt: skip
        return redirect("portal:child", person_key=person_key)
    return render(request, "portal/break_glass.html", {"form": form, "key": person_key})


@guarded(policy.may_see_case_data)
@require_http_methods(["GET", "POST"])
def why_linked(request: HttpRequest, person_key: str, record_id: str) -> HttpResponse:
    """Why a record belongs to this person, and a form to say it does not."""
    scope: policy.Scope = request.scope
    person, _via = person_for_request(request, person_key)
    link = RecordLink.objects.filter(pk=record_id, person_key=person_key).first()
    if person is None or link is None:
        return _not_found(request, person_key)
    if not policy.feed_visible(scope, link.feed):  # a hidden feed looks like no record
        audit(request, "access_refused", object_type="person", object_id=person.pk,
              detail={"record_id": link.record_id, "feed_hidden_by_purpose": True})  # fmt: skip
        return _not_found(request, person_key)
    form = ReportLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        WrongLinkReport.objects.create(
            record_id=link.record_id,
            person_key=person.pk,
            anchor_record_id=link.anchor_record_id,
            reported_by=request.user,
            reported_at=utc_now(),
            comment=form.cleaned_data["comment"],
        )
        audit(request, "report_link", object_type="person", object_id=person.pk,
              detail={"record_id": link.record_id})  # fmt: skip
        return render(request, "portal/why_linked.html",
                      {"person": person, "link": link, "reported": True})  # fmt: skip
    audit(request, "view_link", object_type="person", object_id=person.pk,
          detail={"record_id": link.record_id})  # fmt: skip
    return render(request, "portal/why_linked.html", {
        "person": person, "link": link, "form": form,
        "challenge": PublishedChallenge.objects.filter(ref=link.record_id).first(),
        "challenge_url": f"{reverse('portal:challenge', args=[person.pk])}?"
        + urlencode({"kind": "link", "ref": link.record_id}),
    })  # fmt: skip


# --- family and schools ------------------------------------------------------------------


@guarded(policy.may_see_case_data)
def family(request: HttpRequest, family_key: str) -> HttpResponse:
    family_obj = family_for_request(request, family_key)
    if family_obj is None:
        return _not_found(request, family_key)
    audit(request, "view_family", object_type="family", object_id=family_obj.pk)
    members = [(m, Person.objects.filter(pk=m.person_key).first())
               for m in family_members(family_obj.pk)]  # fmt: skip
    needs = _needs_shown(
        request.scope,
        FamilyNeed.objects.filter(family_key=family_obj.pk).order_by("headline", "need"),
    )
    return render(request, "portal/family.html",
                  {"family": family_obj, "members": members, "needs": needs})  # fmt: skip


@guarded(lambda s: s.role in (policy.HEAD_TEACHER, policy.MASH))
def schools(request: HttpRequest) -> HttpResponse:
    scope: policy.Scope = request.scope
    urns = policy.school_urns_visible(scope, School.objects.values_list("urn", flat=True))
    return render(request, "portal/schools.html",
                  {"schools": School.objects.filter(urn__in=urns).order_by("name")})  # fmt: skip


@guarded(policy.may_see_case_data)
def school(request: HttpRequest, urn: str) -> HttpResponse:
    """A school's pupils on roll now who meet the chosen criteria (GET flags)."""
    scope: policy.Scope = request.scope
    school_obj = School.objects.filter(pk=urn).first()
    if school_obj is None or not policy.may_open_school(scope, urn):
        audit(request, "access_refused", object_type="school", object_id=urn[:120])
        return _not_found(request, urn)
    filters = FilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    qs = people_visible(scope).filter(school_urn=urn)
    for flag in [f for f in data.get("flag") or [] if f in policy.flags_visible(scope)]:
        qs = qs.exclude(sen="") if flag == "sen" else qs.filter(**{flag: True})
    page = Paginator(qs.order_by("surname", "forename", "person_key"), PAGE_SIZE).get_page(
        data.get("page") or 1
    )
    audit(request, "view_school", object_type="school", object_id=urn,
          detail={"flags": data.get("flag") or []})  # fmt: skip
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "portal/school.html", {
        "school": school_obj, "page": page, "flags": _flag_choices(scope),
        "chosen": data.get("flag") or [], "query": params.urlencode(),
    })  # fmt: skip


# --- reviews and audit reports ---------------------------------------------------------


@guarded(policy.may_review_links)
@require_http_methods(["GET", "POST"])
def link_reviews(request: HttpRequest) -> HttpResponse:
    """Reports of wrong links, for a reviewer to decide; ``kinlink portal push-reviews``
    then writes the decisions into the warehouse's linkage review tables."""
    if request.method == "POST":
        report = WrongLinkReport.objects.filter(
            pk=request.POST.get("report"), status="open"
        ).first()
        form = ReviewForm(request.POST)
        if report is not None and form.is_valid():
            report.status = "decided"
            report.same_person = form.cleaned_data["decision"] == "same"
            report.reviewer = request.user
            report.reviewed_at = utc_now()
            report.review_reason = form.cleaned_data["reason"]
            report.save()
            audit(request, "review_link", object_type="person", object_id=report.person_key,
                  detail={"report": report.pk, "same_person": report.same_person})  # fmt: skip
            return redirect("portal:link_reviews")
    reports = WrongLinkReport.objects.order_by("status", "-reported_at")[:200]
    return render(request, "portal/link_reviews.html", {"reports": reports, "form": ReviewForm()})


@guarded(policy.may_review_audit)
def audit_reports(request: HttpRequest) -> HttpResponse:
    """Who viewed this child; what did this user view; break-glass awaiting DPO review."""
    person_key = request.GET.get("person", "").strip()
    username = request.GET.get("user", "").strip()
    context: dict[str, Any] = {
        "person_key": person_key,
        "username": username,
        "viewers": viewers_of(person_key) if person_key else None,
        "views": views_by(username) if username else None,
        "pending": BreakGlass.objects.filter(dpo_reviewed_at__isnull=True).order_by("-created_at"),
    }
    audit(request, "view_audit", detail={"person": person_key, "user": username})
    return render(request, "portal/audit.html", context)


@guarded(policy.may_review_audit)
@require_POST
def break_glass_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    grant = BreakGlass.objects.filter(pk=pk).first()
    if grant is not None and grant.dpo_reviewed_at is None:
        grant.dpo_reviewed_at = utc_now()
        grant.dpo_note = request.POST.get("note", "")[:2000]
        grant.save()
        audit(request, "break_glass_reviewed", object_type="person", object_id=grant.person_key)
    return redirect("portal:audit")


# --- exports ---------------------------------------------------------------------------


def _pseudonym_secret() -> bytes:
    """The server's pseudonymisation key; never sent anywhere, never in an export."""
    configured = getattr(settings, "KINLINK_PSEUDONYM_KEY", "")
    material = configured or f"kinlink-pseudonyms|{settings.SECRET_KEY}"
    return hashlib.sha256(material.encode()).digest()


def _csv_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@guarded(policy.may_export_case_data)
@require_POST
def search_export(request: HttpRequest) -> HttpResponse:
    """The current search's results as CSV: watermarked, capped, audited with its purpose."""
    scope: policy.Scope = request.scope
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/export_refused.html", {"form": form}, status=400)
    request.GET = QueryDict(form.cleaned_data["query"] or "")
    qs, data, _token, _terms, _sort = _search_results(request, scope)
    rows = [
        policy.blank_hidden_columns(scope, exports.CASE_COLUMNS, row)
        for row in qs.values_list(*exports.CASE_COLUMNS)[: exports.EXPORT_ROW_LIMIT]
    ]
    reference = exports.export_id()
    purpose = form.cleaned_data["purpose"]
    marks = exports.watermark(username=scope.username, role=scope.role, purpose=purpose,
                              reference=reference, at=utc_now())  # fmt: skip
    audit(request, "export", object_type="search", object_id=reference, purpose=purpose,
          detail={"rows": len(rows), "filters": {k: v for k, v in data.items() if v},
                  "pseudonymised": False})  # fmt: skip
    return _csv_response(exports.csv_text(exports.CASE_COLUMNS, rows, marks), f"{reference}.csv")


@guarded(policy.may_export_pseudonymised)
@require_POST
def pseudonymised_export(request: HttpRequest) -> HttpResponse:
    """Every child, pseudonymised (keyed hashes, no names, dates or postcodes), for analysts."""
    scope: policy.Scope = request.scope
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/export_refused.html", {"form": form}, status=400)
    secret = _pseudonym_secret()
    fields = ("person_key", "sex", "school_urn", "year_group", "persistent_absence", "sen",
              "exploitation_risk", "youth_justice", "eligible_family", "family_key")  # fmt: skip
    rows = [
        policy.blank_hidden_columns(
            scope,
            fields,
            (exports.pseudonym(r[0], secret), *r[1:-1], exports.pseudonym(r[-1], secret)),
        )
        for r in Person.objects.filter(is_child=True).order_by("person_key").values_list(*fields)
    ]
    reference = exports.export_id()
    purpose = form.cleaned_data["purpose"]
    marks = exports.watermark(username=scope.username, role=scope.role, purpose=purpose,
                              reference=reference, at=utc_now())  # fmt: skip
    audit(request, "export", object_type="pseudonymised", object_id=reference, purpose=purpose,
          detail={"rows": len(rows), "pseudonymised": True})  # fmt: skip
    text = exports.csv_text(exports.PSEUDONYMISED_COLUMNS, rows, marks)
    return _csv_response(text, f"{reference}.csv")
