"""Children's social care episodes (CIN, CP, LAC) and early help episodes.

Siblings come into social care together; some children in need move on to a child
protection plan and a few become looked after. Early help works with whole families:
every member of the household at the start of the episode gets a row with their role.
Episodes that end in ``STEP_UP`` start a social care episode referred by early help
(referral source 5D), and social care closures to early help use RC9, as in the
children in need census.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from kinlink.synth._rng import Weighted
from kinlink.synth.calendar import age_on
from kinlink.synth.context import City
from kinlink.synth.models import (
    CARER,
    CHILD,
    PARENT,
    YOUNG_ADULT,
    EHEpisode,
    Events,
    Household,
    Person,
    PlannedNeed,
    SCEpisode,
)
from kinlink.synth.names_data import PRACTITIONER_SURNAMES
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

#: Early help episode reasons; the first two are family-relationship needs.
RELATIONSHIP_REASONS = ("PARENTAL_CONFLICT", "FAMILY_BREAKDOWN")
_EH_REASON = {
    DOMESTIC_ABUSE: "DOMESTIC_ABUSE",
    SUBSTANCE: "PARENTAL_SUBSTANCE_MISUSE",
    HEALTH_MENTAL: "PARENTAL_MENTAL_HEALTH",
    EDU_ATTENDANCE: "SCHOOL_ATTENDANCE",
    EDU_EXCLUSION: "CHILD_BEHAVIOUR",
    EDU_NEET: "NEET",
    FINANCIAL: "FINANCIAL_HARDSHIP",
    HOUSING: "HOUSING",
    CRIME: "YOUTH_OFFENDING",
    SAFEGUARDING: "NEGLECT_CONCERN",
    FAMILY_RELATIONSHIPS: "PARENTAL_CONFLICT",
}
_BACKGROUND_REASON = Weighted(
    [("PARENTING_SUPPORT", 35), ("CHILD_BEHAVIOUR", 25), ("SCHOOL_ATTENDANCE", 15),
     ("PARENTAL_CONFLICT", 10), ("CHILD_MENTAL_HEALTH", 15)]
)  # fmt: skip
_END_REASON = Weighted(
    [("OUTCOMES_MET", 45), ("STEP_UP", 12), ("STEP_DOWN", 15), ("DISENGAGED", 10), ("NFA", 10),
     ("TRANSFERRED", 8)]
)  # fmt: skip
_TEAMS = (
    "Family Help North",
    "Family Help Central",
    "Family Help South",
    "Youth Support Team",
    "School Early Help",
)
_FACTORS = {
    DOMESTIC_ABUSE: ("3A", "3B"),
    SUBSTANCE: ("2B", "1B"),
    HEALTH_MENTAL: ("4B",),
}
_REFERRAL = Weighted(
    [
        ("1A", 10),
        ("2A", 22),
        ("3A", 8),
        ("3B", 6),
        ("4", 3),
        ("6", 30),
        ("8", 8),
        ("9", 3),
        ("10", 2),
        ("5C", 8),
    ]
)
#: Lead practitioners (fictional): an initial and a surname, as case systems show them.
PRACTITIONERS = tuple(
    f"{'JSACLKPRMT'[i % 10]}. {name}" for i, name in enumerate(PRACTITIONER_SURNAMES)
)
_CP_CATEGORY = Weighted([("NEG", 50), ("EMO", 30), ("PHY", 10), ("SAB", 4), ("MUL", 6)])


class CareEvents:
    """Social care and early help for one chunk."""

    def __init__(self, city: City, rng: random.Random, events: Events) -> None:
        self.city = city
        self.w = city.window
        self.rng = rng
        self.events = events

    # -- social care ------------------------------------------------------------------------
    def la_child_id(self, p: Person) -> str:
        if p.la_child_id is None:
            p.la_child_id = "LCS" + self.city.ids.six("la_child")
        return p.la_child_id

    def episodes(
        self,
        children: list[Person],
        start: date,
        stop: date,
        live: bool,
        source: str,
        factors: str,
        escalate: float,
    ) -> None:
        """Episodes for a sibling group: CIN, sometimes then CP, rarely then LAC."""
        rng, w = self.rng, self.w
        if start > w.end:
            return
        u_cp, u_lac, u_len = rng.random(), rng.random(), rng.random()
        stages: list[tuple[str, date, date | None]] = []
        end = start + timedelta(days=60 + int(u_len * 300))
        if u_cp < escalate:
            cp_start = start + timedelta(days=30 + int(u_len * 60))
            stages.append(("CIN", start, cp_start))
            cp_end = cp_start + timedelta(days=150 + int(u_len * 300))
            if u_lac < 0.08:
                stages.append(("CP", cp_start, cp_end))
                stages.append(("LAC", cp_end, None))
            else:
                stages.append(("CP", cp_start, cp_end))
        else:
            stages.append(("CIN", start, end))
        last_type, last_start, last_end = stages[-1]
        if live and last_end is not None and last_end < w.end:
            last_end = (
                None if rng.random() < 0.6 else w.end - timedelta(days=int(rng.random() * 200))
            )
            last_end = max(last_end, last_start + timedelta(days=14)) if last_end else None
        elif not live and (last_end is None or last_end > stop):
            last_end = max(stop, last_start + timedelta(days=14))
        stages[-1] = (last_type, last_start, last_end)
        cp_category = _CP_CATEGORY.pick(rng)
        for child in children:
            for kind, s, e in stages:
                if s > w.end or (e is not None and e < w.start):
                    continue  # outside the window: no extract would show it
                if e is not None and e > w.end:
                    e = None
                if child.address_at(s) is None or age_on(child.dob, s) >= 18:
                    continue
                closure = ""
                if e is not None:
                    closure = (
                        "RC9" if rng.random() < 0.3 else ("RC7" if rng.random() < 0.7 else "RC8")
                    )
                    if kind != stages[-1][0]:
                        closure = "RC7"  # stepped up to the next stage
                    elif child.address_at(e + timedelta(days=1)) is None:
                        closure = "RC5"  # moved to another local authority
                self.la_child_id(child)
                self.events.social_care.append(
                    SCEpisode(
                        child,
                        kind,
                        s,
                        e,
                        cp_category if kind == "CP" else "",
                        source,
                        factors,
                        closure,
                    )
                )

    def planned(self, h: Household, need: PlannedNeed) -> None:
        """Social care for a planned safeguarding need: the whole sibling group."""
        if need.need != SAFEGUARDING or need.person is None:
            return
        start = max(need.onset, self.w.start - timedelta(days=90))
        kids = [
            c
            for c in h.members_at(max(start, self.w.start))
            if age_on(c.dob, max(start, self.w.start)) < 18
        ]
        plan_needs = {n.need for n in h.plan}
        factors = ";".join(f for n in sorted(plan_needs) for f in _FACTORS.get(n, ())[:1]) or "21"
        source = "6" if DOMESTIC_ABUSE in plan_needs else _REFERRAL.pick(self.rng)
        self.episodes(
            kids or [need.person],
            start,
            need.until,
            need.until >= self.w.end,
            source,
            factors,
            0.35,
        )

    def background(self, h: Household) -> None:
        """Short children-in-need episodes for families nobody planned anything for."""
        rng, w = self.rng, self.w
        for y in w.years:
            if rng.random() >= 0.006:
                continue
            start = y.start + timedelta(days=int(rng.random() * 300))
            kids = [c for c in h.members_at(start) if age_on(c.dob, start) < 18]
            if kids:
                end = start + timedelta(days=30 + int(rng.random() * 150))
                self.episodes(kids, start, end, False, _REFERRAL.pick(rng), "21", 0.05)

    # -- early help -------------------------------------------------------------------------
    def _trigger(self, h: Household) -> tuple[date, str, date | None] | None:
        """Whether a family gets early help: (start, reason, planned need's end or None)."""
        rng, w = self.rng, self.w
        relationship = next((n for n in h.plan if n.need == FAMILY_RELATIONSHIPS), None)
        u, u_delay, u_reason = rng.random(), rng.random(), rng.random()
        if relationship is not None:
            reason = RELATIONSHIP_REASONS[0] if u_reason < 0.7 else RELATIONSHIP_REASONS[1]
            return (
                max(relationship.onset, w.start - timedelta(days=120)),
                reason,
                relationship.until,
            )
        if h.plan and u < (0.75 if len(h.plan) >= 3 else 0.1):
            need = h.plan[0]  # the first planned need drives the referral
            start = max(
                need.onset + timedelta(days=20 + int(u_delay * 100)), w.start - timedelta(days=120)
            )
            return start, _EH_REASON.get(need.need, "PARENTING_SUPPORT"), need.until
        if not h.plan and u < 0.012 * len(w.years):
            start = w.start + timedelta(days=int(u_delay * (w.end - w.start).days))
            return start, _BACKGROUND_REASON.pick(rng), None
        return None

    def _end(
        self, h: Household, start: date, reason: str, until: date | None
    ) -> tuple[date | None, str]:
        """When and why an episode ended (None, "" while still open at the end date)."""
        rng, w = self.rng, self.w
        u_open, u_len, u_late = rng.random(), rng.random(), rng.random()
        if until is not None and until >= w.end and u_open < 0.7:
            return None, ""
        end = start + timedelta(days=90 + int(u_len * 300))
        if until is not None and reason in RELATIONSHIP_REASONS:
            end = max(end, min(until, w.end) - timedelta(days=int(u_late * 60)))
        end_reason = _END_REASON.pick(rng)
        if h.leave is not None and end >= h.leave:
            return h.leave, "MOVED_AWAY"
        if end > w.end:
            return None, ""
        return end, end_reason

    def _roles(self, members: list[Person], start: date) -> list[tuple[Person, str]]:
        """Each member's early help role, giving everyone an early help person id."""
        roles = []
        for p in members:
            if p.eh_id is None:
                p.eh_id = "EHP" + self.city.ids.seven("eh_person")
            if age_on(p.dob, start) < 18:
                role = CHILD
            else:
                role = {PARENT: "PARENT", CARER: "CARER", YOUNG_ADULT: "SIBLING"}.get(
                    p.role, "OTHER"
                )
            roles.append((p, role))
        return roles

    def early_help(self, h: Household) -> None:
        """An early help episode for most families with several planned needs, some with
        fewer, every family with a planned relationship need, and a few others."""
        rng, w = self.rng, self.w
        trigger = self._trigger(h)
        if trigger is None:
            return
        start, reason, until = trigger
        members = h.members_at(max(start, w.start)) or h.members_at(start)
        if start > w.end or not any(age_on(p.dob, start) < 18 for p in members):
            return
        end, end_reason = self._end(h, start, reason, until)
        if h.eh_family_id is None:
            h.eh_family_id = "EHF" + self.city.ids.six("eh_family")
        roles = self._roles(members, start)
        district = h.addresses[0][2].district if h.addresses else 0
        team = _TEAMS[3] if reason in ("YOUTH_OFFENDING", "NEET") else _TEAMS[district % 3]
        practitioner = PRACTITIONERS[int(rng.random() * len(PRACTITIONERS))]
        episode_id = "EHE" + self.city.ids.six("eh_episode")
        self.events.early_help.append(
            EHEpisode(episode_id, h, roles, start, end, reason, end_reason, practitioner, team)
        )
        if end_reason == "STEP_UP" and end is not None:
            kids = [p for p, role in roles if role == CHILD]
            self.episodes(kids, end, end + timedelta(days=200), False, "5D", "21", 0.3)
