"""htmx progressive enhancement: a page region answered on its own, and a safe fallback.

Pages work without JavaScript; with it, htmx (served from django-htmx's vendored copy,
nothing fetched at run time) swaps just the search results or the chronology. A view
answers with the region's partial template only when htmx asks for that region by its
id (``HX-Target``); every other answer to an htmx request (a sign-in page after the
session ended, a purpose form, a refusal) makes the browser load the page whole, so
nothing but the region's own content is ever swapped into it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

SEARCH_RESULTS = "search-results"
CHRONOLOGY_RESULTS = "chronology-results"
#: Child page tabs with a region htmx may update alone: (region id, partial template).
CHILD_TAB_REGIONS = {"chronology": (CHRONOLOGY_RESULTS, "portal/_chronology.html")}


def wants(request: HttpRequest, target: str) -> bool:
    """Whether this is an htmx request for the region with id ``target``."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and getattr(htmx, "target", None) == target


def partial(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render a region's partial template, marked so the middleware lets htmx swap it.

    The template sees ``htmx_partial``: the region then takes focus once swapped in
    (htmx focuses ``autofocus``), so a keyboard or screen reader user is not left on a
    link that no longer exists.
    """
    response = render(request, template, {**context, "htmx_partial": True})
    response.kinlink_partial = True
    response["Vary"] = "HX-Request"
    return response


def page_or_region(
    request: HttpRequest,
    page: str,
    context: dict[str, Any],
    region: tuple[str, str] | None,
) -> HttpResponse:
    """The region's partial when htmx asks for it, else the whole page."""
    if region is not None and wants(request, region[0]):
        return partial(request, region[1], context)
    return render(request, page, context)


class HtmxFallbackMiddleware:
    """Any htmx request not answered with a partial becomes a full page load of its URL."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and not getattr(response, "kinlink_partial", False)
            and request.method == "GET"
        ):
            response["HX-Redirect"] = request.get_full_path()
        return response
