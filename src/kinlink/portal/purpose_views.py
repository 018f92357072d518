"""Choosing the session's purpose, after sign-in and whenever the user changes it.

A user picks one of the purposes their role may act under today (from the governance
registry; ended ones are not offered). The choice is audited, and every later audit row
carries its code; the feeds shown follow it (``policy.feeds_shown``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from kinlink.portal import policy, purposes
from kinlink.portal.access import audit, guarded


def _next(request: HttpRequest) -> str:
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@guarded(policy.session_purpose_required, needs_purpose=False)
@require_http_methods(["GET", "POST"])
def session_purpose(request: HttpRequest) -> HttpResponse:
    """Offer the role's purposes in force today; record the one chosen for the session."""
    scope: policy.Scope = request.scope
    offered = purposes.offered(scope.role)
    error = ""
    if request.method == "POST":
        code = str(request.POST.get("purpose", ""))
        if purposes.usable(scope.role, code):
            for key in [k for k in request.session.keys() if k.startswith("purpose:")]:
                del request.session[key]  # per-child reasons were given under the old purpose
            request.session[purposes.SESSION_KEY] = code
            audit(request, "choose_purpose", object_type="purpose", object_id=code,
                  purpose_code=code, detail={"previous": scope.purpose})  # fmt: skip
            return redirect(_next(request) or "portal:dashboard")
        audit(request, "access_refused", object_type="purpose", object_id=code[:120],
              purpose_code="")  # fmt: skip
        error = "Choose one of the purposes listed."
    else:
        audit(request, "view_purposes", object_type="purpose",
              detail={"offered": [p.code for p in offered]})  # fmt: skip
    return render(
        request,
        "portal/session_purpose.html",
        {"offered": offered, "current": scope.purpose, "next": _next(request), "error": error},
        status=400 if error else 200,
    )
