"""What young people do after Year 11, and the careers service's tracking of it.

At 16 most stay in education (a school sixth form, the sixth form college or further
education) or train; about one in twenty is not in education, employment or training.
The careers service (CCIS) records a status early in each post-16 year and, for some,
again in spring; a planned NEET need makes the path NEET while the need is live.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from kinlink.synth._rng import Weighted
from kinlink.synth.calendar import Window, academic_age
from kinlink.synth.models import Events, NeetStatus, Person
from kinlink.synth.needs import EDU_NEET
from kinlink.synth.schools import COLLEGE

SCHOOL6, FE, WORK, NEET, UNKNOWN = "SCHOOL6", "FE", "WORK", "NEET", "UNKNOWN"
_POST16 = Weighted([(SCHOOL6, 33), (COLLEGE, 14), (FE, 33), (WORK, 12), (NEET, 5), (UNKNOWN, 3)])


class Post16:
    """Post-16 paths (which decide sixth-form rolls) and NEET tracking statuses."""

    def __init__(self, window: Window, rng: random.Random, events: Events) -> None:
        self.w = window
        self.rng = rng
        self.events = events

    def paths(self, p: Person, planned: dict[str, tuple[date, date]]) -> None:
        """The path taken in each academic year at 16 and 17 (Years 12 and 13)."""
        rng = self.rng
        neet_plan = planned.get(EDU_NEET)
        previous: str | None = None
        for y in self.w.years:
            nc = academic_age(p.dob, y.start_year) - 4
            if nc not in (12, 13):
                continue
            if previous is None:
                path = _POST16.pick(rng)
            elif previous == NEET:
                path = NEET if rng.random() < 0.65 else FE
            else:
                path = previous if rng.random() > 0.04 else NEET
            if neet_plan is not None and neet_plan[0] <= y.end and neet_plan[1] >= y.start:
                path = NEET
            p.post16[y.index] = path
            previous = path

    def statuses(self, p: Person) -> None:
        """CCIS tracking: a status at the start of each post-16 year and on changes."""
        rng = self.rng
        status_of = {NEET: "NEET", UNKNOWN: "NOT_KNOWN"}
        for y in self.w.years:
            path = p.post16.get(y.index)
            if path is None:
                continue
            when = date(y.start_year, 10, 1) + timedelta(days=int(rng.random() * 40))
            if when > self.w.end or p.address_at(when) is None:
                continue
            status = status_of.get(path, "EET")
            self.events.neet.append(NeetStatus(p, status, when))
            if rng.random() < 0.4:
                later = date(y.start_year + 1, 2, 1) + timedelta(days=int(rng.random() * 90))
                if later <= self.w.end and p.address_at(later) is not None:
                    if status == "NOT_KNOWN":
                        status = "EET" if rng.random() < 0.7 else "NEET"
                    self.events.neet.append(NeetStatus(p, status, later))
