"""The session's purpose: the governance registry read once, the purposes a role may
choose today, and the feeds (and advisory risk models) a purpose shows.

Glue only: the decisions are ``policy.purposes_offered``, ``policy.may_use_purpose`` and
``policy.feeds_shown``; this module loads what they decide over.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from kinlink.core.clock import utc_now
from kinlink.governance import Purpose, Registry, registry_load
from kinlink.portal import policy
from kinlink.sources import definitions_load
from kinlink.sources.models import FeedDefinition

SESSION_KEY = "session_purpose"


@functools.cache
def registry() -> Registry:
    """The shipped registry plus the council's own (``KINLINK_GOVERNANCE_DIR``)."""
    extra = getattr(settings, "KINLINK_GOVERNANCE_DIR", "")
    return registry_load([Path(extra)] if extra else [])


@functools.cache
def _definitions() -> dict[str, FeedDefinition]:
    return definitions_load()


def _feeds_in(rule: Any) -> Iterator[str]:
    """Every feed a rule of the outcomes rule language reads (nested any/all included)."""
    if isinstance(rule, dict):
        if isinstance(rule.get("feed"), str):
            yield rule["feed"]
        for value in rule.values():
            yield from _feeds_in(value)
    elif isinstance(rule, list | tuple):
        for item in rule:
            yield from _feeds_in(item)


@functools.cache
def risk_label_feeds() -> dict[str, frozenset[str]]:
    """Each shipped risk model's name -> the feeds its label (what it predicts) reads."""
    from kinlink.risk.loader import builtin_models, model_load

    found: dict[str, frozenset[str]] = {}
    for name in builtin_models():
        model, _features = model_load(name)
        found[model.model] = frozenset(_feeds_in(model.label.rule.model_dump()))
    return found


def offered(role: str) -> list[Purpose]:
    """The purposes a user of ``role`` may choose today (ended ones are not offered)."""
    return policy.purposes_offered(role, registry().purposes.values(), utc_now().date())


def usable(role: str, code: str) -> bool:
    """Whether ``code`` is a purpose ``role`` may act under today."""
    return policy.may_use_purpose(role, code, registry().purposes.values(), utc_now().date())


def shown(code: str) -> tuple[frozenset[str], frozenset[str]]:
    """The feeds and risk models a session under ``code`` is shown today."""
    if not code:
        return frozenset(), frozenset()
    return policy.feeds_shown(
        registry(), _definitions(), code, utc_now().date(), risk_label_feeds=risk_label_feeds()
    )


def session_code(request: HttpRequest) -> str:
    """The purpose code the session declared ("" before one is chosen)."""
    return str(request.session.get(SESSION_KEY, ""))


def name_of(code: str) -> str:
    """The purpose's name for the header (its code when the registry no longer has it)."""
    found = registry().purposes.get(code)
    return found.name if found else code
