"""Template context: the signed-in user's role and session purpose, for the navigation, and
the flags the purpose shows (``_flags.html`` shows no other)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kinlink.portal import policy, purposes


def portal_context(request: HttpRequest) -> dict[str, Any]:
    scope = getattr(request, "scope", None)
    return {
        "scope": scope,
        "nav_case": bool(scope and policy.may_see_case_data(scope)),
        "nav_admin": bool(scope and policy.may_administer(scope)),
        "nav_reviews": bool(scope and policy.may_review_links(scope)),
        "nav_schools": bool(scope and scope.role in (policy.HEAD_TEACHER, policy.MASH)),
        "session_purpose": purposes.name_of(scope.purpose) if scope and scope.purpose else "",
        "shown_flags": policy.flags_visible(scope) if scope else frozenset(),
        "feeds_shown": scope.feeds if scope else frozenset(),
    }
