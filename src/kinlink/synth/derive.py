"""The needs the feeds show, recomputed from the events with fixed definitions.

The truth must hold what a rule engine reading the feeds could find, so needs are
derived here from the generated events (not from the plan) as of the window's end date.
The definitions are written out in the truth README; change them in both places.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from kinlink.synth.calendar import Window, age_on
from kinlink.synth.care_events import RELATIONSHIP_REASONS
from kinlink.synth.models import Events, Person
from kinlink.synth.needs import (
    CRIME,
    DOMESTIC_ABUSE,
    EDU_ATTENDANCE,
    EDU_EXCLUSION,
    EDU_NEET,
    FAMILY_RELATIONSHIPS,
    FINANCIAL,
    HEALTH_MENTAL,
    HOUSING,
    SAFEGUARDING,
    SUBSTANCE,
)

#: (need, level, definition) as of the end date: the README renders this table.
NEED_DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    (
        EDU_ATTENDANCE,
        "person",
        "attendance rows of the last three terms: (authorised + unauthorised) / possible "
        "sessions >= 10%, i.e. attendance below 90%",
    ),
    (
        EDU_EXCLUSION,
        "person",
        "three or more SUSP/FIXD exclusions, or any PERM, with start_date in the last three "
        "terms (LNCH not counted)",
    ),
    (EDU_NEET, "person", "the latest NEET-feed status is NEET and dated in the last 12 months"),
    ("EARLY_YEARS", "-", "not generated"),
    (
        HEALTH_MENTAL,
        "person",
        "a CAMHS_REFERRAL, ADULT_MENTAL_HEALTH or PERINATAL_MENTAL_HEALTH flag in the last "
        "12 months",
    ),
    (SUBSTANCE, "person", "a SUBSTANCE_TREATMENT flag in the last 12 months"),
    (
        FAMILY_RELATIONSHIPS,
        "family",
        "an early help episode with reason PARENTAL_CONFLICT or FAMILY_BREAKDOWN open at any "
        "time in the last 12 months, naming a family member",
    ),
    (
        SAFEGUARDING,
        "person",
        "a social care episode (CIN, CP or LAC) open at any time in the last 12 months, or an "
        "exploitation assessment at MEDIUM or HIGH risk started in the last 12 months",
    ),
    (
        CRIME,
        "person",
        "a youth justice offence or a police arrest (any offence) in the last 12 months",
    ),
    (
        DOMESTIC_ABUSE,
        "family",
        "a domestic abuse incident in the last 12 months naming a family member as victim, "
        "perpetrator or child present",
    ),
    (
        HOUSING,
        "family",
        "a HOMELESS_APPLICATION, TEMP_ACCOMMODATION or RENT_ARREARS flag in the last 12 months "
        "naming a family member",
    ),
    (
        FINANCIAL,
        "family",
        "a WORKLESS or COUNCIL_TAX_ARREARS flag in the last 12 months naming a family member",
    ),
)
MENTAL_HEALTH_FLAGS = frozenset(
    {"CAMHS_REFERRAL", "ADULT_MENTAL_HEALTH", "PERINATAL_MENTAL_HEALTH"}
)
HOUSING_FLAGS = frozenset({"HOMELESS_APPLICATION", "TEMP_ACCOMMODATION", "RENT_ARREARS"})
FINANCIAL_FLAGS = frozenset({"WORKLESS", "COUNCIL_TAX_ARREARS"})


@dataclass
class Evidence:
    """Why a need holds: which feeds, and the first and last qualifying dates."""

    feeds: set[str] = field(default_factory=set)
    first: date = date.max
    last: date = date.min

    def add(self, feed: str, first: date, last: date | None = None) -> None:
        self.feeds.add(feed)
        self.first = min(self.first, first)
        self.last = max(self.last, last or first)


#: (person id, need) -> evidence, and (family id, need) -> evidence.
Needs = dict[tuple[str, str], Evidence]


class _Deriver:
    """Applies each need definition to one chunk's events."""

    def __init__(self, events: Events, window: Window, family_of: dict[str, str]) -> None:
        self.events = events
        self.w = window
        self.family_of = family_of
        self.end = window.end
        self.l12 = window.last_12_months_start
        self.person: Needs = defaultdict(Evidence)
        self.family: Needs = defaultdict(Evidence)

    def recent(self, when: date) -> bool:
        return self.l12 <= when <= self.end

    def open_recently(self, start: date, end: date | None) -> bool:
        return start <= self.end and (end is None or end >= self.l12)

    def attendance(self) -> None:
        """Below 90% attendance over the last three terms."""
        terms = {t.index for t in self.w.last_three_terms}
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for p, term, _e, possible, authorised, unauthorised in self.events.attendance:
            if term in terms:
                totals[p.pid][0] += possible
                totals[p.pid][1] += authorised + unauthorised
        last = self.w.last_three_terms[-1].as_of
        for pid, (possible, absent) in totals.items():
            if possible and absent * 10 >= possible:
                self.person[(pid, EDU_ATTENDANCE)].add("attendance", self.w.three_terms_start, last)

    def exclusions(self) -> None:
        """Three or more suspensions, or a permanent exclusion, in the last three terms."""
        suspensions: dict[str, list[date]] = defaultdict(list)
        for x in self.events.exclusions:
            if not self.w.three_terms_start <= x.start <= self.end:
                continue
            if x.category == "PERM":
                self.person[(x.person.pid, EDU_EXCLUSION)].add("exclusions", x.start)
            elif x.category in ("SUSP", "FIXD"):
                suspensions[x.person.pid].append(x.start)
        for pid, dates in suspensions.items():
            if len(dates) >= 3:
                self.person[(pid, EDU_EXCLUSION)].add("exclusions", min(dates), max(dates))

    def neet(self) -> None:
        """The latest NEET-feed status is NEET and dated in the last 12 months."""
        latest: dict[str, tuple[date, str]] = {}
        for s in self.events.neet:
            pid = s.person.pid
            if s.when <= self.end and (pid not in latest or s.when >= latest[pid][0]):
                latest[pid] = (s.when, s.status)
        for pid, (when, status) in latest.items():
            if status == "NEET" and self.recent(when):
                self.person[(pid, EDU_NEET)].add("neet", when)

    def person_level(self) -> None:
        """Health, safeguarding and crime needs of individuals."""
        for flag in self.events.health:
            if self.recent(flag.when):
                if flag.flag in MENTAL_HEALTH_FLAGS:
                    self.person[(flag.person.pid, HEALTH_MENTAL)].add("health", flag.when)
                elif flag.flag == "SUBSTANCE_TREATMENT":
                    self.person[(flag.person.pid, SUBSTANCE)].add("health", flag.when)
        for ep in self.events.social_care:
            if self.open_recently(ep.start, ep.end):
                last = min(ep.end or self.end, self.end)
                self.person[(ep.person.pid, SAFEGUARDING)].add(
                    "social_care", max(ep.start, self.l12), last
                )
        for a in self.events.assessments:
            if a.risk in ("MEDIUM", "HIGH") and self.recent(a.start):
                self.person[(a.person.pid, SAFEGUARDING)].add("exploitation", a.start)
        for o in self.events.offences:
            if self.recent(o.when):
                self.person[(o.person.pid, CRIME)].add("youth_justice", o.when)
        for arrest in self.events.arrests:
            if self.recent(arrest.when):
                self.person[(arrest.person.pid, CRIME)].add("police_arrests", arrest.when)

    def _families(
        self, people: list[Person], need: str, feed: str, first: date, last: date | None = None
    ) -> None:
        for fid in {self.family_of[p.pid] for p in people}:
            self.family[(fid, need)].add(feed, first, last)

    def family_level(self) -> None:
        """Needs of a whole family: any current member named in a qualifying record."""
        for eh in self.events.early_help:
            if eh.reason in RELATIONSHIP_REASONS and self.open_recently(eh.start, eh.end):
                last = min(eh.end or self.end, self.end)
                members = [p for p, _ in eh.members]
                self._families(
                    members, FAMILY_RELATIONSHIPS, "early_help", max(eh.start, self.l12), last
                )
        for incident in self.events.domestic_abuse:
            if self.recent(incident.when):
                named = [incident.victim, *incident.children]
                if incident.perpetrator is not None:
                    named.append(incident.perpetrator)
                self._families(named, DOMESTIC_ABUSE, "domestic_abuse", incident.when)
        for h in self.events.housing:
            if self.recent(h.when):
                if h.flag in HOUSING_FLAGS:
                    self._families(h.members, HOUSING, "housing_benefits", h.when)
                elif h.flag in FINANCIAL_FLAGS:
                    self._families(h.members, FINANCIAL, "housing_benefits", h.when)


def derive(events: Events, window: Window, family_of: dict[str, str]) -> tuple[Needs, Needs]:
    """Person-level and family-level needs as of the end date."""
    deriver = _Deriver(events, window, family_of)
    deriver.attendance()
    deriver.exclusions()
    deriver.neet()
    deriver.person_level()
    deriver.family_level()
    return dict(deriver.person), dict(deriver.family)


def dv_labels(events: Events) -> dict[str, date]:
    """Person id -> first domestic abuse arrest, or incident as perpetrator, aged 18-25."""
    out: dict[str, date] = {}

    def mark(p: Person, when: date) -> None:
        if 18 <= age_on(p.dob, when) <= 25 and (p.pid not in out or when < out[p.pid]):
            out[p.pid] = when

    for arrest in events.arrests:
        if arrest.domestic:
            mark(arrest.person, arrest.when)
    for incident in events.domestic_abuse:
        if incident.perpetrator is not None:
            mark(incident.perpetrator, incident.when)
    return out
