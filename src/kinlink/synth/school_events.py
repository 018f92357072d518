"""Attendance and exclusions: what schools report about a pupil term by term.

Absence follows the national shape: most pupils miss a few percent of sessions, the
distribution has a long tail, secondary pupils miss more, and about one pupil in six is
persistently absent (10% or more) whatever the plan says. Suspensions concentrate on a
few pupils with behaviour difficulties. A child planned to have an attendance or
exclusion need gets the events that make it true; the truth counts background events too.
"""

from __future__ import annotations

import math
import random
from datetime import date

from kinlink.synth._rng import Weighted, poisson, random_date, years_between
from kinlink.synth.calendar import Window, academic_age
from kinlink.synth.models import Enrolment, Events, Exclusion, Person
from kinlink.synth.needs import EDU_ATTENDANCE, EDU_EXCLUSION
from kinlink.synth.schools import COLLEGE

_SUSP_SESSIONS = Weighted([(1, 20), (2, 35), (3, 10), (4, 15), (6, 10), (10, 10)])
_REASONS = Weighted(
    [("PD", 30), ("VA", 12), ("PP", 12), ("VP", 8), ("PA", 5), ("BU", 4), ("DA", 5), ("DM", 4),
     ("TH", 3), ("OW", 3), ("BW", 2), ("MT", 4), ("RA", 2), ("SM", 2), ("LG", 1), ("OT", 3)]
)  # fmt: skip

Planned = dict[str, tuple[date, date]]  # need -> (onset, until) for one person


class SchoolEvents:
    """Attendance rows and exclusions for one pupil at a time."""

    def __init__(self, window: Window, rng: random.Random, events: Events) -> None:
        self.w = window
        self.rng = rng
        self.events = events

    def attendance(self, p: Person, planned: Planned, family_needs: bool) -> None:
        """Sessions possible and missed, per term and school."""
        rng, w = self.rng, self.w
        plan = planned.get(EDU_ATTENDANCE)
        year_rate: dict[int, float] = {}
        for t in w.terms:
            y = w.years[t.year_index]
            nc = academic_age(p.dob, y.start_year) - 4
            if not 0 <= nc <= 11:
                continue
            rate = year_rate.get(y.index)
            if rate is None:
                mu = math.log(0.032 if nc <= 6 else 0.046) + (0.15 if family_needs else 0.0)
                rate = math.exp(mu + 0.75 * p.absence_z + 0.45 * rng.gauss(0, 1))
                if plan is not None and plan[0] <= y.end and plan[1] >= y.start:
                    rate = max(rate, 0.12 + 0.28 * rng.random())
                year_rate[y.index] = rate
            term_days = (t.end - t.start).days + 1
            for e in p.enrolments:
                if e.school.phase == COLLEGE:
                    continue
                lo = max(e.start, t.start)
                hi = t.end if e.end is None else min(e.end, t.end)
                if hi < lo:
                    continue
                possible = round(t.sessions * ((hi - lo).days + 1) / term_days)
                if possible <= 0:
                    continue
                term_rate = min(0.95, rate * math.exp(rng.gauss(0, 0.25)))
                absent = min(possible, round(possible * term_rate))
                unauth_share = min(0.85, 0.2 + 1.5 * term_rate)
                unauthorised = round(absent * unauth_share)
                self.events.attendance.append(
                    (p, t.index, e, possible, absent - unauthorised, unauthorised)
                )

    def permanent_dates(self, p: Person, planned: Planned) -> list[date]:
        """Dates of permanent exclusions (rare, or planned); the roll ends there."""
        rng, w = self.rng, self.w
        out: list[date] = []
        plan = planned.get(EDU_EXCLUSION)
        u_plan = rng.random()
        for y in w.years:
            nc = academic_age(p.dob, y.start_year) - 4
            if not 1 <= nc <= 11:
                continue
            base = (0.0015 if nc >= 7 else 0.0002) * math.exp(p.behaviour_z)
            if rng.random() < base:
                out.append(self._school_day(y.index))
        if plan is not None and u_plan < 0.12:
            when = self._school_day_between(max(plan[0], self.w.start), plan[1])
            if when is not None:
                out.append(when)
        return sorted(out)

    def _school_day(self, year_index: int) -> date:
        terms = [t for t in self.w.terms if t.year_index == year_index]
        t = terms[int(self.rng.random() * len(terms))]
        return random_date(self.rng, t.start, t.end)

    def _school_day_between(self, lo: date, hi: date) -> date | None:
        terms = [t for t in self.w.terms if t.end >= lo and t.start <= hi]
        if not terms:
            return None
        t = terms[int(self.rng.random() * len(terms))]
        return random_date(self.rng, max(lo, t.start), min(hi, t.end))

    def suspensions(self, p: Person, planned: Planned) -> None:
        rng, w = self.rng, self.w
        plan = planned.get(EDU_EXCLUSION)
        dates: list[tuple[str, date]] = []
        for y in w.years:
            nc = academic_age(p.dob, y.start_year) - 4
            if not 1 <= nc <= 11:
                continue
            scale = math.exp(1.1 * p.behaviour_z - 0.6)
            for _ in range(poisson(rng, (0.07 if nc >= 7 else 0.012) * scale)):
                dates.append(("SUSP", self._school_day(y.index)))
            for _ in range(poisson(rng, (0.02 if nc >= 7 else 0.004) * scale)):
                dates.append(("LNCH", self._school_day(y.index)))
        if plan is not None:  # about four a year while the need lasts
            lo, hi = max(plan[0], w.start), plan[1]
            for _ in range(poisson(rng, 4.0 * years_between(lo, hi))):
                when = self._school_day_between(lo, hi)
                if when is not None:
                    dates.append(("SUSP", when))
        for category, when in sorted(set(dates), key=lambda d: (d[1], d[0])):
            for e in p.enrolments:
                if (
                    e.start <= when
                    and (e.end is None or when <= e.end)
                    and e.school.phase != COLLEGE
                ):
                    self.exclusion(p, e, category, when)
                    break

    def exclusion(self, p: Person, e: Enrolment, category: str, when: date) -> None:
        rng = self.rng
        if category == "PERM":
            sessions = 0
        elif category == "LNCH":
            sessions = 1
        else:
            sessions = _SUSP_SESSIONS.pick(rng)
        n_reasons = 1 if rng.random() < 0.7 else (2 if rng.random() < 0.7 else 3)
        reasons: list[str] = []
        for _ in range(n_reasons):
            r = _REASONS.pick(rng)
            if r not in reasons:
                reasons.append(r)
        self.events.exclusions.append(
            Exclusion(p, e.school, category, when, sessions, tuple(reasons))
        )
