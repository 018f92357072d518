"""Drawing names the way a city has them: a few very common, a long tail, by era and origin.

Weights fall with popularity rank (Zipf-like, steeper for older generations, whose names
were more concentrated), so "Jack Smith" and "Olivia Jones" recur as they do in real
data, which is what makes linkage hard.
"""

from __future__ import annotations

import random
import unicodedata
from functools import lru_cache

from kinlink.synth._rng import Weighted
from kinlink.synth.names_data import (
    ENGLISH_FORENAMES,
    ERAS,
    ETHNICITY_MIX,
    NICKNAMES,
    ORIGIN_FORENAMES,
    SURNAME_ENDINGS,
    SURNAME_STEMS,
    SURNAMES,
)

_ERA_EXPONENT = {"e1": 0.7, "e2": 0.6, "e3": 0.5, "e4": 0.4, "e5": 0.3}


def _ranked(names: list[str], exponent: float, share: float) -> list[tuple[str, float]]:
    """Zipf-like weights summing to ``share``."""
    raw = [1.0 / (rank + 1.5) ** exponent for rank in range(len(names))]
    total = sum(raw)
    return [(name, share * w / total) for name, w in zip(names, raw, strict=True)]


def _merge(pairs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    merged: dict[str, float] = {}
    for name, weight in pairs:
        merged[name] = merged.get(name, 0.0) + weight
    return list(merged.items())


def era_of(birth_year: int) -> str:
    """The naming era of a birth year."""
    for last, key in ERAS:
        if birth_year <= last:
            return key
    return ERAS[-1][1]


class NameBook:
    """Prepared weighted name draws; built once per city and shared by every chunk."""

    def __init__(self) -> None:
        all_english = {
            sex: sorted(
                {n for (s, _), text in ENGLISH_FORENAMES.items() if s == sex for n in text.split()}
            )
            for sex in ("F", "M")
        }
        self._english: dict[tuple[str, str], Weighted[str]] = {}
        for (sex, era), text in ENGLISH_FORENAMES.items():
            names = text.split()
            tail = [n for n in all_english[sex] if n not in names]
            pairs = _ranked(names, _ERA_EXPONENT[era], 0.84)
            pairs += [(n, 0.12 / len(tail)) for n in tail]
            pairs += _ranked(ORIGIN_FORENAMES[(sex, "irish")].split(), 0.6, 0.04)
            self._english[(sex, era)] = Weighted(_merge(pairs))
        self._origin: dict[tuple[str, str], Weighted[str]] = {
            key: Weighted(_ranked(text.split(), 0.5, 1.0)) for key, text in ORIGIN_FORENAMES.items()
        }
        tail = [a + b for a in SURNAME_STEMS for b in SURNAME_ENDINGS]
        self._surnames: dict[str, Weighted[str]] = {
            "english": Weighted(
                _merge(
                    _ranked(SURNAMES["english"].split(), 0.5, 0.42)
                    + [(n, 0.50 / len(tail)) for n in tail]
                    + _ranked(SURNAMES["irish"].split(), 0.5, 0.08)
                )
            )
        }
        for origin, text in SURNAMES.items():
            if origin != "english":
                self._surnames[origin] = Weighted(_ranked(text.split(), 0.5, 1.0))
        self.ethnicity: Weighted[tuple[str, str]] = Weighted(
            [((code, origin), share) for code, share, origin in ETHNICITY_MIX]
        )

    def forename(self, rng: random.Random, sex: str, birth_year: int, origin: str) -> str:
        """A forename for someone of this sex, birth year and family origin."""
        era = era_of(birth_year)
        if origin == "english":
            return self._english[(sex, era)].pick(rng)
        # Families of other origins mostly keep their naming tradition; younger
        # generations born here increasingly take names popular in England.
        local_share = 0.45 if birth_year >= 1995 else 0.12
        if origin == "irish":
            local_share = 0.6
        if rng.random() < local_share:
            return self._english[(sex, era)].pick(rng)
        return self._origin[(sex, origin)].pick(rng)

    def surname(self, rng: random.Random, origin: str) -> str:
        """A surname for a family of this origin."""
        return self._surnames[origin].pick(rng)


def nickname_of(forename: str, rng: random.Random) -> str | None:
    """A nickname or short form (Robert -> Bobby), or None when there is no usual one."""
    options = NICKNAMES.get(forename)
    if not options:
        return None
    return options[int(rng.random() * len(options))]


_CP1252_EXTRA = {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i"}


@lru_cache(maxsize=65536)
def cp1252_safe(text: str) -> str:
    """The text as a Windows-1252 system would store it: accents it can hold are kept
    (Siân, Zoë), letters it cannot hold lose their accent (Michał -> Michal)."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        if ch in _CP1252_EXTRA:
            out.append(_CP1252_EXTRA[ch])
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        try:
            base.encode("cp1252")
            out.append(base)
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


@lru_cache(maxsize=65536)
def strip_accents(text: str) -> str:
    """Siân -> Sian: what systems that only hold plain letters record."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(_CP1252_EXTRA.get(c, c) for c in plain)


def has_accent(text: str) -> bool:
    """True when the name carries a letter outside plain ASCII."""
    return not text.isascii()
