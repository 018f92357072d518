"""The simulated city's people, households and the events that happen to them.

These are the *true* facts. Feeds are written from them through the noise layer, and the
ground truth is derived from the same event lists, so the two can never disagree about
what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kinlink.synth.addresses import Address
from kinlink.synth.schools import Practice, School

# family roles in the truth
PARENT, CARER, CHILD, YOUNG_ADULT, OTHER_ADULT = (
    "PARENT",
    "CARER",
    "CHILD",
    "YOUNG_ADULT",
    "OTHER_ADULT",
)


class Person:
    """One resident: true identity, identifiers, where they lived and where they studied."""

    __slots__ = (
        "absence_z",
        "behaviour_z",
        "birth_surname",
        "dob",
        "eh_id",
        "eth",
        "forename",
        "former_upn",
        "la_child_id",
        "ccis_id",
        "middle",
        "nhs",
        "num",
        "origin",
        "pid",
        "post16",
        "role",
        "sen",
        "sen_need",
        "sex",
        "spells",
        "surnames",
        "twin_of",
        "uln",
        "upn",
        "upn_la",
        "yjs_id",
        "enrolments",
        "timeline",
        "home",
    )

    def __init__(
        self, num: int, sex: str, dob: date, forename: str, surname: str, eth: str, origin: str
    ) -> None:
        self.num = num
        self.pid = f"P{num:07d}"
        self.sex = sex
        self.dob = dob
        self.forename = forename
        self.middle = ""
        self.birth_surname = surname
        # (from date, surname, legal?) in date order; the first entry is from birth
        self.surnames: list[tuple[date, str, bool]] = [(dob, surname, True)]
        self.eth = eth
        self.origin = origin
        self.role = OTHER_ADULT
        self.twin_of: str | None = None
        # (from, to or None, household): where the person lived, in date order
        self.spells: list[tuple[date, date | None, Household]] = []
        self.upn: str | None = None
        self.upn_la = 0
        self.former_upn: str | None = None  # a temporary UPN shown before the permanent one
        self.nhs = ""
        self.uln: str | None = None
        self.la_child_id: str | None = None
        self.eh_id: str | None = None
        self.yjs_id: str | None = None
        self.ccis_id: str | None = None
        self.enrolments: list[Enrolment] = []
        self.post16: dict[int, str] = {}  # academic year index -> post-16 path
        self.sen = "N"
        self.sen_need = ""
        self.absence_z = 0.0
        self.behaviour_z = 0.0
        self.timeline: list[tuple[date, date | None, Address]] = []
        self.home: Household | None = None  # the household the person was composed in

    # -- facts as of a date -------------------------------------------------------------
    def surname_at(self, when: date, legal: bool = False) -> str:
        """The surname the person used (or, with ``legal``, was registered under) on a date."""
        current = self.surnames[0][1]
        for start, name, is_legal in self.surnames:
            if start > when:
                break
            if is_legal or not legal:
                current = name
        return current

    @property
    def surname(self) -> str:
        """The surname in use at the end of the window."""
        return self.surnames[-1][1]

    def household_at(self, when: date) -> Household | None:
        """The household the person lived in on a date (None if not in the city then)."""
        for start, end, household in self.spells:
            if start <= when and (end is None or when < end):
                return household
        return None

    def address_at(self, when: date) -> Address | None:
        """Where the person lived on a date."""
        for start, end, address in self.timeline:
            if start <= when and (end is None or when < end):
                return address
        return None

    def previous_address(self, when: date, within_days: int) -> Address | None:
        """The address before a move made less than ``within_days`` before ``when``."""
        timeline = self.timeline
        for i in range(1, len(timeline)):
            start, end, _ = timeline[i]
            if start <= when and (end is None or when < end):
                return timeline[i - 1][2] if (when - start).days < within_days else None
        return None

    def timeline_build(self) -> None:
        """Flatten household spells and household addresses into one address history."""
        out: list[tuple[date, date | None, Address]] = []
        for start, end, household in self.spells:
            for a_start, a_end, address in household.addresses:
                lo = max(start, a_start)
                if end is None:
                    hi = a_end
                elif a_end is None:
                    hi = end
                else:
                    hi = min(end, a_end)
                if hi is not None and hi <= lo:
                    continue
                if out and out[-1][2].uprn == address.uprn and out[-1][1] == lo:
                    out[-1] = (out[-1][0], hi, address)
                else:
                    out.append((lo, hi, address))
        self.timeline = out

    @property
    def last_household(self) -> Household:
        return self.spells[-1][2]


class Household:
    """People sharing an address; the truth's family is the household (shared houses:
    each resident is a family of one)."""

    __slots__ = (
        "addresses",
        "arrive",
        "family_ids",
        "hid",
        "htype",
        "leave",
        "low_income",
        "members",
        "num",
        "practice",
        "housing_ref",
        "workless",
        "plan",
        "eh_family_id",
    )

    def __init__(self, num: int, htype: str) -> None:
        self.num = num
        self.hid = f"H{num:07d}"
        self.htype = htype
        self.members: list[Person] = []
        # (from, to or None, address) in date order
        self.addresses: list[tuple[date, date | None, Address]] = []
        self.arrive: date | None = None  # moved into the city during the window
        self.leave: date | None = None  # moved out of the city during the window
        self.family_ids: dict[str, str] = {}  # person id -> family id
        self.low_income = False
        self.workless = False
        self.practice: Practice | None = None
        self.housing_ref: str | None = None
        self.eh_family_id: str | None = None
        self.plan: list[PlannedNeed] = []

    def address_at(self, when: date) -> Address | None:
        for start, end, address in self.addresses:
            if start <= when and (end is None or when < end):
                return address
        return None

    def members_at(self, when: date) -> list[Person]:
        """Who lived here on a date."""
        return [p for p in self.members if p.household_at(when) is self]


@dataclass(slots=True)
class Enrolment:
    """A spell on one school's roll."""

    school: School
    start: date  # first day on roll within the simulation
    end: date | None  # last day on roll (None: still on roll at the end)
    entry_date: date  # the school's recorded entry date (may precede the window)


