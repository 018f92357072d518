"""Template context: the signed-in user's role, for the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kinlink.portal import policy


def portal_context(request: HttpRequest) -> dict[str, Any]:
    scope = getattr(request, "scope", None)
    return {
        "scope": scope,
        "nav_case": bool(scope and policy.may_see_case_data(scope)),
        "nav_admin": bool(scope and policy.may_administer(scope)),
        "nav_reviews": bool(scope and policy.may_review_links(scope)),
        "nav_schools": bool(scope and scope.role in (policy.HEAD_TEACHER, policy.MASH)),
    }
