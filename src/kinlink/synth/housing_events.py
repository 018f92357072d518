"""Housing, revenues and benefits flags: worklessness, arrears, homelessness, temporary
accommodation.

Worklessness is a yearly DWP match, so a workless household gets one WORKLESS row each
November it is workless. A planned housing need runs arrears, then (for some) a homeless
application and a move into temporary accommodation; that move is decided before the
household's addresses are laid out, so the temporary address is a real move.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from kinlink.synth._rng import random_date
from kinlink.synth.calendar import age_on
from kinlink.synth.context import City
from kinlink.synth.models import Events, Household, HousingFlag, PlannedNeed
from kinlink.synth.needs import FINANCIAL, HOUSING, planned_dates

WORKLESS, RENT, CTAX, HOMELESS, TEMP = (
    "WORKLESS",
    "RENT_ARREARS",
    "COUNCIL_TAX_ARREARS",
    "HOMELESS_APPLICATION",
    "TEMP_ACCOMMODATION",
)


def temporary_move(rng: random.Random, need: PlannedNeed, window_start: date) -> date | None:
    """When a planned housing need ends in temporary accommodation (or None)."""
    u, when = rng.random(), rng.random()
    if need.need != HOUSING or u >= 0.3:
        return None
    lo = max(need.onset, window_start) + timedelta(days=30)
    span = (need.until - lo).days
    return lo + timedelta(days=int(when * span)) if span > 10 else None


class HousingEvents:
    """Flags for one household: background rates plus its planned needs."""

    def __init__(self, city: City, rng: random.Random, events: Events) -> None:
        self.city = city
        self.w = city.window
        self.rng = rng
        self.events = events

    def _flag(self, h: Household, flag: str, when: date) -> None:
        if not self.w.start <= when <= self.w.end:
            return
        address = h.address_at(when)
        members = h.members_at(when)
        if address is None or not members:
            return
        members.sort(key=lambda p: (age_on(p.dob, when) < 18, p.dob))  # adults first
        if h.housing_ref is None:
            h.housing_ref = "HB" + self.city.ids.seven("housing_ref")
        self.events.housing.append(HousingFlag(h, members[:6], address, flag, when))

    def household(self, h: Household, ta_date: date | None) -> None:
        rng, w = self.rng, self.w
        financial = next((n for n in h.plan if n.need == FINANCIAL), None)
        housing = next((n for n in h.plan if n.need == HOUSING), None)
        for y in w.years:
            november = date(y.start_year, 11, 10) + timedelta(days=int(rng.random() * 20))
            if financial is not None:
                if financial.onset <= november <= financial.until:
                    self._flag(h, WORKLESS, november)
            elif h.workless:
                self._flag(h, WORKLESS, november)
            lo, hi = y.start, min(y.end, w.end)
            if rng.random() < 0.015:
                self._flag(h, CTAX, random_date(rng, lo, hi))
            if rng.random() < 0.012:
                self._flag(h, RENT, random_date(rng, lo, hi))
            if rng.random() < 0.003:
                self._flag(h, HOMELESS, random_date(rng, lo, hi))
        if financial is not None:
            for when in planned_dates(rng, financial, w.start, 0.5):
                self._flag(h, CTAX, when)
        if housing is not None:
            lo = max(housing.onset, w.start)
            for when in planned_dates(rng, housing, w.start, 1.0):
                self._flag(h, RENT, when)
            if ta_date is not None:
                self._flag(
                    h, HOMELESS, max(lo, ta_date - timedelta(days=20 + int(rng.random() * 40)))
                )
                self._flag(h, TEMP, ta_date)
