"""Rules over the registry: may a feed be loaded today, and which feeds serve a purpose.

Pure functions (no I/O), so ingest, the portal and the governance documents apply the same
rule the same way.
"""

from __future__ import annotations

from datetime import date

from kinlink.governance.models import Registry
from kinlink.sources.models import FeedDefinition


def ingest_refusal(
    registry: Registry, definition: FeedDefinition, on: date, *, strict: bool = True
) -> str | None:
    """Why a feed's extract may not be loaded on ``on`` (None when it may).

    Refused: the agreement has expired or is not yet signed, or it does not cover the
    feed; with ``strict``, also an agreement the registry does not know.
    """
    reference = definition.governance.agreement
    agreement = registry.agreements.get(reference)
    if agreement is None:
        return (
            f"feed {definition.feed}: agreement {reference} is not in the agreements registry; "
            "add it before loading this feed"
            if strict
            else None
        )
    if definition.feed not in agreement.feeds:
        return f"feed {definition.feed}: agreement {reference} does not cover this feed"
    if on > agreement.expires:
        return (
            f"feed {definition.feed}: agreement {reference} expired on "
            f"{agreement.expires.isoformat()}; nothing from it may be loaded until it is renewed"
        )
    if on < agreement.signed:
        return (
            f"feed {definition.feed}: agreement {reference} is not in force until "
            f"{agreement.signed.isoformat()}"
        )
    return None


def feeds_for_purpose(
    registry: Registry, definitions: dict[str, FeedDefinition], purpose: str, on: date
) -> set[str]:
    """The feeds that may be shown for ``purpose`` on ``on``.

    A feed is shown only while the purpose is in force, the feed's agreement is in force,
    and both the agreement and the feed's own definition allow the purpose.
    """
    declared = registry.purposes.get(purpose)
    if declared is None or not declared.in_force(on):
        return set()
    visible = set()
    for feed, definition in definitions.items():
        agreement = registry.agreements.get(definition.governance.agreement)
        if (
            agreement is not None
            and agreement.in_force(on)
            and feed in agreement.feeds
            and purpose in agreement.purposes
            and purpose in definition.governance.purposes
        ):
            visible.add(feed)
    return visible
