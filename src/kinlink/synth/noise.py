"""The errors real extracts contain, applied as feeds are written (never to the truth).

Systems that keep a record per person (schools, social care, early help, youth justice,
careers tracking, GP registration) make a mistake once and repeat it on every row, and
may never pick up a later change of surname: their noise is *registered* per system and
person. Police and housing rows are keyed in afresh each time, so their noise is drawn
per row. All draws come from the chunk's noise stream, so the population and the events
are identical whatever the noise settings.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from kinlink.synth.addresses import Address
from kinlink.synth.config import NoiseConfig
from kinlink.synth.models import Person
from kinlink.synth.names import has_accent, nickname_of, strip_accents
from kinlink.synth.names_data import VARIANT_SPELLINGS

#: How much more (or less) often than ``identifier_missing`` each feed leaves a field blank.
MISSING_BY_FEED: dict[str, dict[str, float]] = {
    "school_census": {"uprn": 0.6, "uln": 0.4, "postcode": 0.05},
    "social_care": {"nhs_number": 2.0, "upn": 1.6, "postcode": 0.6},
    "early_help": {"uprn": 2.0, "postcode": 0.6, "dob": 0.3},
    "health": {"nhs_number": 0.3, "postcode": 0.4},
    "domestic_abuse": {"uprn": 3.0, "dob": 1.0, "child_dob": 2.0, "postcode": 0.4},
    "housing_benefits": {"uprn": 0.2, "dob": 1.0},
    "police_arrests": {"dob": 0.1},
    "youth_justice": {"postcode": 0.6},
    "neet": {"postcode": 0.6},
    "police_intelligence": {"dob": 1.0},
}
#: How often (relative to ``postcode_stale``) each feed still has the old address soon after a move.
STALE_BY_FEED: dict[str, float] = {
    "health": 2.0,
    "school_census": 0.5,
    "social_care": 1.0,
    "early_help": 1.0,
    "police_arrests": 1.5,
    "domestic_abuse": 0.2,
    "housing_benefits": 0.2,
    "youth_justice": 1.0,
    "neet": 1.5,
}
#: Systems that strip accents (Siân -> Sian) some of the time.
ACCENT_STRIPPING = frozenset({"police", "health", "neet", "youth_justice", "housing"})
STALE_DAYS = 180

_KEYBOARD = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm",
    "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji",
    "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}  # fmt: skip


class Noise:
    """Applies ``NoiseConfig`` to values on their way into a feed."""

    def __init__(self, config: NoiseConfig, rng: random.Random) -> None:
        self.c = config
        self.rng = rng
        self._registered: dict[tuple[str, str, str, object], object] = {}

    # -- primitives ---------------------------------------------------------------------
    def typo(self, value: str) -> str:
        """One keying error: a real-name misspelling, or a substituted, dropped, doubled
        or transposed letter (rarely the first letter)."""
        rng = self.rng
        variants = VARIANT_SPELLINGS.get(value)
        if variants and rng.random() < 0.4:
            return variants[int(rng.random() * len(variants))]
        if len(value) < 3:
            return value
        i = 1 + int(rng.random() * (len(value) - 1))
        op = rng.random()
        ch = value[i]
        if op < 0.3:
            near = _KEYBOARD.get(ch.lower())
            if not near:
                return value[:i] + value[i + 1 :]
            sub = near[int(rng.random() * len(near))]
            return value[:i] + (sub.upper() if ch.isupper() else sub) + value[i + 1 :]
        if op < 0.55:
            return value[:i] + value[i + 1 :]
        if op < 0.8:
            return value[:i] + ch + value[i:]
        if i + 1 < len(value):
            return value[:i] + value[i + 1] + ch + value[i + 2 :]
        return value[: i - 1] + ch + value[i - 1] if i >= 2 else value

    def space(self, value: str) -> str:
        """Stray whitespace, sometimes."""
        rng = self.rng
        if not value or rng.random() >= self.c.whitespace:
            return value
        u = rng.random()
        if u < 0.4:
            return value + " "
        if u < 0.7:
            return " " + value
        return value.replace(" ", "  ", 1) if " " in value else value + "  "

    def name(self, value: str, system: str) -> str:
        """A name as keyed: typos, and lost accents in systems that drop them."""
        rng = self.rng
        if system in ACCENT_STRIPPING and has_accent(value) and rng.random() < self.c.accent_drop:
            value = strip_accents(value)
        if rng.random() < self.c.name_typo:
            value = self.typo(value)
        return value

    def forename(self, p: Person, system: str, nickname: bool = True) -> str:
        """A forename as keyed, possibly the nickname the person goes by."""
        value = p.forename
        if nickname and self.rng.random() < self.c.nickname:
            value = nickname_of(value, self.rng) or value
        return self.name(value, system)

    def dob(self, value: date) -> date:
        """Day and month swapped, or a wrong year, sometimes."""
        rng, c = self.rng, self.c
        u = rng.random()
        if u < c.dob_day_month_swap:
            if value.day <= 12 and value.day != value.month:
                return date(value.year, value.day, value.month)
            return value
        if u < c.dob_day_month_swap + c.dob_wrong_year:
            delta = (1, -1, 10, -10)[int(rng.random() * 4)]
            year = value.year + delta
            return date(year, value.month, 28 if (value.month, value.day) == (2, 29) else value.day)
        return value

    def missing(self, feed: str, field: str) -> bool:
        """Whether this feed left this identity field blank on this row."""
        factor = MISSING_BY_FEED.get(feed, {}).get(field, 0.0)
        return factor > 0 and self.rng.random() < self.c.identifier_missing * factor

    def mistype(self, value: str, first: int = 0) -> str:
        """One digit keyed wrongly (from position ``first``): the check then fails."""
        rng = self.rng
        positions = [i for i in range(first, len(value)) if value[i].isdigit()]
        if not positions:
            return value
        i = positions[int(rng.random() * len(positions))]
        digit = str((int(value[i]) + 1 + int(rng.random() * 9)) % 10)
        return value[:i] + digit + value[i + 1 :]

    def identifier(self, value: str | None, feed: str, field: str, first: int = 0) -> str:
        """An identifier as written: sometimes blank, sometimes with one digit wrong."""
        if not value or self.missing(feed, field):
            return ""
        if self.rng.random() < self.c.identifier_bad_check:
            return self.mistype(value, first)
        return value

    def nhs(self, value: str, feed: str) -> str:
        """An NHS number as written, sometimes spaced ``999 123 4567``."""
        out = self.identifier(value, feed, "nhs_number")
        if out and self.rng.random() < self.c.identifier_format:
            return f"{out[:3]} {out[3:6]} {out[6:]}"
        return out

    def postcode(self, value: str) -> str:
        """Without its space or in lower case, sometimes."""
        rng = self.rng
        if rng.random() >= self.c.postcode_format:
            return value
        u = rng.random()
        if u < 0.5:
            return value.replace(" ", "")
        if u < 0.8:
            return value.lower()
        return value.replace(" ", "").lower()

    def address(self, p: Person, when: date, feed: str) -> Address | None:
        """The address a feed holds for someone on a date: the old one, sometimes, soon
        after a move."""
        current = p.address_at(when)
        if len(p.timeline) > 1 and self.rng.random() < self.c.postcode_stale * STALE_BY_FEED.get(
            feed, 1.0
        ):
            previous = p.previous_address(when, STALE_DAYS)
            if previous is not None:
                return previous
        return current

    def gate(self, rate: float) -> bool:
        """True with probability ``rate`` (for row-level choices such as date styles)."""
        return self.rng.random() < rate

    # -- registered identities ----------------------------------------------------------
    def _stable(
        self, system: str, pid: str, field: str, value: object, make: Callable[[], object]
    ) -> object:
        key = (system, pid, field, value)
        found = self._registered.get(key)
        if found is None:
            found = make()
            self._registered[key] = found
        return found

    def reg_forename(self, system: str, p: Person, nickname: bool = True) -> str:
        """The forename a record-keeping system holds for a person (the same on every row)."""
        return str(
            self._stable(
                system, p.pid, "fn", p.forename, lambda: self.forename(p, system, nickname)
            )
        )

    def reg_surname(self, system: str, p: Person, when: date, legal: bool = False) -> str:
        """The surname a system holds: registered once, and not always updated after a change."""
        true = p.surname_at(when, legal)
        first = str(self._stable(system, p.pid, "sn0", "", lambda: true))
        if true != first and not self._stable(
            system, p.pid, "updates", "", lambda: self.rng.random() < 0.6
        ):
            true = first
        return str(self._stable(system, p.pid, "sn", true, lambda: self.name(true, system)))

    def reg_dob(self, system: str, p: Person) -> date:
        out = self._stable(system, p.pid, "dob", "", lambda: self.dob(p.dob))
        assert isinstance(out, date)
        return out

    def reg_flag(self, system: str, p: Person, field: str, rate: float) -> bool:
        """A yes/no decision a system makes once per person (e.g. shows a temporary UPN)."""
        return bool(self._stable(system, p.pid, field, "", lambda: self.rng.random() < rate))

    def reg_value(self, system: str, p: Person, field: str, make: Callable[[], object]) -> object:
        """Any per-person value a system fixes on first sight."""
        return self._stable(system, p.pid, field, "", make)

    def swap(self) -> bool:
        """Whether this row has forename and surname the wrong way round."""
        return self.rng.random() < self.c.name_swap
