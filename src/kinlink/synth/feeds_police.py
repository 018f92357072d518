"""Rows of the justice feeds: youth justice, arrests, intelligence and domestic abuse.

Custody and intelligence records are keyed afresh each time, so their names and dates of
birth vary from row to row (nicknames, typos, aliases); intelligence often has only a
year of birth. Youth justice keeps a case record per young person, so its errors repeat.
"""

from __future__ import annotations

from datetime import date

from kinlink.synth._format import dmy
from kinlink.synth.addresses import TOWN
from kinlink.synth.context import City
from kinlink.synth.feeds import year_file
from kinlink.synth.models import Events, Person
from kinlink.synth.names import nickname_of
from kinlink.synth.noise import Noise
from kinlink.synth.writers import FeedSink

_POLICE = "police"


class PoliceFeeds:
    """Writes one chunk's justice-feed rows."""

    def __init__(self, city: City, sink: FeedSink, noise: Noise) -> None:
        self.city = city
        self.w = city.window
        self.sink = sink
        self.noise = noise

    def _person(self, p: Person, when: date, feed: str) -> tuple[str, str, str]:
        """(forename, surname, dob) keyed afresh for one row."""
        noise = self.noise
        forename = noise.forename(p, _POLICE)
        surname = noise.name(p.surname_at(when), _POLICE)
        if noise.swap():
            forename, surname = surname, forename
        dob = "" if noise.missing(feed, "dob") else dmy(noise.dob(p.dob))
        return noise.space(forename), noise.space(surname), dob

    def write(self, events: Events) -> None:
        self._youth_justice(events)
        self._arrests(events)
        self._intelligence(events)
        self._domestic_abuse(events)

    def _youth_justice(self, events: Events) -> None:
        noise, feed = self.noise, "youth_justice"
        for o in events.offences:
            year_index = self.w.year_of(o.when)
            if year_index is None:
                continue
            p = o.person
            if p.yjs_id is None:
                p.yjs_id = "YJ" + self.city.ids.six("yjs")
            forename = noise.reg_forename(feed, p)
            surname = noise.reg_surname(feed, p, o.when)
            address = noise.address(p, o.when, feed)
            postcode = (
                ""
                if address is None or noise.missing(feed, "postcode")
                else noise.postcode(address.postcode)
            )
            self.sink.row(
                year_file(feed, self.w, year_index),
                [
                    p.yjs_id,
                    noise.space(forename),
                    noise.space(surname),
                    dmy(noise.reg_dob(feed, p)),
                    "Male" if p.sex == "M" else "Female",
                    postcode,
                    dmy(o.when),
                    o.category,
                    o.outcome,
                    o.gravity,
                ],
                (("", p.pid),),
            )

    def _aliases(self, p: Person, when: date) -> str:
        """Other names the person has given, now and then ("Bobby Smith; Rob Smyth")."""
        noise = self.noise
        if not noise.gate(noise.c.nickname):
            return ""
        surname = p.surname_at(when)
        names = []
        for _ in range(1 + noise.gate(0.4)):
            forename = nickname_of(p.forename, noise.rng) or noise.typo(p.forename)
            names.append(f"{forename} {noise.typo(surname) if noise.gate(0.5) else surname}")
        if p.birth_surname != surname and noise.gate(0.5):
            names.append(f"{p.forename} {p.birth_surname}")
        return "; ".join(dict.fromkeys(names))

    def _arrests(self, events: Events) -> None:
        noise, feed = self.noise, "police_arrests"
        for a in events.arrests:
            year_index = self.w.year_of(a.when)
            if year_index is None:
                continue
            p = a.person
            forename, surname, dob = self._person(p, a.when, feed)
            address = noise.address(p, a.when, feed)
            text = (
                f"{address.line1}, {TOWN} {noise.postcode(address.postcode)}"
                if address
                else "No fixed abode"
            )
            ref = f"CU{a.when.year % 100:02d}" + self.city.ids.six(f"custody{a.when.year}")
            self.sink.row(
                year_file(feed, self.w, year_index),
                [
                    ref,
                    forename,
                    surname,
                    self._aliases(p, a.when),
                    dob,
                    p.sex,
                    noise.space(text),
                    dmy(a.when),
                    a.offence,
                    "Y" if a.domestic else "N",
                    a.outcome,
                ],
                (("", p.pid),),
            )

    def _intelligence(self, events: Events) -> None:
        noise, feed = self.noise, "police_intelligence"
        for log in events.intel:
            year_index = self.w.year_of(log.when)
            if year_index is None:
                continue
            p = log.person
            forename, surname, dob = self._person(p, log.when, feed)
            if dob and noise.gate(noise.c.dob_year_only):
                dob = str(p.dob.year)
            self.sink.row(
                year_file(feed, self.w, year_index),
                [
                    "IN" + self.city.ids.seven("intel"),
                    forename,
                    surname,
                    dob,
                    dmy(log.when),
                    log.category,
                    log.grading,
                    log.summary,
                ],
                (("", p.pid),),
            )

    def _domestic_abuse(self, events: Events) -> None:
        noise, feed = self.noise, "domestic_abuse"
        for incident in events.domestic_abuse:
            year_index = self.w.year_of(incident.when)
            if year_index is None:
                continue
            when = incident.when
            slots = [("victim", incident.victim.pid)]
            victim = self._person(incident.victim, when, feed)
            if incident.perpetrator is not None:
                perpetrator = self._person(incident.perpetrator, when, feed)
                slots.append(("perpetrator", incident.perpetrator.pid))
            else:
                perpetrator = ("", "", "")
            children: list[str] = []
            for i, child in enumerate(incident.children, start=1):
                forename, surname, dob = self._person(child, when, feed)
                if dob and noise.missing(feed, "child_dob"):
                    dob = ""
                children += [forename, surname, dob]
                slots.append((f"child_{i}", child.pid))
            children += [""] * (12 - len(children))
            address = incident.address
            self.sink.row(
                year_file(feed, self.w, year_index),
                [
                    f"DA{when.year % 100:02d}-" + self.city.ids.six(f"incident{when.year}"),
                    dmy(when),
                    noise.space(f"{address.line1}, {TOWN}"),
                    "" if noise.missing(feed, "postcode") else noise.postcode(address.postcode),
                    noise.identifier(address.uprn, feed, "uprn"),
                    *victim,
                    *perpetrator,
                    *children,
                    incident.dash,
                ],
                slots,
            )
