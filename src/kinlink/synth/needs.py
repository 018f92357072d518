"""Which families are meant to have which needs, when: the plan the events are drawn from.

Most families have no need or one; a minority have three or more that cluster the way
practitioners see them (domestic abuse with mental health and safeguarding; substance
misuse with worklessness and poor attendance; a teenager's exclusions with offending).
The plan only steers the event generators: the truth is recomputed from the events
(see ``truth.py``), so background events (a child who is often off school in a family
nobody planned anything for) count too.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from kinlink.synth._rng import Weighted, poisson, random_date, years_between
from kinlink.synth.calendar import Window, academic_age, age_on
from kinlink.synth.models import CARER, PARENT, Household, Person, PlannedNeed

EDU_ATTENDANCE, EDU_EXCLUSION, EDU_NEET = "EDU_ATTENDANCE", "EDU_EXCLUSION", "EDU_NEET"
EARLY_YEARS, HEALTH_MENTAL, SUBSTANCE = "EARLY_YEARS", "HEALTH_MENTAL", "SUBSTANCE"
FAMILY_RELATIONSHIPS, SAFEGUARDING, CRIME = "FAMILY_RELATIONSHIPS", "SAFEGUARDING", "CRIME"
DOMESTIC_ABUSE, HOUSING, FINANCIAL = "DOMESTIC_ABUSE", "HOUSING", "FINANCIAL"

#: Need code -> the Supporting Families headline outcome it belongs to.
HEADLINE: dict[str, str] = {
    EDU_ATTENDANCE: "GOOD_EDUCATION",
    EDU_EXCLUSION: "GOOD_EDUCATION",
    EDU_NEET: "GOOD_EDUCATION",
    EARLY_YEARS: "EARLY_YEARS_DEVELOPMENT",
    HEALTH_MENTAL: "MENTAL_AND_PHYSICAL_HEALTH",
    SUBSTANCE: "SUBSTANCE_USE",
    FAMILY_RELATIONSHIPS: "FAMILY_RELATIONSHIPS",
    SAFEGUARDING: "SAFE_FROM_ABUSE_AND_EXPLOITATION",
    CRIME: "CRIME_PREVENTION",
    DOMESTIC_ABUSE: "SAFE_FROM_DOMESTIC_ABUSE",
    HOUSING: "SECURE_HOUSING",
    FINANCIAL: "FINANCIAL_STABILITY",
}
#: Needs recorded against one person; the others belong to the whole family.
PERSON_LEVEL = frozenset(
    {EDU_ATTENDANCE, EDU_EXCLUSION, EDU_NEET, HEALTH_MENTAL, SUBSTANCE, SAFEGUARDING, CRIME}
)

_CLUSTERS: dict[str, Weighted[str]] = {
    DOMESTIC_ABUSE: Weighted(
        [(HEALTH_MENTAL, 50), (SAFEGUARDING, 45), (SUBSTANCE, 30), (EDU_ATTENDANCE, 35),
         (CRIME, 25), (HOUSING, 25), (FAMILY_RELATIONSHIPS, 20), (FINANCIAL, 25)]
    ),
    SUBSTANCE: Weighted(
        [(FINANCIAL, 45), (SAFEGUARDING, 45), (EDU_ATTENDANCE, 40), (CRIME, 35), (HOUSING, 30),
         (HEALTH_MENTAL, 35), (DOMESTIC_ABUSE, 20)]
    ),
    HEALTH_MENTAL: Weighted(
        [(FINANCIAL, 40), (EDU_ATTENDANCE, 45), (FAMILY_RELATIONSHIPS, 30), (HOUSING, 25),
         (SAFEGUARDING, 20), (SUBSTANCE, 10)]
    ),
    EDU_EXCLUSION: Weighted(
        [(EDU_ATTENDANCE, 70), (CRIME, 50), (FAMILY_RELATIONSHIPS, 40), (SAFEGUARDING, 30),
         (HEALTH_MENTAL, 30), (EDU_NEET, 25)]
    ),
    FINANCIAL: Weighted(
        [(HOUSING, 60), (EDU_ATTENDANCE, 50), (HEALTH_MENTAL, 35), (FAMILY_RELATIONSHIPS, 20),
         (CRIME, 15), (SUBSTANCE, 10)]
    ),
}  # fmt: skip
_DRIVERS = Weighted(
    [
        (DOMESTIC_ABUSE, 25),
        (SUBSTANCE, 15),
        (HEALTH_MENTAL, 20),
        (EDU_EXCLUSION, 20),
        (FINANCIAL, 20),
    ]
)
_MARGINAL = Weighted(
    [(FINANCIAL, 22), (EDU_ATTENDANCE, 25), (HEALTH_MENTAL, 15), (HOUSING, 10), (EDU_EXCLUSION, 6),
     (CRIME, 6), (DOMESTIC_ABUSE, 6), (SUBSTANCE, 4), (FAMILY_RELATIONSHIPS, 5), (SAFEGUARDING, 5),
     (EDU_NEET, 3)]
)  # fmt: skip
#: Share of families with children planned to have 0, 1, 2 or 3+ needs.
TIERS = Weighted([(0, 0.52), (1, 0.22), (2, 0.12), (3, 0.14)])


class NeedPlanner:
    """Turns a household into a list of planned needs with the person each is about."""

    def __init__(self, window: Window, rng: random.Random) -> None:
        self.w = window
        self.rng = rng

    def plan(self, h: Household) -> None:
        """Fill ``h.plan`` and the household's money situation."""
        rng, w = self.rng, self.w
        members = [p for p in h.members if p.spells and p.spells[0][2] is h]
        adults = [p for p in members if age_on(p.dob, w.end) >= 18]
        working_age = [p for p in adults if age_on(p.dob, w.end) < 66]
        has_children = any(
            age_on(p.dob, w.start) < 18 for p in members
        )  # at some time in the window
        lone = sum(1 for p in adults if p.role in (PARENT, CARER)) == 1
        u_workless, u_income = rng.random(), rng.random()
        if working_age:
            base = (0.2 if lone else 0.035) if has_children else 0.10
            h.workless = u_workless < base
        h.low_income = h.workless or u_income < (0.24 if has_children else 0.15)
        if not has_children:
            return
        tier = TIERS.pick(rng)
        if tier == 0:
            return
        wanted = self._wanted(tier)
        crisis = self._crisis(h)
        duration = rng.randint(240, 900)  # a family's difficulties last months to years
        for need in wanted:
            person = self._subject(need, members, crisis)
            if need in PERSON_LEVEL and person is None:
                continue
            onset, until = self._period(h, crisis, duration)
            h.plan.append(PlannedNeed(need, person, onset, until))
            if need == FINANCIAL:
                h.workless = h.low_income = True

    def _wanted(self, tier: int) -> list[str]:
        """``tier`` needs: clustered around a driver for three or more, else independent."""
        rng = self.rng
        wanted: list[str] = []
        if tier >= 3:
            driver = _DRIVERS.pick(rng)
            wanted.append(driver)
            target = 3 + (rng.random() < 0.45) + (rng.random() < 0.25)
            pool, draws = _CLUSTERS[driver], 20
        else:
            target, pool, draws = tier, _MARGINAL, 10
        for _ in range(draws):
            if len(wanted) >= target:
                break
            need = pool.pick(rng)
            if need not in wanted:
                wanted.append(need)
        return wanted

    def _crisis(self, h: Household) -> date:
        """When a family's difficulties began: any time from two and a half years before the
        window (the longest a need lasts), so needs are as common early in the window as late."""
        w, rng = self.w, self.rng
        first = h.arrive or w.start - timedelta(days=900)
        last = (h.leave or w.end) - timedelta(days=30)
        if last <= first:
            last = first + timedelta(days=30)
        return first + timedelta(days=int(rng.random() * (last - first).days))

    def _period(self, h: Household, crisis: date, duration: int) -> tuple[date, date]:
        """(onset, until) of one need; ``until`` is the end date while still live."""
        w, rng = self.w, self.rng
        stop = h.leave or w.end
        onset = crisis + timedelta(days=int(rng.gauss(0, 60)))
        onset = min(
            max(onset, h.arrive or w.start - timedelta(days=1000)), stop - timedelta(days=30)
        )
        until = onset + timedelta(days=max(60, duration + int(rng.gauss(0, 90))))
        return onset, min(until, stop)

    def _subject(self, need: str, members: list[Person], when: date) -> Person | None:
        """Who a person-level need is about, among those of the right age when it begins."""
        rng = self.rng
        year = when.year - (when.month < 9)
        age = {p.pid: age_on(p.dob, when) for p in members}
        school = {p.pid: academic_age(p.dob, year) - 4 for p in members}

        def pick(people: list[Person]) -> Person | None:
            return people[int(rng.random() * len(people))] if people else None

        children = [p for p in members if 0 <= age[p.pid] < 18 and p.dob <= when]
        parents = [p for p in members if p.role in (PARENT, CARER)] or [
            p for p in members if age[p.pid] >= 18
        ]
        if need == EDU_ATTENDANCE:
            return pick([c for c in children if 0 <= school[c.pid] <= 11])
        if need == EDU_EXCLUSION:
            return pick([c for c in children if 7 <= school[c.pid] <= 11]) or pick(
                [c for c in children if 3 <= school[c.pid] <= 6]
            )
        if need == EDU_NEET:
            return pick([p for p in members if 12 <= school[p.pid] <= 13])
        if need == HEALTH_MENTAL:
            teens = [c for c in children if age[c.pid] >= 11]
            return pick(teens) if teens and rng.random() < 0.3 else pick(parents)
        if need == SUBSTANCE:
            men = [p for p in parents if p.sex == "M"]
            return pick(men) if men and rng.random() < 0.6 else pick(parents)
        if need == SAFEGUARDING:
            return pick(children)
        if need == CRIME:
            young = [p for p in members if 12 <= age[p.pid] <= 25 and p not in parents]
            return pick(young) if young and rng.random() < 0.6 else pick(parents)
        return None


def planned_dates(
    rng: random.Random, need: PlannedNeed, window_start: date, per_year: float
) -> list[date]:
    """Dates of the events a planned need produces inside the window, sorted and distinct.

    One soon after it begins (if it begins inside the window), then a Poisson process at
    ``per_year`` while it lasts: no burst at the window's start and no rush at its end, so
    each year of the window looks like the others. A live need usually, not always, has
    recent evidence; the truth records whether it does.
    """
    lo = max(need.onset, window_start)
    out = []
    if need.onset >= window_start:
        out.append(min(need.until, need.onset + timedelta(days=int(rng.random() * 30))))
    for _ in range(poisson(rng, per_year * years_between(lo, need.until))):
        out.append(random_date(rng, lo, need.until))
    return sorted(set(out))
