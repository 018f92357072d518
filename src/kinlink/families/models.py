"""Settings and results of a families run, as plain frozen data.

A run is fully described by its ``FamiliesConfig`` and its as-of date (both recorded with
the run), so the same warehouse, config and date always give the same families and keys.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

#: The family roles, as the synthetic city's truth spells them.
PARENT, CARER, CHILD, YOUNG_ADULT, OTHER_ADULT = (
    "PARENT",
    "CARER",
    "CHILD",
    "YOUNG_ADULT",
    "OTHER_ADULT",
)
ROLES = (PARENT, CARER, CHILD, YOUNG_ADULT, OTHER_ADULT)


@dataclass(frozen=True)
class FamiliesConfig:
    """The knobs of household and family building; defaults suit English council extracts."""

    #: An old address seen again within this many days after a newer one first appeared is
    #: a stale copy in some partner's system, not a move back.
    stale_days: int = 365
    #: Age (at the as-of date) below which a person is a dependent child.
    adult_age: int = 18
    #: Young adults: a grown-up child of the family, or someone living alone, up to this age.
    young_adult_max_age: int = 25
    #: Plausible age gaps between a parent and a child.
    parent_gap_min: int = 15
    parent_gap_max: int = 55
    #: A house of adults only, all at most this old and within ``shared_age_span`` years of
    #: one another, with no surname, partnership or family evidence between them, is a
    #: shared house: each resident is a family of their own.
    shared_max_age: int = 35
    shared_age_span: int = 15
    #: Surname words at least this long that differ by one slip (a letter added, dropped
    #: or mistyped: ``cgen`` for ``chen``) count as shared when a key known only by a
    #: postcode is placed with a resident; shorter words must match exactly.
    surname_slip_min_length: int = 4
    #: Addresses with more person keys than this (a hostel, a mistyped UPRN that many
    #: records share) give no co-residence edges: they would be pairs, not families.
    max_household_size: int = 15
    #: Record ids kept per co-residence edge (the first and last observations per person).
    edge_records: int = 4
    #: Feeds whose rows list a whole household, so that leaving someone out means they
    #: have left: housing rows (when they have room for more names) and early help
    #: episodes. Drop a feed whose extract names only the claimant or the referred child.
    listing_feeds: tuple[str, ...] = ("housing_benefits", "early_help")

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, recorded with each run."""
        return asdict(self)


@dataclass
class KeyStats:
    """What happened to family keys in one run."""

    kept: int = 0
    new: int = 0
    merged: int = 0
    split: int = 0
    retired: int = 0


@dataclass
class BuildSummary:
    """Counts from one families run (never personal data)."""

    run_id: str
    as_of: date
    person_keys: int = 0
    addresses: int = 0
    residence_episodes: int = 0
    households: int = 0
    relationships: dict[str, int] = field(default_factory=dict)
    families: int = 0
    families_with_children: int = 0
    keys_without_address: int = 0
    shared_houses_split: int = 0
    attached_by_postcode: int = 0
    moved_with_household: int = 0
    roles: dict[str, int] = field(default_factory=dict)
    keys: KeyStats = field(default_factory=KeyStats)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        return out
