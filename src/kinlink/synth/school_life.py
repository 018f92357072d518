"""A child's school story: identifiers and which school's roll they are on, term by term.

Children start Reception in the September after they turn four, move to secondary at
eleven, change school after a move across the city (or now and then for no recorded
reason), leave the roll after a permanent exclusion (for the pupil referral unit or
another school) and, after 16, follow their post-16 path. Attendance, exclusions and
post-16 tracking are generated from these rolls (``school_events``, ``post16``).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from kinlink.identity import UPN_ALPHABET, upn_check_letter
from kinlink.synth.calendar import Term, academic_age
from kinlink.synth.context import CITY_LA, OTHER_LAS, City
from kinlink.synth.models import Enrolment, Events, Household, Person
from kinlink.synth.post16 import SCHOOL6, Post16
from kinlink.synth.school_events import Planned, SchoolEvents
from kinlink.synth.schools import COLLEGE, PRIMARY, PRU, SECONDARY, School


def temporary_upn(la: int, estab: int, year2: int, rng: random.Random) -> str:
    """A temporary UPN: the permanent layout with a letter in place of the last digit."""
    body = f"{la:03d}{estab:04d}{year2:02d}{int(rng.random() * 100):02d}"
    body += UPN_ALPHABET[int(rng.random() * len(UPN_ALPHABET))]
    return upn_check_letter(body) + body


def reception_year(dob: date) -> int:
    """The September a child starts Reception."""
    return dob.year + 4 if dob.month < 9 else dob.year + 5


class SchoolLife:
    """Generates identifiers and enrolments, then the events that follow from them."""

    def __init__(self, city: City, rng: random.Random, events: Events) -> None:
        self.city = city
        self.w = city.window
        self.rng = rng
        self.events = events
        self.last_year = self.w.years[-1].start_year
        self.school_events = SchoolEvents(self.w, rng, events)
        self.post16 = Post16(self.w, rng, events)

    # -- identifiers --------------------------------------------------------------------
    def identifiers(self, p: Person, h: Household) -> None:
        """UPN (issued when a child starts school) and ULN (from age 14) for anyone who
        reached those ages and is young enough to have had them."""
        end = self.w.end
        if end.year - p.dob.year > 26:
            return
        start_year = reception_year(p.dob)
        if start_year > self.last_year:
            return
        rng, schools, ids = self.rng, self.city.schools, self.city.ids
        district = p.timeline[0][2].district if p.timeline else 0
        arrive = h.arrive
        if arrive is not None and arrive.year >= start_year and rng.random() < 0.5:
            # arrived from abroad: a city school issues the UPN on arrival
            phase = PRIMARY if academic_age(p.dob, arrive.year) <= 10 else SECONDARY
            p.upn_la = CITY_LA
            p.upn = ids.upn(CITY_LA, schools.choose(rng, phase, district).estab, arrive.year % 100)
        elif (arrive is not None and arrive.year >= start_year) or rng.random() < 0.06:
            p.upn_la = OTHER_LAS[int(rng.random() * len(OTHER_LAS))]
            p.upn = ids.upn(p.upn_la, 2000 + int(rng.random() * 1500), start_year % 100)
        else:
            p.upn_la = CITY_LA
            p.upn = ids.upn(CITY_LA, schools.choose(rng, PRIMARY, district).estab, start_year % 100)
        if academic_age(p.dob, self.last_year) >= 14:
            p.uln = self.city.ids.uln(p.num)

    # -- the school story ---------------------------------------------------------------
    def child(self, p: Person, h: Household, planned: Planned, family_needs: bool) -> None:
        """Everything school-shaped for one person (a no-op for adults and infants)."""
        if p.upn is None or not p.timeline:
            return
        w = self.w
        city_from = p.timeline[0][0]
        city_to = p.timeline[-1][1]  # None: still in the city
        school_events = self.school_events
        perms = school_events.permanent_dates(p, planned)
        self.post16.paths(p, planned)
        cur: Enrolment | None = None
        prev_term: Term | None = None
        excluded_from: School | None = None
        for t in w.terms:
            y = w.years[t.year_index]
            nc = academic_age(p.dob, y.start_year) - 4
            first_day = max(t.start, city_from)
            last_day = t.end if city_to is None else min(t.end, city_to - timedelta(days=1))
            if nc < 0 or nc > 13 or first_day > last_day:
                self._close(cur, prev_term, city_to)
                cur, prev_term = None, t
                continue
            address = p.address_at(first_day)
            want = self._want(
                p, cur, nc, y.index, address.district if address else 0, excluded_from
            )
            excluded_from = None
            if want is None:
                self._close(cur, prev_term, city_to)
                cur = None
            elif cur is None or want is not cur.school:
                self._close(cur, prev_term, city_to)
                entry = first_day
                if t.index == 0 and first_day == t.start:
                    entered = y.start_year - (nc if nc <= 6 else nc - 7 if nc <= 11 else nc - 12)
                    entry = max(date(entered, 9, 4), city_from)
                cur = Enrolment(want, first_day, None, entry)
                p.enrolments.append(cur)
            # a permanent exclusion in this term ends the enrolment there
            for when in perms:
                if cur is not None and first_day <= when <= last_day and cur.school.phase != PRU:
                    school_events.exclusion(p, cur, "PERM", when)
                    cur.end = when
                    excluded_from, cur = cur.school, None
            if city_to is not None and city_to <= t.end and cur is not None:
                cur.end = city_to - timedelta(days=1)
                cur = None
            prev_term = t
        school_events.attendance(p, planned, family_needs)
        school_events.suspensions(p, planned)
        self.post16.statuses(p)

    @staticmethod
    def _close(cur: Enrolment | None, prev: Term | None, city_to: date | None) -> None:
        """End an open enrolment at the end of the last term the child was on roll."""
        if cur is None or cur.end is not None:
            return
        cur.end = prev.end if prev is not None else cur.start
        if city_to is not None and city_to - timedelta(days=1) < cur.end:
            cur.end = max(cur.start, city_to - timedelta(days=1))

    def _want(
        self,
        p: Person,
        cur: Enrolment | None,
        nc: int,
        year_index: int,
        district: int,
        excluded_from: School | None,
    ) -> School | None:
        """The school a child should be on roll at this term (None: off roll)."""
        rng, schools = self.rng, self.city.schools
        current = cur.school if cur is not None and cur.end is None else None
        avoid = excluded_from
        if current is not None:
            far = abs(current.district - district) > 3
            if (far and rng.random() < 0.6) or rng.random() < 0.007:
                avoid = current
        if nc <= 11:
            phase = PRIMARY if nc <= 6 else SECONDARY
            if current is not None and avoid is None:
                if current.phase == phase or (current.phase == PRU and rng.random() < 0.6):
                    return current
            if excluded_from is not None and phase == SECONDARY and rng.random() < 0.5:
                return schools.pru
            choice = schools.choose(rng, phase, district)
            for _ in range(3):
                if choice is not avoid:
                    break
                choice = schools.choose(rng, phase, district)
            return choice
        path = p.post16.get(year_index)
        if path == SCHOOL6:
            if current is not None and current.sixth_form and avoid is None:
                return current
            return schools.sixth_form_near(district)
        if path == COLLEGE:
            return schools.college
        return None
