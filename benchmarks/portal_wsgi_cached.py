"""The portal's WSGI application with the feed titles read once per process.

A measurement aid for ``benchmarks/portal_load.py --cache-feed-titles``: the portal's
views re-read and re-validate every feed definition (``definitions_load``) on each child
tab that lists records, which dominates the chronology's time. Serving this module shows
what those pages cost once that is cached; it changes nothing in the portal itself.
"""

from __future__ import annotations

from functools import cache

from kinlink.portal.wsgi import application  # sets Django up before the views are imported


def _cache_feed_titles() -> None:
    from kinlink.portal import views

    views._feed_titles = cache(views._feed_titles)  # type: ignore[method-assign]


_cache_feed_titles()

__all__ = ["application"]
