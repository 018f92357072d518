"""URL names are stable (browser tests and links rely on them)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from kinlink.portal import case_actions, purpose_views, views

admin.site.__class__ = OTPAdminSite  # the admin also needs the second factor

portal_patterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.totp_view, name="totp"),
    path("logout/", views.logout_view, name="logout"),
    path("purpose/", purpose_views.session_purpose, name="session_purpose"),
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("search/export/", views.search_export, name="search_export"),
    path("export/pseudonymised/", views.pseudonymised_export, name="pseudonymised_export"),
    path("child/<str:person_key>/", views.child, name="child"),
    path("child/<str:person_key>/records/<str:record_id>/", views.why_linked, name="why_linked"),
    path("child/<str:person_key>/break-glass/", views.break_glass, name="break_glass"),
    path("child/<str:person_key>/challenge/", case_actions.raise_challenge, name="challenge"),
    path(
        "child/<str:person_key>/scores/<str:score_id>/review/",
        case_actions.review_score,
        name="score_review",
    ),  # fmt: skip
    path("child/<str:person_key>/<slug:tab>/", views.child, name="child_tab"),
    path("family/<str:family_key>/", views.family, name="family"),
    path("schools/", views.schools, name="schools"),
    path("schools/<str:urn>/", views.school, name="school"),
    path("reviews/", views.link_reviews, name="link_reviews"),
    path("audit/", views.audit_reports, name="audit"),
    path("audit/break-glass/<int:pk>/", views.break_glass_reviewed, name="break_glass_reviewed"),
]

#: Pages anyone may reach (the sign-in steps); every other portal view is ``guarded``.
PUBLIC = frozenset({"login", "totp", "logout"})

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((portal_patterns, "portal"), namespace="portal")),
]
