"""The outcomes framework as data: headline outcomes, need indicators and success measures.

A framework file is configuration, not code: a council's analyst edits YAML, and this
schema (strict: an unknown key is an error) says what may be written. Rules are a small
declarative language over the warehouse's fact tables, named by *feed*: count events in a
window, episodes open in a window, a ratio over school terms, or the latest status. Rules
combine with ``any_of`` and ``all_of``. Names of feeds, fields and codes are checked
against the source definitions when the framework is loaded (``validate.py``).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

WINDOW_PATTERN = re.compile(r"^(?:(\d+) (months?|terms?|days?)|since closure)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _window_check(value: str) -> str:
    if not WINDOW_PATTERN.match(value):
        raise ValueError(
            f"window {value!r} is not one of 'N months', 'N terms', 'N days', 'since closure'"
        )
    return value


class _FeedRule(_Strict):
    feed: str = Field(..., description="Source feed name, e.g. youth_justice")
    where: dict[str, tuple[str, ...] | bool] = Field(
        default_factory=dict,
        description="Fact field -> allowed codes (or true/false for a yes/no field)",
    )
    roles: tuple[str, ...] = Field(default=(), description="Only the person slots with these roles")
    window: str = Field(default="12 months", description="Look-back ending on the reference date")

    _check_window = field_validator("window")(classmethod(lambda cls, v: _window_check(v)))


class EventsRule(_FeedRule):
    """Count the distinct events in the window: at least / at most a number."""

    kind: Literal["events"]
    date: str | None = Field(
        default=None, description="Date field (default: the feed's observed date)"
    )
    at_least: int | None = Field(default=None, ge=1)
    at_most: int | None = Field(default=None, ge=0)
    distinct_on: tuple[str, ...] = Field(
        default=(), description="Fields that identify one event (default: the whole source row)"
    )

    @model_validator(mode="after")
    def _bounds(self) -> EventsRule:
        if self.at_least is None and self.at_most is None:
            raise ValueError("an events rule needs at_least or at_most")
        return self


class EpisodesRule(_FeedRule):
    """Episodes (start and end dates) open at any time in the window."""

    kind: Literal["episodes"]
    start: str = Field(..., description="Start date field")
    end: str = Field(..., description="End date field (blank while open)")
    at_least: int | None = Field(default=None, ge=1)
    at_most: int | None = Field(default=None, ge=0)
    distinct_on: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _bounds(self) -> EpisodesRule:
        if self.at_least is None and self.at_most is None:
            raise ValueError("an episodes rule needs at_least or at_most")
        return self


class RatioRule(_FeedRule):
    """sum(numerator) / sum(denominator) over the school terms in the window."""

    kind: Literal["ratio"]
    numerator: tuple[str, ...] = Field(..., min_length=1)
    denominator: str
    year_field: str = "academic_year"
    term_field: str = "term"
    distinct_on: tuple[str, ...] = Field(
        default=(), description="Fields of one period's figures; the latest-dated copy counts"
    )
    date: str | None = Field(
        default=None, description="Date of the figures, to pick the latest copy"
    )
    at_least: float | None = Field(default=None, ge=0, le=1)
    below: float | None = Field(default=None, gt=0, le=1)
    min_periods: int = Field(default=1, ge=1, description="Terms with figures needed to measure")

    @model_validator(mode="after")
    def _bounds(self) -> RatioRule:
        if (self.at_least is None) == (self.below is None):
            raise ValueError("a ratio rule needs exactly one of at_least and below")
        return self


class LatestRule(_FeedRule):
    """The latest row up to the reference date is in the window and has one of the values."""

    kind: Literal["latest"]
    field: str
    values: tuple[str, ...] = Field(..., min_length=1)
    date: str | None = None


class AnyOf(_Strict):
    """Holds when any of the rules holds."""

    any_of: tuple[Rule, ...] = Field(..., min_length=1)


class AllOf(_Strict):
    """Holds when every rule holds."""

    all_of: tuple[Rule, ...] = Field(..., min_length=1)


FeedRule = Annotated[
    EventsRule | EpisodesRule | RatioRule | LatestRule, Field(discriminator="kind")
]
Rule = FeedRule | AnyOf | AllOf
AnyOf.model_rebuild()
AllOf.model_rebuild()

AppliesTo = Literal["anyone", "child", "young_person", "adult", "household"]


class Need(_Strict):
    """A need indicator (eligibility) and the success measure that says it was met."""

    code: str = Field(..., pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    applies_to: AppliesTo = "anyone"
    min_age: int | None = Field(default=None, ge=0, description="Narrows applies_to to ages from")
    max_age: int | None = Field(default=None, ge=0, description="Narrows applies_to to ages up to")
    rule: Rule
    success: Rule | None = Field(
        default=None, description="Success measure; absent = cannot be met"
    )
    success_description: str = ""
    description: str = ""


class HeadlineOutcome(_Strict):
    """One of the ten national headline outcomes, with the needs under it."""

    code: str = Field(..., pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    aliases: tuple[str, ...] = ()
    needs: tuple[Need, ...] = ()


class Eligibility(_Strict):
    """How needs are counted and who makes a family eligible."""

    count: Literal["needs", "headline_outcomes"] = "needs"
    minimum: int = Field(default=3, ge=1)
    dependent_child_max_age: int = Field(
        default=17, ge=0, description="Oldest age that is dependent"
    )
    expectant_parent: Rule | None = Field(
        default=None, description="Rule that marks an expectant parent (absent: no feed shows it)"
    )


class Ages(_Strict):
    """Age bands behind ``applies_to``."""

    child_max: int = 17
    young_person_min: int = 16
    young_person_max: int = 24


class Calendar(_Strict):
    """School term starts (MM-DD) for 'N terms' windows and term-based figures."""

    autumn: str = Field(default="09-01", pattern=r"^\d\d-\d\d$")
    spring: str = Field(default="01-01", pattern=r"^\d\d-\d\d$")
    summer: str = Field(default="04-01", pattern=r"^\d\d-\d\d$")
    term_codes: tuple[str, str, str] = ("AUT", "SPR", "SUM")


class Claims(_Strict):
    """What a successful family outcome (payment by results) needs."""

    sustain_months: int = Field(default=6, ge=0)
    require_lead_practitioner: bool = True
    end_reasons: tuple[str, ...] = Field(
        default=("OUTCOMES_MET",),
        description="Episode end reasons that mean the plan was completed",
    )
    episode_feed: str = "early_help"


class Framework(_Strict):
    """A versioned outcomes framework: national, or a local plan that extends one."""

    framework: str = Field(..., pattern=r"^[a-z][a-z0-9_-]*$")
    version: str
    title: str
    description: str = ""
    extends: str | None = Field(default=None, description="Framework this plan refines")
    eligibility: Eligibility = Field(default_factory=Eligibility)
    ages: Ages = Field(default_factory=Ages)
    calendar: Calendar = Field(default_factory=Calendar)
    claims: Claims = Field(default_factory=Claims)
    headline_outcomes: tuple[HeadlineOutcome, ...] = ()
    drop_needs: tuple[str, ...] = Field(
        default=(), description="Inherited needs a local plan removes"
    )

    @property
    def needs(self) -> list[tuple[HeadlineOutcome, Need]]:
        """Every need with its headline outcome, in file order."""
        return [(h, n) for h in self.headline_outcomes for n in h.needs]

    @property
    def label(self) -> str:
        """``name@version``, as runs record it."""
        return f"{self.framework}@{self.version}"
