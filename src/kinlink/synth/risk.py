"""Childhood risk factors, read back from the events, and the domestic abuse outcome of
young adults drawn from them.

The factors are the ones the seed's pilot used: witnessed domestic abuse in the family,
family substance misuse, NEET, known to social care, persistent absence and arrests other
than for domestic abuse. They are computed from the same events the feeds are written
from (the earliest date each became true), so a model trained on the feeds can find
them. Whether a young adult goes on to be arrested for domestic abuse depends on them
through a logistic model with noise: strong enough to learn, far from certain.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from kinlink.synth._rng import sigmoid
from kinlink.synth.calendar import Window, age_on
from kinlink.synth.models import Events, Person

WITNESSED_DA = "rf_witnessed_da"
FAMILY_SUBSTANCE = "rf_family_substance"
NEET = "rf_neet"
SOCIAL_CARE = "rf_social_care"
PERSISTENT_ABSENCE = "rf_persistent_absence"
NON_DV_ARREST = "rf_non_dv_arrest"
FACTORS = (WITNESSED_DA, FAMILY_SUBSTANCE, NEET, SOCIAL_CARE, PERSISTENT_ABSENCE, NON_DV_ARREST)

#: Log-odds weights of the young-adult domestic abuse model (intercept, then factors, then male).
DV_INTERCEPT = -7.0
DV_WEIGHTS = {
    WITNESSED_DA: 2.8,
    FAMILY_SUBSTANCE: 1.5,
    NEET: 1.8,
    SOCIAL_CARE: 2.2,
    PERSISTENT_ABSENCE: 1.2,
    NON_DV_ARREST: 2.4,
}
DV_MALE = 1.5
DV_NOISE_SD = 0.6

FactorDates = dict[str, dict[str, date]]


def _mark(out: FactorDates, pid: str, factor: str, when: date) -> None:
    seen = out[pid].get(factor)
    if seen is None or when < seen:
        out[pid][factor] = when


def _household_marks(out: FactorDates, events: Events) -> None:
    """Factors that come from the home: domestic abuse and substance misuse."""
    for incident in events.domestic_abuse:
        when = incident.when
        for child in incident.children:
            _mark(out, child.pid, WITNESSED_DA, when)
        household = incident.victim.household_at(when)
        for member in household.members_at(when) if household is not None else ():
            if age_on(member.dob, when) < 18 and member is not incident.perpetrator:
                _mark(out, member.pid, WITNESSED_DA, when)
    for flag in events.health:
        household = (
            flag.person.household_at(flag.when) if flag.flag == "SUBSTANCE_TREATMENT" else None
        )
        for member in household.members_at(flag.when) if household is not None else ():
            if member is not flag.person:
                _mark(out, member.pid, FAMILY_SUBSTANCE, flag.when)


def _absence_marks(out: FactorDates, events: Events, window: Window) -> None:
    """Persistent absence: an academic year with 10% or more of possible sessions missed."""
    by_year: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    term_year = {t.index: t.year_index for t in window.terms}
    for p, term, _e, possible, authorised, unauthorised in events.attendance:
        totals = by_year[(p.pid, term_year[term])]
        totals[0] += possible
        totals[1] += authorised + unauthorised
    for (pid, year), (possible, absent) in by_year.items():
        if possible and absent * 10 >= possible:
            _mark(out, pid, PERSISTENT_ABSENCE, window.years[year].end)


def factor_dates(events: Events, window: Window) -> FactorDates:
    """For each person, the first date each risk factor was evidenced by an event."""
    out: FactorDates = defaultdict(dict)
    _household_marks(out, events)
    _absence_marks(out, events, window)
    for status in events.neet:
        if status.status == "NEET":
            _mark(out, status.person.pid, NEET, status.when)
    for episode in events.social_care:
        _mark(out, episode.person.pid, SOCIAL_CARE, episode.start)
    for arrest in events.arrests:
        if not arrest.domestic:
            _mark(out, arrest.person.pid, NON_DV_ARREST, arrest.when)
    for offence in events.offences:
        _mark(out, offence.person.pid, NON_DV_ARREST, offence.when)
    return out


def factors_before(dates: FactorDates, p: Person, before: date) -> dict[str, bool]:
    """Which factors were true for ``p`` before a date."""
    mine = dates.get(p.pid, {})
    return {f: f in mine and mine[f] < before for f in FACTORS}


def dv_probability(factors: dict[str, bool], male: bool, noise: float) -> float:
    """Chance that a young adult is arrested for domestic abuse within a year."""
    x = (
        DV_INTERCEPT
        + sum(DV_WEIGHTS[f] for f, on in factors.items() if on)
        + DV_MALE * male
        + noise
    )
    return sigmoid(x)


def label_period(window: Window) -> tuple[date, date]:
    """The part of the window in which young-adult outcomes are drawn: after the first
    year, so that some childhood factors can be seen before any outcome."""
    start = window.start + timedelta(days=min(365, (window.end - window.start).days // 2))
    return start, window.end


def dv_candidates(people: list[Person], window: Window) -> list[Person]:
    """Young people whose late teens fall in the window and who are 18 to 25 at some
    time in the label period: the ones whose childhood factors the feeds can show."""
    lo, hi = label_period(window)
    return [
        p
        for p in people
        if age_on(p.dob, hi) >= 18 and age_on(p.dob, lo) <= 25 and age_on(p.dob, window.start) <= 19
    ]


def dv_draw(rng: random.Random, p: Person, dates: FactorDates, window: Window) -> date | None:
    """The date of a young adult's first domestic abuse arrest, or None.

    Drawn year by year through the label period, each year from the factors evidenced
    before it began, so a factor that appears raises the risk from then on.
    """
    lo, hi = label_period(window)
    adult = date(p.dob.year + 18, p.dob.month, min(p.dob.day, 28))
    last = date(p.dob.year + 26, p.dob.month, min(p.dob.day, 28)) - timedelta(days=1)
    noise = rng.gauss(0, DV_NOISE_SD)  # a person's own propensity, beyond the factors
    year_start = lo
    while year_start < hi:
        year_end = min(hi, year_start + timedelta(days=365))
        u, u_when = rng.random(), rng.random()
        start, stop = max(year_start, adult), min(year_end, last)
        if stop > start and u < dv_probability(
            factors_before(dates, p, year_start), p.sex == "M", noise
        ):
            return start + timedelta(days=int(u_when * (stop - start).days))
        year_start = year_end
    return None
