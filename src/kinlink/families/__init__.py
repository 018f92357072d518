"""Families: households over time, relationships, and current families with stable keys.

Built over the person keys of the last linkage run: each person key's dated address
observations become residence episodes; people at one address over an overlapping
period are a household; relationship edges record what each source says about who is
whose family; and the current family as of a date (the household a person lives in
then) gets a family key that survives rebuilding. See ``docs/families.md``.
"""

from kinlink.families.evaluation import FamilyEvaluation, TypeScore
from kinlink.families.models import ROLES, BuildSummary, FamiliesConfig, KeyStats
from kinlink.families.services import (
    NoPersonKeys,
    as_of_default,
    families_build,
    families_evaluate,
    families_export,
    family_show,
)
from kinlink.families.views import (
    FamiliesExport,
    FamilyView,
    KeyEvent,
    Membership,
    Relationship,
    UnknownFamily,
)

__all__ = [
    "ROLES",
    "BuildSummary",
    "FamiliesConfig",
    "FamiliesExport",
    "FamilyEvaluation",
    "FamilyView",
    "KeyEvent",
    "KeyStats",
    "Membership",
    "NoPersonKeys",
    "Relationship",
    "TypeScore",
    "UnknownFamily",
    "as_of_default",
    "families_build",
    "families_evaluate",
    "families_export",
    "family_show",
]
