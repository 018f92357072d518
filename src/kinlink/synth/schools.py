"""The city's schools and GP practices, sized to its population and spread over districts.

Roughly one primary per 300 pupils and one secondary per 1,000, as in an English city,
plus a sixth form college and a pupil referral unit. Children go to a school near home
(by district), which is why a move across the city often means a change of school.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from kinlink.synth._rng import Weighted, stream
from kinlink.synth.addresses import LOCALITIES, N_DISTRICTS, district_at, district_distance

PRIMARY, SECONDARY, COLLEGE, PRU = "PRIMARY", "SECONDARY", "COLLEGE", "PRU"

_SAINTS = """Anne Anthony Bede Brigid Catherine Cecilia Clare Francis Gregory Hilda
Joseph Jude Margaret Mark Mary Michael Monica Patrick Paul Peter Teresa Vincent""".split()


@dataclass(frozen=True, slots=True)
class School:
    """A school as the census names it: URN, LA establishment number, phase and place."""

    urn: str
    estab: int
    name: str
    phase: str
    district: int
    sixth_form: bool = False


@dataclass(frozen=True, slots=True)
class Practice:
    """A GP practice: where a person's health record is held."""

    code: str
    district: int


def _name(rng: random.Random, phase: str, district: int) -> str:
    place = LOCALITIES[district]
    saint = _SAINTS[int(rng.random() * len(_SAINTS))]
    forms: tuple[str, ...]
    if phase == PRIMARY:
        forms = (
            f"{place} Primary School",
            f"{place} Community Primary School",
            f"St {saint}'s Catholic Primary School",
            f"{place} CE Primary School",
            f"{place} Infant and Junior School",
        )
    else:
        forms = (
            f"{place} Academy",
            f"{place} High School",
            f"St {saint}'s Catholic High School",
            f"{place} School",
        )
    return forms[int(rng.random() * len(forms))]


class Schools:
    """All schools, and a by-district choice of school for each phase."""

    def __init__(self, seed: int, people: int) -> None:
        rng = stream(seed, "schools")
        n_primary = max(1, round(people * 0.08 / 300))
        n_secondary = max(1, round(people * 0.058 / 1000))
        urns = rng.sample(range(100_000, 150_000), n_primary + n_secondary + 2)
        self.all: list[School] = []
        used: set[str] = set()

        def add(phase: str, estab: int, district: int, name: str, sixth: bool = False) -> None:
            while name in used:  # two schools of the same name in one LA would confuse
                name = (
                    name.replace(" School", " Park School", 1)
                    if " School" in name
                    else name + " II"
                )
            used.add(name)
            urn = str(urns[len(self.all)])
            self.all.append(School(urn, estab, name, phase, district, sixth))

        for i in range(n_primary):
            district = district_at((i + 0.5) / n_primary)  # schools follow the population
            add(PRIMARY, 2000 + i * 7 % 1999, district, _name(rng, PRIMARY, district))
        for i in range(n_secondary):
            district = district_at((i + 0.5) / n_secondary)
            sixth = i % 5 < 3
            add(SECONDARY, 4000 + i * 3, district, _name(rng, SECONDARY, district), sixth)
        add(COLLEGE, 4900, N_DISTRICTS // 2, "Kinlink Sixth Form College")
        add(PRU, 1100, 2, "Kinlink Pupil Referral Unit")
        self.college = self.all[-2]
        self.pru = self.all[-1]
        self._choice: dict[tuple[str, int], Weighted[School]] = {}
        for phase in (PRIMARY, SECONDARY):
            pool = [s for s in self.all if s.phase == phase]
            for district in range(N_DISTRICTS):
                weights = [
                    (s, 1.0 / (1 + district_distance(s.district, district)) ** 3) for s in pool
                ]
                self._choice[(phase, district)] = Weighted(weights)
        sixth_forms = [s for s in self.all if s.sixth_form]
        self._sixth = {d: self._nearest(sixth_forms, d) for d in range(N_DISTRICTS)}
        n_practices = max(2, people // 7000)
        self.practices = [
            Practice(f"N99{100 + i:03d}", district_at((i + 0.5) / n_practices))
            for i in range(n_practices)
        ]
        self._practice = {
            d: Weighted(
                [(p, 1.0 / (1 + district_distance(p.district, d)) ** 3) for p in self.practices]
            )
            for d in range(N_DISTRICTS)
        }

    def _nearest(self, schools: list[School], district: int) -> School:
        if not schools:
            return self.college
        return min(schools, key=lambda s: district_distance(s.district, district))

    def choose(self, rng: random.Random, phase: str, district: int) -> School:
        """A school of ``phase`` for a child living in ``district``."""
        return self._choice[(phase, district)].pick(rng)

    def sixth_form_near(self, district: int) -> School:
        """The nearest school sixth form (or the college when none has one)."""
        return self._sixth[district]

    def practice(self, rng: random.Random, district: int) -> Practice:
        """A GP practice for a household in ``district``."""
        return self._practice[district].pick(rng)
