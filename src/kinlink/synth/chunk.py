"""One chunk of households from composition to written rows, in dependency order.

Population, then the needs plan, then addresses, then events stage by stage (school,
health, housing, justice, social care, exploitation, early help, young-adult domestic
abuse), then the feeds through the noise layer, then the truth. Three random streams per
chunk keep the stages independent: population, events and noise.
"""

from __future__ import annotations

import random
from datetime import date

from kinlink.synth._rng import stream
from kinlink.synth.calendar import age_on
from kinlink.synth.care_events import CareEvents
from kinlink.synth.context import City
from kinlink.synth.exploitation import Exploitation
from kinlink.synth.feeds_police import PoliceFeeds
from kinlink.synth.feeds_school import SchoolFeeds
from kinlink.synth.feeds_services import ServiceFeeds
from kinlink.synth.health_events import HealthEvents
from kinlink.synth.housing_events import HousingEvents, temporary_move
from kinlink.synth.justice_events import JusticeEvents
from kinlink.synth.models import Events, Household, Person
from kinlink.synth.needs import NeedPlanner
from kinlink.synth.noise import Noise
from kinlink.synth.population import SINGLE, PopulationBuilder, addresses_assign
from kinlink.synth.risk import dv_candidates, dv_draw, factor_dates
from kinlink.synth.school_life import SchoolLife
from kinlink.synth.truth import TruthWriter
from kinlink.synth.writers import FeedSink


class Chunk:
    """The households of one chunk and everything that happens to them."""

    def __init__(self, city: City, index: int) -> None:
        seed = city.config.seed
        self.city = city
        self.w = city.window
        self.pop_rng = stream(seed, "population", index)
        self.rng = stream(seed, "events", index)
        self.noise_rng = stream(seed, "noise", index)
        self.events = Events()
        self.builder = PopulationBuilder(city, self.pop_rng)
        self.mains: list[Household] = []
        self.temporary: dict[int, date] = {}  # household number -> move into temporary housing
        self.exploited: dict[str, date] = {}

    @property
    def people(self) -> list[Person]:
        return self.builder.people

    def populate(self, n_households: int) -> None:
        """Households, their changes, their needs plan and their addresses."""
        builder, rng = self.builder, self.pop_rng
        self.mains = [builder.build() for _ in range(n_households)]
        for h in self.mains:
            builder.dynamics(h)
        planner = NeedPlanner(self.w, rng)
        for h in self.mains:
            planner.plan(h)
            for need in h.plan:
                when = temporary_move(rng, need, self.w.start)
                if when is not None:
                    self.temporary[h.num] = when
        for h in builder.households:
            addresses_assign(
                self.city, rng, h, [self.temporary[h.num]] if h.num in self.temporary else []
            )
        for p in builder.people:
            p.timeline_build()

    def school(self) -> None:
        school = SchoolLife(self.city, self.rng, self.events)
        planned: dict[str, dict[str, tuple[date, date]]] = {}
        for h in self.mains:
            for need in h.plan:
                if need.person is not None:
                    planned.setdefault(need.person.pid, {})[need.need] = (need.onset, need.until)
        for p in self.people:
            home = p.home or p.spells[0][2]
            school.identifiers(p, home)
            school.child(p, home, planned.get(p.pid, {}), bool(home.plan))

    def services(self) -> None:
        """Health, housing, justice and social care events (background and planned)."""
        rng, events = self.rng, self.events
        health = HealthEvents(self.city, rng, events)
        for p in self.people:
            health.background(p, bool(p.home and p.home.plan))
        for h in self.mains:
            health.perinatal(h)
            for need in h.plan:
                health.planned(need)
        housing = HousingEvents(self.city, rng, events)
        for h in self.builder.households:
            housing.household(h, self.temporary.get(h.num))
        justice = self._justice()
        for p in self.people:
            justice.background(p)
        for h in self.mains:
            for need in h.plan:
                justice.planned_crime(need)
                justice.planned_da(h, need)
            justice.background_da(h)
        care = CareEvents(self.city, rng, events)
        for h in self.mains:
            for need in h.plan:
                care.planned(h, need)
            if not h.plan:
                care.background(h)

    def _justice(self) -> JusticeEvents:
        partners = [p for h in self.mains if h.htype == SINGLE for p in h.members]
        return JusticeEvents(self.city, self.rng, self.events, partners)

    def outcomes(self) -> None:
        """Stages that depend on earlier events: exploitation, early help, and young
        adults' domestic abuse drawn from their childhood risk factors."""
        rng, events, w = self.rng, self.events, self.w
        care = CareEvents(self.city, rng, events)
        justice = self._justice()
        dates = factor_dates(events, w)
        excluded = {x.person.pid for x in events.exclusions if x.category != "LNCH"}
        intel = {i.person.pid for i in events.intel}
        exploitation = Exploitation(self.city, rng, events, care, justice)
        for p in self.people:
            exploitation.child(p, dates, excluded, intel)
        self.exploited = exploitation.labels
        for h in self.mains:
            care.early_help(h)
        dates = factor_dates(events, w)
        for p in dv_candidates(self.people, w):
            when = dv_draw(rng, p, dates, w)
            if when is not None:
                victim = self._victim(rng, p, when)
                if victim is None:
                    justice.arrest(p, when, domestic=True)
                else:
                    justice.incident(when, victim, p, serious=True, arrest_p=1.0)

    def _victim(self, rng: random.Random, p: Person, when: date) -> Person | None:
        """A partner living elsewhere (most often) or someone at home."""
        if rng.random() < 0.6:
            pool = [
                q
                for q in self.people
                if q.sex != p.sex
                and 18 <= age_on(q.dob, when) <= 30
                and q.address_at(when) is not None
            ]
            if pool:
                return pool[int(rng.random() * len(pool))]
        home = p.household_at(when)
        family = (
            [q for q in home.members_at(when) if q is not p and age_on(q.dob, when) >= 16]
            if home
            else []
        )
        return family[int(rng.random() * len(family))] if family else None

    def write(self, sink: FeedSink, truth: TruthWriter) -> None:
        """Every feed row (through the noise layer) and then the truth."""
        noise = Noise(self.city.config.noise, self.noise_rng)
        sink.rng = self.noise_rng
        school = SchoolFeeds(self.city, sink, noise)
        for p in self.people:
            school.person(p)
        school.events(self.events)
        ServiceFeeds(self.city, sink, noise).write(self.events)
        PoliceFeeds(self.city, sink, noise).write(self.events)
        truth.chunk(self.people, self.builder.households, self.events, self.exploited)


def chunk_generate(
    city: City, index: int, n_households: int, sink: FeedSink, truth: TruthWriter
) -> None:
    """Generate, write and forget ``n_households`` households (chunk number ``index``)."""
    chunk = Chunk(city, index)
    chunk.populate(n_households)
    chunk.school()
    chunk.services()
    chunk.outcomes()
    chunk.write(sink, truth)
