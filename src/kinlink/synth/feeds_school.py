"""Rows of the school feeds: census, attendance and exclusions.

Schools hold a pupil's names as the admission form gave them (legal and preferred), so
the census is the cleanest source; a pupil arriving from elsewhere may first appear with
a temporary UPN, replaced at the next census (which then shows it as the former UPN).
"""

from __future__ import annotations

from datetime import date

from kinlink.synth._format import dmy, iso
from kinlink.synth.calendar import academic_age
from kinlink.synth.context import CITY_LA, City
from kinlink.synth.feeds import census_file, term_file, year_file
from kinlink.synth.models import Enrolment, Events, Person
from kinlink.synth.names import nickname_of
from kinlink.synth.noise import Noise
from kinlink.synth.school_life import temporary_upn
from kinlink.synth.writers import FeedSink

_SCHOOL = "school"
_FAR = date(9999, 12, 31)


class SchoolFeeds:
    """Writes one chunk's census, attendance and exclusion rows."""

    def __init__(self, city: City, sink: FeedSink, noise: Noise) -> None:
        self.city = city
        self.w = city.window
        self.sink = sink
        self.noise = noise
        self.temps: dict[str, tuple[str, date]] = {}  # person id -> (temporary UPN, shown until)

    def _temporary(self, p: Person) -> tuple[str, date] | None:
        """The temporary UPN a newly arrived pupil shows, and until when."""
        if not p.enrolments:
            return None
        arrival = p.spells[0][2].arrive
        first = p.enrolments[0]
        if arrival is None or first.start < arrival:
            return None
        if not self.noise.reg_flag(_SCHOOL, p, "temp", self.city.config.noise.temporary_upn):
            return None
        later = [d for _, d in self.w.census if d >= first.start]
        until = later[1] if len(later) > 1 else _FAR
        temp = self.noise.reg_value(
            _SCHOOL,
            p,
            "temp_upn",
            lambda: temporary_upn(
                CITY_LA, first.school.estab, first.start.year % 100, self.noise.rng
            ),
        )
        assert isinstance(temp, str)
        p.former_upn = temp
        return temp, until

    def _upn(self, p: Person, when: date, temp: tuple[str, date] | None) -> str:
        upn = temp[0] if temp is not None and when < temp[1] else p.upn or ""
        return self.noise.identifier(upn, "-", "upn", first=1)

    def person(self, p: Person) -> None:
        """Census rows for every census a pupil was on roll for (or left since the last)."""
        if not p.enrolments:
            return
        w = self.w
        temp = self._temporary(p)
        if temp is not None:
            self.temps[p.pid] = temp
        previous: date | None = None
        for year_index, census_date in w.census:
            year = w.years[year_index]
            for e in p.enrolments:
                if e.start > census_date:
                    continue
                on_roll = e.end is None or e.end >= census_date
                leaver = (
                    not on_roll and previous is not None and e.end is not None and previous < e.end
                )
                if on_roll:
                    self._census_row(p, census_date, year.start_year, e, temp, False)
                elif leaver and e.end is not None:
                    left_in = w.years[
                        w.year_of(e.end) or 0
                    ].start_year  # the year group they left from
                    self._census_row(p, census_date, left_in, e, temp, True)
            previous = census_date

    def _census_row(
        self,
        p: Person,
        cd: date,
        start_year: int,
        e: Enrolment,
        temp: tuple[str, date] | None,
        leaver: bool,
    ) -> None:
        noise, feed = self.noise, "school_census"
        when = e.end if leaver and e.end is not None else cd
        nc = academic_age(p.dob, start_year) - 4
        address = noise.address(p, when, feed) or p.address_at(e.start)
        household = p.household_at(when) or p.spells[-1][2]
        legal_forename = noise.reg_forename(_SCHOOL, p, nickname=False)
        preferred = noise.reg_value(
            _SCHOOL,
            p,
            "preferred",
            lambda: (
                (nickname_of(p.forename, noise.rng) if noise.gate(noise.c.nickname * 3) else None)
                or legal_forename
            ),
        )
        legal_surname = noise.reg_surname(_SCHOOL, p, cd, legal=True)
        if p.surname_at(cd) == p.surname_at(cd, legal=True):
            preferred_surname = legal_surname
        else:  # known by a step-parent's surname, not (yet) changed legally
            preferred_surname = noise.reg_surname(_SCHOOL + "_preferred", p, cd)
        former = temp[0] if temp is not None and cd >= temp[1] else ""
        uln = noise.identifier(p.uln, feed, "uln") if nc >= 10 else ""
        self.sink.row(
            census_file(cd),
            [
                iso(cd),
                e.school.urn,
                e.school.name,
                self._upn(p, cd, temp),
                former,
                uln,
                noise.space(legal_surname),
                noise.space(legal_forename),
                p.middle,
                preferred_surname,
                str(preferred),
                iso(noise.reg_dob(_SCHOOL, p)),
                p.sex,
                p.eth,
                "R" if nc == 0 else str(nc),
                iso(e.entry_date),
                iso(e.end) if leaver and e.end is not None else "",
                address.line1 if address else "",
                address.line2 if address else "",
                "Kinlink" if address else "",
                noise.postcode(address.postcode)
                if address and not noise.missing(feed, "postcode")
                else "",
                noise.identifier(address.uprn, feed, "uprn") if address else "",
                "T" if household.low_income else "F",
                p.sen,
                p.sen_need if p.sen != "N" else "",
            ],
            (("", p.pid),),
        )

    def events(self, events: Events) -> None:
        """Attendance and exclusion rows for the chunk (after every pupil's census rows)."""
        w, temps = self.w, self.temps
        for p, term_index, e, possible, authorised, unauthorised in events.attendance:
            t = w.terms[term_index]
            self.sink.row(
                term_file(w, term_index),
                [
                    self._upn(p, t.end, temps.get(p.pid)),
                    e.school.urn,
                    w.years[t.year_index].label,
                    t.code,
                    possible,
                    authorised,
                    unauthorised,
                    iso(t.as_of),
                ],
                (("", p.pid),),
            )
        oldest = 0 if len(w.years) > 1 else -1
        for x in events.exclusions:
            year_index = w.year_of(x.start)
            if year_index is None:
                continue
            category = "FIXD" if x.category == "SUSP" and year_index == oldest else x.category
            reasons = list(x.reasons) + [""] * (3 - len(x.reasons))
            self.sink.row(
                year_file("exclusions", w, year_index),
                [
                    self._upn(x.person, x.start, temps.get(x.person.pid)),
                    x.school.urn,
                    w.years[year_index].label,
                    category,
                    dmy(x.start),
                    "" if x.category == "PERM" else x.sessions,
                    *reasons,
                ],
                (("", x.person.pid),),
            )
