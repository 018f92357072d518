"""Rows of the service feeds: early help, social care, health, exploitation, NEET and
housing/benefits.

Episode feeds (early help, social care) are snapshots: each year's extract lists every
episode open at some time in that year, as it stood on the extract date, so a long
episode appears in several extracts and its end date appears only once it has ended.
"""

from __future__ import annotations

from datetime import date

from kinlink.synth._format import dmy, fmt, iso
from kinlink.synth.addresses import TOWN
from kinlink.synth.context import City
from kinlink.synth.feeds import FEEDS, snapshot_file, year_file
from kinlink.synth.models import Events, Person
from kinlink.synth.noise import Noise
from kinlink.synth.writers import FeedSink


class ServiceFeeds:
    """Writes one chunk's service-feed rows."""

    def __init__(self, city: City, sink: FeedSink, noise: Noise) -> None:
        self.city = city
        self.w = city.window
        self.sink = sink
        self.noise = noise

    def _snapshots(self, start: date, end: date | None) -> list[tuple[int, date]]:
        """(year index, extract date) of every yearly extract that lists an episode."""
        out = []
        for y in self.w.years:
            taken = self.w.extract_date(y.index)
            if start <= taken and (end is None or end >= y.start):
                out.append((y.index, taken))
        return out

    def _gender(self, feed: str, p: Person) -> str:
        male, female = FEEDS[feed].genders
        return male if p.sex == "M" else female

    def _dob(self, system: str, p: Person, style: str) -> str:
        return (
            "" if self.noise.missing(system, "dob") else fmt(self.noise.reg_dob(system, p), style)
        )

    def _names(self, system: str, p: Person, when: date) -> tuple[str, str]:
        forename = self.noise.reg_forename(system, p)
        surname = self.noise.reg_surname(system, p, when)
        if self.noise.swap():
            forename, surname = surname, forename
        return self.noise.space(forename), self.noise.space(surname)

    def _postcode(self, feed: str, p: Person, when: date) -> str:
        address = self.noise.address(p, when, feed) or (p.timeline[-1][2] if p.timeline else None)
        if address is None or self.noise.missing(feed, "postcode"):
            return ""
        return self.noise.postcode(address.postcode)

    def write(self, events: Events) -> None:
        self._early_help(events)
        self._social_care(events)
        self._health(events)
        self._exploitation(events)
        self._neet(events)
        self._housing(events)

    def _early_help(self, events: Events) -> None:
        noise, feed = self.noise, "early_help"
        for ep in events.early_help:
            for year_index, taken in self._snapshots(ep.start, ep.end):
                ended = ep.end is not None and ep.end <= taken
                as_of = ep.end if ended and ep.end is not None else taken
                file = snapshot_file(feed, self.w, year_index)
                for p, role in ep.members:
                    forename, surname = self._names(feed, p, as_of)
                    address = (
                        noise.address(p, as_of, feed) or p.address_at(ep.start) or p.timeline[-1][2]
                    )
                    self.sink.row(
                        file,
                        [
                            p.eh_id,
                            ep.household.eh_family_id,
                            role,
                            forename,
                            surname,
                            self._dob(feed, p, "dmy"),
                            self._gender(feed, p),
                            noise.space(address.one_line),
                            ""
                            if noise.missing(feed, "postcode")
                            else noise.postcode(address.postcode),
                            noise.identifier(address.uprn, feed, "uprn"),
                            ep.episode_id,
                            dmy(ep.start),
                            dmy(ep.end) if ended and ep.end is not None else "",
                            ep.reason,
                            ep.end_reason if ended else "",
                            ep.practitioner,
                            ep.team,
                        ],
                        (("", p.pid),),
                    )

    def _social_care(self, events: Events) -> None:
        noise, feed, c = self.noise, "social_care", self.city.config.noise
        for ep in events.social_care:
            p = ep.person
            for year_index, taken in self._snapshots(ep.start, ep.end):
                ended = ep.end is not None and ep.end <= taken
                as_of = ep.end if ended and ep.end is not None else taken
                style = "dmy" if noise.gate(c.date_format_mixed) else "iso"
                forename, surname = self._names(feed, p, as_of)
                self.sink.row(
                    snapshot_file(feed, self.w, year_index),
                    [
                        p.la_child_id,
                        forename,
                        surname,
                        fmt(noise.reg_dob(feed, p), style),
                        p.sex,
                        noise.nhs(p.nhs, feed),
                        noise.identifier(p.upn, feed, "upn", first=1) if p.enrolments else "",
                        self._postcode(feed, p, as_of),
                        ep.episode_type,
                        fmt(ep.start, style),
                        fmt(ep.end, style) if ended else "",
                        ep.cp_category,
                        ep.referral_source,
                        ep.factors,
                        ep.closure_reason if ended else "",
                    ],
                    (("", p.pid),),
                )

    def _health(self, events: Events) -> None:
        noise, feed = self.noise, "health"
        for flag in events.health:
            year_index = self.w.year_of(flag.when)
            if year_index is None:
                continue
            p = flag.person
            household = p.household_at(flag.when) or p.spells[-1][2]
            forename, surname = self._names(feed, p, flag.when)
            self.sink.row(
                year_file(feed, self.w, year_index),
                [
                    noise.nhs(p.nhs, feed),
                    forename,
                    surname,
                    iso(noise.reg_dob(feed, p)),
                    p.sex,
                    self._postcode(feed, p, flag.when),
                    household.practice.code if household.practice else "",
                    flag.flag,
                    iso(flag.when),
                ],
                (("", p.pid),),
            )

    def _exploitation(self, events: Events) -> None:
        for a in events.assessments:
            year_index = self.w.year_of(a.start)
            if year_index is None:
                continue
            self.sink.row(
                year_file("exploitation", self.w, year_index),
                [
                    a.system,
                    a.person.la_child_id,
                    dmy(a.start),
                    fmt(a.completed, "dmy"),
                    a.reason,
                    a.category,
                    a.risk,
                    a.indicators,
                ],
                (("", a.person.pid),),
            )

    def _neet(self, events: Events) -> None:
        feed = "neet"
        for status in events.neet:
            year_index = self.w.year_of(status.when)
            if year_index is None:
                continue
            p = status.person
            if p.ccis_id is None:
                p.ccis_id = "CC" + self.city.ids.seven("ccis")
            forename, surname = self._names(feed, p, status.when)
            self.sink.row(
                year_file(feed, self.w, year_index),
                [
                    p.ccis_id,
                    forename,
                    surname,
                    dmy(self.noise.reg_dob(feed, p)),
                    self._postcode(feed, p, status.when),
                    status.status,
                    dmy(status.when),
                ],
                (("", p.pid),),
            )

    def _housing(self, events: Events) -> None:
        noise, feed = self.noise, "housing_benefits"
        for flag in events.housing:
            year_index = self.w.year_of(flag.when)
            if year_index is None:
                continue
            members: list[str] = []
            slots = []
            for i, p in enumerate(flag.members, start=1):
                forename = noise.forename(p, "housing")
                surname = noise.name(p.surname_at(flag.when), "housing")
                if noise.swap():
                    forename, surname = surname, forename
                dob = "" if noise.missing(feed, "dob") else iso(noise.dob(p.dob))
                members += [noise.space(forename), noise.space(surname), dob]
                slots.append((f"member_{i}", p.pid))
            members += [""] * (18 - len(members))
            address = flag.address
            self.sink.row(
                year_file(feed, self.w, year_index),
                [
                    flag.household.housing_ref,
                    noise.identifier(address.uprn, feed, "uprn"),
                    f"{address.line1}, {TOWN}",
                    noise.postcode(address.postcode),
                    *members,
                    flag.flag,
                    iso(flag.when),
                ],
                slots,
            )
