"""The ground truth files (people, families, needs, households, residence), chunk by chunk.

Everything here is what really happened in the simulation, never what a feed says:
true names and dates of birth, permanent identifiers, every address with its dates, the
needs derived from the events and the needs the generator planned.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

from kinlink.synth._format import iso
from kinlink.synth.calendar import Window, age_on
from kinlink.synth.derive import Evidence, derive, dv_labels
from kinlink.synth.models import CARER, CHILD, PARENT, YOUNG_ADULT, Events, Household, Person
from kinlink.synth.needs import HEADLINE, PERSON_LEVEL
from kinlink.synth.population import SHARED
from kinlink.synth.risk import FACTORS, factor_dates, factors_before

PEOPLE_COLUMNS = (
    "person_id", "forename", "middle_names", "surname", "birth_surname", "dob", "sex", "ethnicity",
    "household_id", "family_id", "family_role", "twin_of", "upn", "former_upn", "nhs_number",
    "uln", "la_child_id", "eh_person_id", "yjs_id", "ccis_id", "in_city_at_end", *FACTORS,
    "dv_perpetrator_label", "dv_label_date", "exploitation_label", "exploitation_label_date",
)  # fmt: skip
FAMILY_COLUMNS = (
    "family_id", "household_id", "household_type", "members", "dependent_children",
    "in_city_at_end", "planned_needs", "derived_needs", "n_needs", "n_headline_outcomes",
    "eligible_3_needs", "eligible_3_headlines",
)  # fmt: skip
NEED_COLUMNS = (
    "family_id", "person_id", "need", "headline_outcome", "evidence_feed", "first_date",
    "last_date", "planned", "derived", "planned_from", "planned_to",
)  # fmt: skip
HOUSEHOLD_COLUMNS = (
    "household_id", "household_type", "formed", "left_city", "arrived_in_window",
    "current_uprn", "members_at_end", "workless", "low_income",
)  # fmt: skip
RESIDENCE_COLUMNS = (
    "person_id", "household_id", "uprn", "address_line1", "postcode", "from_date", "to_date",
)  # fmt: skip


class _Rows(Protocol):
    def writerow(self, row: Iterable[Any]) -> Any: ...


def _bool(value: bool) -> str:
    return "true" if value else "false"


@dataclass
class _NeedRow:
    evidence: Evidence | None = None
    planned: tuple[date, date] | None = None


def family_id_of_household(h: Household) -> str:
    return "F" + h.hid[1:]


def family_id(p: Person) -> str:
    """A person's family at the end of the window: their last household, except that each
    resident of a shared house is a family of their own."""
    h = p.last_household
    if h.htype == SHARED:
        return f"{family_id_of_household(h)}-{h.members.index(p) + 1}"
    return family_id_of_household(h)


def role_at_end(p: Person, end: date) -> str:
    """The truth's family role: the composed role while the person still lives in the
    household they were composed in, otherwise an adult of their own household."""
    if p.home is p.last_household:
        if p.role == CHILD and age_on(p.dob, end) >= 18:
            return YOUNG_ADULT
        return p.role
    if p.role in (PARENT, CARER):
        return "OTHER_ADULT"
    return YOUNG_ADULT if age_on(p.dob, end) <= 25 else "OTHER_ADULT"


def residence_spells(p: Person) -> Iterable[tuple[Household, date, date | None, Any]]:
    """(household, from, to, address) for every address a person lived at."""
    for start, stop, h in p.spells:
        for a_start, a_end, address in h.addresses:
            lo = max(start, a_start)
            ends = [d for d in (stop, a_end) if d is not None]
            hi = min(ends) if ends else None
            if hi is None or hi > lo:
                yield h, lo, hi, address


class TruthWriter:
    """Open truth files; ``chunk`` appends one chunk's people, families and needs."""

    def __init__(self, truth_dir: Path, window: Window) -> None:
        self.w = window
        self._handles: list[IO[str]] = []
        self.people = self._open(truth_dir / "people.csv", PEOPLE_COLUMNS)
        self.families = self._open(truth_dir / "families.csv", FAMILY_COLUMNS)
        self.needs = self._open(truth_dir / "needs.csv", NEED_COLUMNS)
        self.households = self._open(truth_dir / "households.csv", HOUSEHOLD_COLUMNS)
        self.residence = self._open(truth_dir / "residence.csv", RESIDENCE_COLUMNS)
        self.counts = {
            "people": 0,
            "families": 0,
            "families_with_children": 0,
            "eligible_3_needs": 0,
        }
        self.twins = 0

    def _open(self, path: Path, header: tuple[str, ...]) -> _Rows:
        handle = path.open("w", encoding="utf-8", newline="")
        self._handles.append(handle)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        return writer

    def close(self) -> None:
        for handle in self._handles:
            handle.close()

    def chunk(
        self,
        people: list[Person],
        households: list[Household],
        events: Events,
        exploited: dict[str, date],
    ) -> None:
        """Write one chunk's truth."""
        family_of = {p.pid: family_id(p) for p in people}
        self._people(people, events, exploited, family_of)
        derived, planned = self._needs(households, events, family_of)
        self._families(people, family_of, derived, planned)
        self._households(households)

    def _people(
        self,
        people: list[Person],
        events: Events,
        exploited: dict[str, date],
        family_of: dict[str, str],
    ) -> None:
        end = self.w.end
        labels = dv_labels(events)
        dates = factor_dates(events, self.w)
        after_end = end + timedelta(days=1)
        for p in people:
            label = labels.get(p.pid)
            factors = factors_before(dates, p, label or after_end)
            self.people.writerow(
                (
                    p.pid, p.forename, p.middle, p.surname, p.birth_surname, iso(p.dob), p.sex,
                    p.eth, p.last_household.hid, family_of[p.pid], role_at_end(p, end),
                    p.twin_of or "", p.upn or "", p.former_upn or "", p.nhs, p.uln or "",
                    p.la_child_id or "", p.eh_id or "", p.yjs_id or "", p.ccis_id or "",
                    _bool(p.address_at(end) is not None),
                    *(_bool(factors[f]) for f in FACTORS),
                    _bool(label is not None), iso(label) if label else "",
                    _bool(p.pid in exploited), iso(exploited[p.pid]) if p.pid in exploited else "",
                )
            )  # fmt: skip
            self.counts["people"] += 1
            self.twins += p.twin_of is not None
            for h, lo, hi, address in residence_spells(p):
                self.residence.writerow(
                    (
                        p.pid,
                        h.hid,
                        address.uprn,
                        address.line1,
                        address.postcode,
                        iso(lo),
                        iso(hi) if hi else "",
                    )
                )

    def _needs(
        self, households: list[Household], events: Events, family_of: dict[str, str]
    ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """needs.csv rows; returns each family's derived needs and planned needs."""
        end = self.w.end
        person_needs, family_needs = derive(events, self.w, family_of)
        rows: dict[tuple[str, str, str], _NeedRow] = {}
        for (pid, need), evidence in person_needs.items():
            rows[(family_of[pid], pid, need)] = _NeedRow(evidence)
        for (fid, need), evidence in family_needs.items():
            rows[(fid, "", need)] = _NeedRow(evidence)
        for h in households:
            for plan in h.plan:
                if plan.need in PERSON_LEVEL and plan.person is not None:
                    key = (family_of[plan.person.pid], plan.person.pid, plan.need)
                else:
                    key = (family_id_of_household(h), "", plan.need)
                rows.setdefault(key, _NeedRow()).planned = (plan.onset, plan.until)
        derived: dict[str, set[str]] = {}
        planned: dict[str, set[str]] = {}
        for (fid, pid, need), row in sorted(rows.items()):
            if row.evidence is not None:
                first, last = row.evidence.first, row.evidence.last
                feeds = ";".join(sorted(row.evidence.feeds))
                derived.setdefault(fid, set()).add(need)
            else:
                assert row.planned is not None
                first, last = row.planned
                feeds = ""
            if row.planned is not None:
                planned.setdefault(fid, set()).add(need)
            plan_from, plan_to = (iso(d) for d in row.planned) if row.planned else ("", "")
            self.needs.writerow(
                (fid, pid, need, HEADLINE[need], feeds, iso(min(first, end)), iso(min(last, end)),
                 _bool(row.planned is not None), _bool(row.evidence is not None), plan_from,
                 plan_to)
            )  # fmt: skip
        return derived, planned

    def _families(
        self,
        people: list[Person],
        family_of: dict[str, str],
        derived: dict[str, set[str]],
        planned: dict[str, set[str]],
    ) -> None:
        end = self.w.end
        members: dict[str, list[Person]] = {}
        for p in people:
            members.setdefault(family_of[p.pid], []).append(p)
        for fid, group in members.items():
            h = group[0].last_household
            now = [p for p in group if p.address_at(end) is not None]
            dependants = sum(1 for p in now if age_on(p.dob, end) < 18)
            needs = derived.get(fid, set())
            headlines = {HEADLINE[n] for n in needs}
            eligible = dependants > 0 and len(needs) >= 3
            self.counts["families"] += 1
            self.counts["families_with_children"] += dependants > 0
            self.counts["eligible_3_needs"] += eligible
            self.families.writerow(
                (
                    fid, h.hid, h.htype, len(now) if now else len(group), dependants,
                    _bool(bool(now)), ";".join(sorted(planned.get(fid, ()))),
                    ";".join(sorted(needs)), len(needs), len(headlines), _bool(eligible),
                    _bool(dependants > 0 and len(headlines) >= 3),
                )
            )  # fmt: skip

    def _households(self, households: list[Household]) -> None:
        end = self.w.end
        for h in households:
            if not h.addresses:
                continue
            at_end = [
                p for p in h.members if p.last_household is h and p.address_at(end) is not None
            ]
            self.households.writerow(
                (
                    h.hid, h.htype, iso(h.addresses[0][0]), iso(h.leave) if h.leave else "",
                    _bool(h.arrive is not None), h.addresses[-1][2].uprn, len(at_end),
                    _bool(h.workless), _bool(h.low_income),
                )
            )  # fmt: skip
