"""Coarse health flags: CAMHS referrals, adult and perinatal mental health, substance
treatment and A&E attendances after an assault.

Background rates are per person-year at roughly national levels for services that would
send a flag; a planned mental-health or substance need adds flags in its period, with
at a steady rate while it lasts.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from kinlink.synth._rng import random_date
from kinlink.synth.calendar import age_on
from kinlink.synth.context import City
from kinlink.synth.models import PARENT, Events, HealthFlag, Household, Person, PlannedNeed
from kinlink.synth.needs import HEALTH_MENTAL, SUBSTANCE, planned_dates

CAMHS, AE, SUBST, ADULT_MH, PERINATAL = (
    "CAMHS_REFERRAL",
    "AE_ASSAULT",
    "SUBSTANCE_TREATMENT",
    "ADULT_MENTAL_HEALTH",
    "PERINATAL_MENTAL_HEALTH",
)


class HealthEvents:
    """Health flags for people (background) and for planned needs."""

    def __init__(self, city: City, rng: random.Random, events: Events) -> None:
        self.w = city.window
        self.rng = rng
        self.events = events

    def _flag(self, p: Person, flag: str, when: date) -> None:
        if self.w.start <= when <= self.w.end and p.address_at(when) is not None:
            self.events.health.append(HealthFlag(p, flag, when))

    def background(self, p: Person, family_needs: bool) -> None:
        """Flags anyone might have, at base rates."""
        rng = self.rng
        for y in self.w.years:
            mid = y.start + timedelta(days=182)
            age = age_on(p.dob, mid)
            if age < 8:
                continue
            lo, hi = y.start, min(y.end, self.w.end)
            if age < 18:
                if rng.random() < 0.012 * (1.8 if family_needs else 1.0):
                    self._flag(p, CAMHS, random_date(rng, lo, hi))
            else:
                if rng.random() < 0.010:
                    self._flag(p, ADULT_MH, random_date(rng, lo, hi))
                if age < 65 and rng.random() < (0.004 if p.sex == "M" else 0.002):
                    self._flag(p, SUBST, random_date(rng, lo, hi))
            if 14 <= age <= 40 and rng.random() < 0.004:
                self._flag(p, AE, random_date(rng, lo, hi))

    def perinatal(self, h: Household) -> None:
        """Perinatal mental health flags for some mothers of babies born in the window."""
        rng = self.rng
        mothers = [p for p in h.members if p.sex == "F" and p.role == PARENT]
        babies = [p for p in h.members if p.dob >= self.w.start]
        if mothers and babies and rng.random() < 0.06:
            baby = babies[0]
            self._flag(mothers[0], PERINATAL, baby.dob + timedelta(days=int(rng.random() * 300)))

    def planned(self, need: PlannedNeed) -> None:
        """Flags that make a planned mental-health or substance need true in its period."""
        p, rng, w = need.person, self.rng, self.w
        if p is None or need.need not in (HEALTH_MENTAL, SUBSTANCE):
            return
        lo = max(need.onset, w.start)
        if need.need == SUBSTANCE:
            flag = SUBST
        elif age_on(p.dob, lo) < 18:
            flag = CAMHS
        else:
            flag = ADULT_MH
        for when in planned_dates(rng, need, w.start, 1.5):
            self._flag(p, flag, when)
