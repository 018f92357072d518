"""The dashboard's "changes since the last publish", counted within the user's scope.

``kinlink publish`` records each person or family that changed (``PublishedChange``);
the dashboard counts those among the people and families the user's dashboard already
covers (the same querysets as its headline figures, built from ``policy``), so a head
teacher sees changes among their pupils and their families, not the whole council's.
"""

from __future__ import annotations

from typing import Any

from kinlink.portal.models import PublishedChange, PublishRun

#: Which published table each kind of change is about.
PERSON_KINDS = ("new_persistent_absence", "new_open_exploitation")
FAMILY_KINDS = ("newly_eligible", "no_longer_eligible")
LABELS = {
    "newly_eligible": "Families newly eligible",
    "no_longer_eligible": "Families no longer eligible",
    "new_persistent_absence": "Children newly in persistent absence",
    "new_open_exploitation": "New open exploitation cases",
}


def changes_for(run: PublishRun | None, people: Any, families: Any) -> dict[str, int]:
    """Per kind of change, how many of these people or families changed at ``run``.

    Empty for the first publish (nothing to compare with). A family no longer published
    is no one's any more, so it counts in no scope.
    """
    if run is None or not run.changes:
        return {}
    counts = {}
    for kind in run.changes:
        keys = PublishedChange.objects.filter(kind=kind).values("key")
        if kind in PERSON_KINDS:
            counts[kind] = people.filter(pk__in=keys).count()
        elif kind in FAMILY_KINDS:
            counts[kind] = families.filter(pk__in=keys).count()
    return counts


def labelled(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """``(kind, label, count)`` for the dashboard's list."""
    return [(kind, LABELS.get(kind, kind), n) for kind, n in counts.items()]
