"""Households, families and people: who lives with whom, and how that changes.

Household types and sizes follow an English city (many single adults, couples, families
with children, lone parents, some three-generation homes and shared houses of young
adults). Within the window people move house, couples separate, step-parents join,
young adults leave home and some families arrive in or leave the city. Every draw comes
from the chunk's population stream, so the population does not depend on noise settings
except for the surname changes the noise config asks for.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from kinlink.synth._rng import Weighted, poisson, random_date
from kinlink.synth.calendar import age_on
from kinlink.synth.context import City
from kinlink.synth.models import (
    CARER,
    CHILD,
    OTHER_ADULT,
    PARENT,
    YOUNG_ADULT,
    Household,
    Person,
)
from kinlink.synth.names_data import TWIN_PAIRS

SINGLE, COUPLE, COUPLE_CHILDREN, LONE_PARENT = "SINGLE", "COUPLE", "COUPLE_CHILDREN", "LONE_PARENT"
COUPLE_ADULT_CHILDREN, MULTI_GENERATION, SHARED = (
    "COUPLE_ADULT_CHILDREN",
    "MULTI_GENERATION",
    "SHARED",
)

HOUSEHOLD_TYPES = Weighted(
    [
        (SINGLE, 0.355),
        (COUPLE, 0.29),
        (COUPLE_CHILDREN, 0.16),
        (LONE_PARENT, 0.09),
        (COUPLE_ADULT_CHILDREN, 0.035),
        (MULTI_GENERATION, 0.035),
        (SHARED, 0.04),
    ]
)
#: Mean people per household under the mix above (measured), used to size the city.
MEAN_HOUSEHOLD_SIZE = 2.205

TWIN_RATE = 0.015
_N_CHILDREN = Weighted([(1, 0.42), (2, 0.38), (3, 0.14), (4, 0.045), (5, 0.015)])
_GAP = Weighted([(1, 0.2), (2, 0.3), (3, 0.22), (4, 0.13), (5, 0.08), (6, 0.04), (8, 0.03)])
_SEN_E = Weighted(
    [("ASD", 33), ("SEMH", 15), ("SLCN", 15), ("SLD", 10), ("MLD", 8), ("PD", 5), ("PMLD", 3),
     ("HI", 3), ("VI", 2), ("MSI", 1), ("SPLD", 2), ("OTH", 3)]
)  # fmt: skip
_SEN_K = Weighted(
    [("SLCN", 24), ("SEMH", 22), ("MLD", 14), ("SPLD", 12), ("ASD", 12), ("OTH", 6), ("PD", 3),
     ("HI", 2), ("VI", 1), ("NSA", 4)]
)  # fmt: skip
_MIXED = {
    frozenset({"WBRI", "BCRB"}): "MWBC",
    frozenset({"WBRI", "BAFR"}): "MWBA",
    frozenset({"WBRI", "APKN"}): "MWAS",
    frozenset({"WBRI", "AIND"}): "MWAS",
    frozenset({"WBRI", "ABAN"}): "MWAS",
}


def mixed_ethnicity(a: str, b: str) -> str:
    """A child's DfE ethnicity when the parents' differ."""
    if a == b:
        return a
    if a.startswith("W") and b.startswith("W"):
        return "WOTH" if "WOTH" in (a, b) else a
    return _MIXED.get(frozenset({a, b}), "MOTH")


class PopulationBuilder:
    """Builds one chunk's households: composition first, then dynamics."""

    def __init__(self, city: City, rng: random.Random) -> None:
        self.city = city
        self.rng = rng
        self.end = city.window.end
        self.start = city.window.start
        self.households: list[Household] = []  # every household, including new homes
        self.people: list[Person] = []

    # -- people -------------------------------------------------------------------------
    def _dob(self, age: int) -> date:
        days = int((age + self.rng.random()) * 365.2425)
        return self.end - timedelta(days=max(0, days))

    def person(
        self,
        sex: str,
        age: int,
        eth: str,
        origin: str,
        surname: str | None = None,
        dob: date | None = None,
    ) -> Person:
        """A new person of this sex and age at the end of the window."""
        rng, names = self.rng, self.city.names
        dob = dob or self._dob(age)
        forename = names.forename(rng, sex, dob.year, origin)
        p = Person(
            self.city.ids.next("person"),
            sex,
            dob,
            forename,
            surname or names.surname(rng, origin),
            eth,
            origin,
        )
        u = rng.random()
        if u < 0.78:
            middles = [names.forename(rng, sex, dob.year, origin)]
            if u < 0.09:
                middles.append(names.forename(rng, sex, dob.year, origin))
            p.middle = " ".join(m for m in middles if m != forename)
        p.nhs = self.city.ids.nhs(p.num)
        p.absence_z = rng.gauss(0, 1)
        p.behaviour_z = 0.5 * p.absence_z + 0.87 * rng.gauss(0, 1)
        self.people.append(p)
        return p

    def household(self, htype: str) -> Household:
        h = Household(self.city.ids.next("household"), htype)
        self.households.append(h)
        return h

    @staticmethod
    def join(p: Person, h: Household, start: date, end: date | None = None) -> None:
        """Record that ``p`` lived in ``h`` from ``start`` (to ``end``)."""
        p.spells.append((start, end, h))
        if p not in h.members:
            h.members.append(p)

    def _sex(self) -> str:
        return "M" if self.rng.random() < 0.51 else "F"

    def _adult_age(self, bands: list[tuple[int, int, float]]) -> int:
        u = self.rng.random() * sum(w for _, _, w in bands)
        for lo, hi, w in bands:
            if u < w:
                return self.rng.randint(lo, hi)
            u -= w
        return bands[-1][1]

    # -- composition --------------------------------------------------------------------
    def build(self) -> Household:
        """One household as it stood at the start of the window (or on arrival)."""
        rng = self.rng
        htype = HOUSEHOLD_TYPES.pick(rng)
        h = self.household(htype)
        eth, origin = self.city.names.ethnicity.pick(rng)
        if htype == SINGLE:
            age = self._adult_age([(18, 25, 0.06), (26, 44, 0.29), (45, 64, 0.29), (65, 94, 0.36)])
            p = self.person(
                "F" if age > 70 and rng.random() < 0.65 else self._sex(), age, eth, origin
            )
            p.role = YOUNG_ADULT if age <= 25 else OTHER_ADULT
            h.members.append(p)
        elif htype == COUPLE:
            age = self._adult_age([(23, 34, 0.2), (35, 54, 0.26), (55, 90, 0.54)])
            self._couple(h, age, eth, origin, role=OTHER_ADULT)
        elif htype in (COUPLE_CHILDREN, LONE_PARENT, MULTI_GENERATION):
            self._family(h, eth, origin)
        elif htype == COUPLE_ADULT_CHILDREN:
            self._family(h, eth, origin, youngest=rng.randint(18, 23))
        else:  # SHARED
            for _ in range(rng.choice((2, 2, 3, 3, 3, 4, 5))):
                e, o = self.city.names.ethnicity.pick(rng)
                p = self.person(self._sex(), rng.randint(19, 32), e, o)
                p.role = YOUNG_ADULT if age_on(p.dob, self.end) <= 25 else OTHER_ADULT
                h.members.append(p)
        for p in h.members:
            p.home = h
        return h

    def _couple(
        self, h: Household, age: int, eth: str, origin: str, role: str
    ) -> tuple[Person, Person]:
        rng = self.rng
        man = self.person("M", max(18, age + int(rng.gauss(2.5, 3))), eth, origin)
        partner_sex = "M" if rng.random() < 0.03 else "F"
        e, o = (eth, origin) if rng.random() < 0.85 else self.city.names.ethnicity.pick(rng)
        woman = self.person(partner_sex, max(18, age), e, o)
        man.role = woman.role = role
        married = rng.random() < (0.75 if age > 45 else 0.55)
        if married and partner_sex == "F" and age >= 20:
            wed = woman.dob + timedelta(days=int(rng.randint(20, min(age, 40)) * 365.25))
            if wed < self.start:  # weddings inside the window are surname changes (noise)
                woman.surnames.append((wed, man.surname, True))
        h.members.extend((man, woman))
        return man, woman

    def _family(self, h: Household, eth: str, origin: str, youngest: int | None = None) -> None:
        rng = self.rng
        lone = h.htype == LONE_PARENT or (h.htype == MULTI_GENERATION and rng.random() < 0.7)
        n = _N_CHILDREN.pick(rng)
        ages = [youngest if youngest is not None else rng.randint(0, 17)]
        for _ in range(n - 1):
            ages.append(ages[-1] + _GAP.pick(rng))
        ages = [a for a in ages if a <= 25] or ages[:1]
        eldest = max(ages)
        first_birth = min(44, max(16, int(rng.gauss(24 if lone else 28.5, 5))))
        mother_age = eldest + first_birth
        if lone:
            if rng.random() < 0.9:
                parent = self.person("F", mother_age, eth, origin)
            else:
                parent = self.person("M", mother_age + 2, eth, origin)
            parent.role = PARENT
            h.members.append(parent)
            parents = [parent]
            # children of an absent parent usually carry that parent's surname
            child_surname = (
                parent.surname if rng.random() < 0.5 else self.city.names.surname(rng, origin)
            )
            child_eth = eth
        else:
            man, woman = self._couple(h, mother_age, eth, origin, role=PARENT)
            parents = [man, woman]
            u = rng.random()
            if u < 0.05:
                child_surname = f"{woman.birth_surname}-{man.surname}"
            elif u < 0.30 and woman.surname != man.surname:
                child_surname = woman.surname
            else:
                child_surname = man.surname
            child_eth = mixed_ethnicity(man.eth, woman.eth)
        if h.htype == MULTI_GENERATION:
            gran_age = mother_age + rng.randint(20, 32)
            gran = self.person("F", gran_age, eth, origin, surname=parents[0].birth_surname)
            gran.role = OTHER_ADULT
            h.members.append(gran)
            if rng.random() < 0.5:
                grandad = self.person(
                    "M", gran_age + 2, eth, origin, surname=parents[0].birth_surname
                )
                grandad.role = OTHER_ADULT
                h.members.append(grandad)
        step = not lone and h.htype == COUPLE_CHILDREN and rng.random() < 0.12 and eldest >= 1
        step_surname = self.city.names.surname(rng, origin) if step else ""
        siblings: set[str] = set()
        for i, age in enumerate(sorted(ages, reverse=True)):
            # in a step-family the older children are the mother's from before
            surname = step_surname if step and i == 0 else child_surname
            self._child(h, age, child_eth, origin, surname, siblings)
        if step:
            parents[0].role = CARER

    def _child(
        self, h: Household, age: int, eth: str, origin: str, surname: str, siblings: set[str]
    ) -> None:
        rng = self.rng
        sex = self._sex()
        child = self.person(sex, age, eth, origin, surname=surname)
        for _ in range(5):
            if child.forename not in siblings:
                break
            child.forename = self.city.names.forename(rng, sex, child.dob.year, origin)
        siblings.add(child.forename)
        child.role = CHILD if age < 18 else YOUNG_ADULT
        self._sen(child)
        h.members.append(child)
        if rng.random() < TWIN_RATE:
            twin_sex = sex if rng.random() < 0.65 else ("F" if sex == "M" else "M")
            twin = self.person(twin_sex, age, eth, origin, surname=surname, dob=child.dob)
            if twin_sex == sex and rng.random() < 0.35:
                pair = TWIN_PAIRS[sex][int(rng.random() * len(TWIN_PAIRS[sex]))]
                child.forename, twin.forename = pair
            for _ in range(5):
                if twin.forename not in siblings:
                    break
                twin.forename = self.city.names.forename(rng, twin_sex, twin.dob.year, origin)
            siblings.add(twin.forename)
            twin.role = child.role
            twin.twin_of, child.twin_of = child.pid, twin.pid
            # twins share much of their school story
            twin.absence_z = 0.7 * child.absence_z + 0.71 * rng.gauss(0, 1)
            self._sen(twin)
            h.members.append(twin)

    def _sen(self, child: Person) -> None:
        u = self.rng.random()
        if u < 0.045:
            child.sen, child.sen_need = "E", _SEN_E.pick(self.rng)
        elif u < 0.175:
            child.sen, child.sen_need = "K", _SEN_K.pick(self.rng)

    # -- dynamics -----------------------------------------------------------------------
    def dynamics(self, h: Household) -> None:
        """Arrivals, departures, separations, step-parents joining, young adults leaving,
        and surname changes, with their dates. Spells are recorded; addresses come later."""
        rng, w = self.rng, self.city.window
        noise = self.city.config.noise
        u_arrive, u_when = rng.random(), rng.random()
        span = (w.end - w.start).days
        if u_arrive < 0.04:
            h.arrive = w.start + timedelta(days=int(u_when * (span - 30)))
        elif u_arrive < 0.07:
            h.leave = w.start + timedelta(days=int(u_when * span) + 1)
        oldest = min(p.dob for p in h.members)
        moved_in = w.start - timedelta(days=int(rng.random() * 365 * 12))
        h_start = h.arrive or max(moved_in, oldest + timedelta(days=18 * 366))
        for p in h.members:
            self.join(p, h, max(h_start, p.dob), h.leave)
        if h.htype in (COUPLE_CHILDREN, LONE_PARENT, MULTI_GENERATION, COUPLE_ADULT_CHILDREN):
            self._family_dynamics(h, h_start, noise.surname_change)

    def _family_dynamics(self, h: Household, h_start: date, surname_rate: float) -> None:
        rng, w = self.rng, self.city.window
        years = len(w.years)
        parents = [p for p in h.members if p.role in (PARENT, CARER)]
        children = [p for p in h.members if p.role in (CHILD, YOUNG_ADULT)]
        window_start = max(w.start, h_start)
        stop = h.leave or w.end
        # step-parent joined during the window: lived alone before
        carer = next((p for p in parents if p.role == CARER), None)
        u_join, u_join_when = rng.random(), rng.random()
        if carer is not None and u_join < 0.3 and h.arrive is None:
            joined = window_start + timedelta(
                days=int(u_join_when * max(1, (stop - window_start).days - 1))
            )
            before = self.household(SINGLE)
            carer.spells[0] = (carer.spells[0][0], joined, before)
            before.members.append(carer)
            carer.spells.append((joined, h.leave, h))
            stepkids = [c for c in children if c.birth_surname != carer.surname]
            # always draw, so the population is the same whatever the surname-change rate
            u_change, u_form, u_when, u_legal = (
                rng.random(),
                rng.random(),
                rng.random(),
                rng.random(),
            )
            if stepkids and u_change < min(1.0, surname_rate * 6):
                new = carer.surname if u_form < 0.6 else f"{stepkids[0].surname}-{carer.surname}"
                when = joined + timedelta(days=30 + int(u_when * 200))
                for c in stepkids:
                    if when < stop:
                        c.surnames.append((when, new, u_legal < 0.4))
        # separation: one parent leaves for a home of their own
        u_sep, u_sep_when, u_revert = rng.random(), rng.random(), rng.random()
        couple = [p for p in parents if p.role == PARENT]
        if len(couple) == 2 and u_sep < 0.02 * years:
            when = window_start + timedelta(
                days=int(u_sep_when * max(1, (stop - window_start).days - 1))
            )
            leaver = couple[0] if rng.random() < 0.85 else couple[1]
            stayer = couple[1] if leaver is couple[0] else couple[0]
            self._move_out(leaver, h, when)
            if (
                stayer.sex == "F"
                and stayer.surname != stayer.birth_surname
                and u_revert < min(1.0, surname_rate * 10)
            ):
                stayer.surnames.append((when + timedelta(days=60), stayer.birth_surname, True))
        elif len(couple) == 2:
            man, woman = couple
            u_marry, u_marry_when = rng.random(), rng.random()
            if (
                woman.sex == "F"
                and woman.surname != man.surname
                and u_marry < min(1.0, surname_rate * 3)
            ):
                when = window_start + timedelta(
                    days=int(u_marry_when * max(1, (stop - window_start).days - 1))
                )
                woman.surnames.append((when, man.surname, True))
        # young adults leave home
        for c in children:
            adult_from = date(c.dob.year + 18, c.dob.month, min(c.dob.day, 28))
            u_leave, u_leave_when = rng.random(), rng.random()
            lo = max(window_start, adult_from)
            if lo < stop and u_leave < 0.12 * years:
                self._move_out(
                    c, h, lo + timedelta(days=int(u_leave_when * max(1, (stop - lo).days - 1)))
                )

    def _move_out(self, p: Person, h: Household, when: date) -> None:
        start, _, _ = p.spells[-1]
        if when <= start:
            return
        p.spells[-1] = (start, when, h)
        home = self.household(SINGLE)
        self.join(p, home, when)


def addresses_assign(city: City, rng: random.Random, h: Household, extra_moves: list[date]) -> None:
    """Give a household its addresses: one on forming or arriving, one per move.

    Families move house about once a decade on average (10% a year); ``extra_moves``
    are moves the needs demand, such as into temporary accommodation.
    """
    starts = [s for p in h.members for s, _, hh in p.spells if hh is h]
    ends = [e for p in h.members for _, e, hh in p.spells if hh is h]
    if not starts:
        return
    start = min(starts)
    stop = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    w = city.window
    lo = max(start, w.start)
    hi = stop or w.end
    moves = list(extra_moves)
    if hi > lo:
        for _ in range(poisson(rng, 0.10 * (hi - lo).days / 365.25)):
            moves.append(random_date(rng, lo + timedelta(days=1), hi - timedelta(days=1)))
    moves = sorted({m for m in moves if start < m < hi})
    bounds = [start, *moves]
    h.addresses = []
    for i, b in enumerate(bounds):
        to = bounds[i + 1] if i + 1 < len(bounds) else stop
        h.addresses.append((b, to, city.new_address()))
    h.practice = city.schools.practice(rng, h.addresses[0][2].district)
