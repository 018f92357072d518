"""Police arrests, youth offences, intelligence logs and domestic abuse incidents.

Arrest rates are per person-year by age and sex (young men most), youth arrests often
lead to a youth justice outcome, and domestic abuse incidents name a victim, usually a
perpetrator, and the children present. A perpetrator who does not live with the victim
(an ex-partner) is another resident of the same chunk, so both ends of every incident
are real people of the city.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from kinlink.synth._rng import Weighted, poisson, random_date
from kinlink.synth.calendar import age_on
from kinlink.synth.context import City
from kinlink.synth.models import (
    CARER,
    PARENT,
    Arrest,
    DAIncident,
    Events,
    HealthFlag,
    Household,
    Intel,
    Offence,
    Person,
    PlannedNeed,
)
from kinlink.synth.needs import CRIME, DOMESTIC_ABUSE, planned_dates

_OFFENCES = Weighted(
    [("Theft from shop", 16), ("Common assault", 14), ("Assault occasioning ABH", 8),
     ("Criminal damage", 10), ("Possession of cannabis", 10),
     ("Possession with intent to supply", 5),
     ("Burglary dwelling", 4), ("Public order offence", 9), ("Drink driving", 5),
     ("Breach of bail", 5), ("Robbery", 3), ("Possession of offensive weapon", 4),
     ("Vehicle theft", 3), ("Fraud by false representation", 3)]
)  # fmt: skip
_DA_OFFENCES = Weighted(
    [("Assault (domestic)", 45), ("Criminal damage (domestic)", 15), ("Harassment (domestic)", 15),
     ("Controlling or coercive behaviour", 15), ("Breach of non-molestation order", 10)]
)  # fmt: skip
_ARREST_OUTCOMES = Weighted([("NFA", 30), ("RUI", 20), ("Charged", 30), ("Cautioned", 20)])
_YOUTH_CATEGORIES = Weighted(
    [("Violence against the person", 30), ("Theft and handling", 18), ("Criminal damage", 12),
     ("Drugs", 12), ("Public order", 10), ("Robbery", 5), ("Motoring", 5), ("Breach", 4),
     ("Possession of weapon", 4)]
)  # fmt: skip
#: Youth justice outcomes, from lightest, with their typical gravity scores.
_YOUTH_OUTCOMES = (
    ("Community Resolution", (1, 2)),
    ("Youth Caution", (2, 3)),
    ("Youth Conditional Caution", (3, 4)),
    ("Referral Order", (3, 5)),
    ("Youth Rehabilitation Order", (4, 6)),
    ("Custody", (6, 8)),
)
_OUTCOME_WEIGHTS = Weighted([(i, w) for i, w in enumerate((35, 20, 12, 18, 12, 3))])
_INTEL = Weighted(
    [
        ("DRUG_SUPPLY", 30),
        ("WEAPONS", 15),
        ("GANG", 20),
        ("COUNTY_LINES", 15),
        ("CCE", 10),
        ("MISSING", 10),
    ]
)
_GRADING = Weighted([("B2", 25), ("B3", 20), ("C3", 25), ("C4", 15), ("E4", 15)])
_SUMMARY = {
    "DRUG_SUPPLY": "Subject reported to be holding and supplying drugs near a retail parade.",
    "WEAPONS": "Information that subject carries a bladed article when out at night.",
    "GANG": "Subject seen associating with a named local group linked to violence.",
    "COUNTY_LINES": "Subject believed to travel out of area to deal drugs for an organised line.",
    "CCE": "Concern that subject is being directed by older males to hold items.",
    "CSE": "Concern that subject is in contact with much older adults met online.",
    "MISSING": "Subject reported missing from home overnight; returned, account not given.",
}
_DASH = Weighted([("STANDARD", 55), ("MEDIUM", 30), ("HIGH", 15)])


def intel_summary(category: str) -> str:
    """Restricted free text for an intelligence log (synthetic, no real places)."""
    return _SUMMARY[category]


class JusticeEvents:
    """Arrests, offences, intelligence and domestic abuse for one chunk."""

    def __init__(
        self, city: City, rng: random.Random, events: Events, partners: list[Person]
    ) -> None:
        self.w = city.window
        self.rng = rng
        self.events = events
        # single adults of the chunk who can be an ex-partner or a partner elsewhere
        self.partners = partners

    # -- arrests and offences -------------------------------------------------------------
    def arrest(
        self, p: Person, when: date, domestic: bool = False, offence: str | None = None
    ) -> None:
        """An arrest (and, under 18, often a youth justice outcome)."""
        rng = self.rng
        if not self.w.start <= when <= self.w.end or p.address_at(when) is None:
            return
        age = age_on(p.dob, when)
        if age < 10:
            return
        outcome = _ARREST_OUTCOMES.pick(rng)
        offence = offence or (_DA_OFFENCES.pick(rng) if domestic else _OFFENCES.pick(rng))
        self.events.arrests.append(Arrest(p, when, offence, domestic, outcome))
        if age < 18 and outcome != "NFA" and rng.random() < 0.75:
            self.youth_offence(p, when + timedelta(days=int(rng.random() * 50)))

    def youth_offence(self, p: Person, when: date, category: str | None = None) -> None:
        rng = self.rng
        if not self.w.start <= when <= self.w.end or not 10 <= age_on(p.dob, when) <= 17:
            return
        i = _OUTCOME_WEIGHTS.pick(rng)
        outcome, (lo, hi) = _YOUTH_OUTCOMES[i]
        category = category or _YOUTH_CATEGORIES.pick(rng)
        self.events.offences.append(Offence(p, when, category, outcome, rng.randint(lo, hi)))

    def intel(self, p: Person, when: date, category: str) -> None:
        if self.w.start <= when <= self.w.end and p.address_at(when) is not None:
            self.events.intel.append(
                Intel(p, when, category, _GRADING.pick(self.rng), intel_summary(category))
            )

    def background(self, p: Person) -> None:
        """Arrests and intelligence at base rates by age and sex."""
        rng = self.rng
        for y in self.w.years:
            age = age_on(p.dob, y.start + timedelta(days=182))
            if age < 12:
                continue
            if age < 18:
                rate = 0.012 if p.sex == "M" else 0.004
            elif age <= 25:
                rate = 0.035 if p.sex == "M" else 0.009
            elif age <= 40:
                rate = 0.016 if p.sex == "M" else 0.004
            elif age <= 60:
                rate = 0.006 if p.sex == "M" else 0.0015
            else:
                rate = 0.001
            if age <= 25:
                rate *= 2.718281828 ** (0.5 * p.behaviour_z - 0.125)
            lo, hi = y.start, min(y.end, self.w.end)
            for _ in range(poisson(rng, rate)):
                self.arrest(p, random_date(rng, lo, hi))
            if 14 <= age <= 30 and p.sex == "M" and rng.random() < 0.004:
                self.intel(p, random_date(rng, lo, hi), _INTEL.pick(rng))

    def planned_crime(self, need: PlannedNeed) -> None:
        p, rng, w = need.person, self.rng, self.w
        if p is None or need.need != CRIME:
            return
        for when in planned_dates(rng, need, w.start, 1.2):
            self.arrest(p, when)
            if age_on(p.dob, when) <= 25 and p.sex == "M" and rng.random() < 0.3:
                self.intel(p, when - timedelta(days=int(rng.random() * 60)), _INTEL.pick(rng))

    # -- domestic abuse ---------------------------------------------------------------------
    def incident(
        self, when: date, victim: Person, perpetrator: Person | None, serious: bool, arrest_p: float
    ) -> None:
        """A domestic abuse incident at the victim's home, with the children present."""
        rng = self.rng
        if not self.w.start <= when <= self.w.end:
            return
        household = victim.household_at(when)
        address = victim.address_at(when)
        if household is None or address is None:
            return
        if perpetrator is not None and perpetrator.address_at(when) is None:
            perpetrator = None
        children = [
            c
            for c in household.members_at(when)
            if age_on(c.dob, when) < 18 and c is not perpetrator
        ]
        dash = _DASH.pick(rng) if serious else ("STANDARD" if rng.random() < 0.75 else "MEDIUM")
        self.events.domestic_abuse.append(
            DAIncident(when, address, victim, perpetrator, children[:4], dash)
        )
        if perpetrator is not None and rng.random() < arrest_p:
            self.arrest(perpetrator, when, domestic=True)
        if rng.random() < 0.1:
            self.events.health.append(HealthFlag(victim, "AE_ASSAULT", when))

    def _ex_partner(self, victim: Person) -> Person | None:
        rng = self.rng
        pool = [
            q
            for q in self.partners
            if q.sex != victim.sex and abs((q.dob - victim.dob).days) < 365 * 12
        ]
        return pool[int(rng.random() * len(pool))] if pool else None

    def planned_da(self, h: Household, need: PlannedNeed) -> None:
        rng, w = self.rng, self.w
        if need.need != DOMESTIC_ABUSE:
            return
        dates = planned_dates(rng, need, w.start, 2.0)
        u_perp = rng.random()
        fixed_ex: Person | None = None
        for when in dates:
            adults = [p for p in h.members_at(when) if age_on(p.dob, when) >= 18]
            women = [p for p in adults if p.sex == "F" and p.role == PARENT] or [
                p for p in adults if p.sex == "F"
            ]
            victim = women[0] if women else (adults[0] if adults else None)
            if victim is None:
                continue
            partner = next(
                (p for p in adults if p.sex != victim.sex and p.role in (PARENT, CARER)), None
            )
            if partner is None:
                if u_perp < 0.7:
                    fixed_ex = fixed_ex or self._ex_partner(victim)
                    partner = fixed_ex
                elif u_perp < 0.8:
                    sons = [
                        c
                        for c in h.members_at(when)
                        if c.sex == "M" and 16 <= age_on(c.dob, when) <= 25
                    ]
                    partner = sons[0] if sons else None
            self.incident(when, victim, partner, serious=True, arrest_p=0.55)

    def background_da(self, h: Household) -> None:
        """Incidents between partners in households nobody planned domestic abuse for."""
        rng, w = self.rng, self.w
        for y in w.years:
            u, u_when, u_who = rng.random(), rng.random(), rng.random()
            if u >= 0.006:
                continue
            when = y.start + timedelta(days=int(u_when * (min(y.end, w.end) - y.start).days))
            partners = [
                p
                for p in h.members_at(when)
                if p.role in (PARENT, CARER) or (h.htype == "COUPLE" and p.home is h)
            ]
            if len(partners) != 2:
                continue
            partners.sort(key=lambda p: p.sex)  # F before M
            victim, perpetrator = (
                (partners[0], partners[1]) if u_who < 0.85 else (partners[1], partners[0])
            )
            self.incident(when, victim, perpetrator, serious=False, arrest_p=0.35)