@dataclass(slots=True)
class PlannedNeed:
    """A need the generator intended a family to have, and when it was live."""

    need: str
    person: Person | None  # None for a family-level need
    onset: date
    until: date  # the end date when still live at the end of the window


# ---- events: what the feeds report -------------------------------------------------------


@dataclass(slots=True)
class Exclusion:
    person: Person
    school: School
    category: str  # PERM, SUSP, LNCH
    start: date
    sessions: int
    reasons: tuple[str, ...]


@dataclass(slots=True)
class EHEpisode:
    episode_id: str
    household: Household
    members: list[tuple[Person, str]]  # (person, role)
    start: date
    end: date | None
    reason: str
    end_reason: str
    practitioner: str
    team: str


@dataclass(slots=True)
class SCEpisode:
    person: Person
    episode_type: str  # CIN, CP, LAC
    start: date
    end: date | None
    cp_category: str
    referral_source: str
    factors: str
    closure_reason: str


@dataclass(slots=True)
class Offence:
    person: Person
    when: date
    category: str
    outcome: str
    gravity: int


@dataclass(slots=True)
class Arrest:
    person: Person
    when: date
    offence: str
    domestic: bool
    outcome: str


@dataclass(slots=True)
class Intel:
    person: Person
    when: date
    category: str
    grading: str
    summary: str


@dataclass(slots=True)
class DAIncident:
    when: date
    address: Address
    victim: Person
    perpetrator: Person | None
    children: list[Person]
    dash: str


@dataclass(slots=True)
class HealthFlag:
    person: Person
    flag: str
    when: date


@dataclass(slots=True)
class Assessment:
    person: Person
    system: str
    start: date
    completed: date | None
    reason: str
    category: str
    risk: str
    indicators: str


@dataclass(slots=True)
class NeetStatus:
    person: Person
    status: str  # EET, NEET, NOT_KNOWN
    when: date


@dataclass(slots=True)
class HousingFlag:
    household: Household
    members: list[Person]
    address: Address
    flag: str
    when: date


@dataclass(slots=True)
class Events:
    """Everything that happened in one chunk of households."""

    # (person, term index, enrolment, possible, authorised, unauthorised)
    attendance: list[tuple[Person, int, Enrolment, int, int, int]] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    early_help: list[EHEpisode] = field(default_factory=list)
    social_care: list[SCEpisode] = field(default_factory=list)
    offences: list[Offence] = field(default_factory=list)
    arrests: list[Arrest] = field(default_factory=list)
    intel: list[Intel] = field(default_factory=list)
    domestic_abuse: list[DAIncident] = field(default_factory=list)
    health: list[HealthFlag] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    neet: list[NeetStatus] = field(default_factory=list)
    housing: list[HousingFlag] = field(default_factory=list)
