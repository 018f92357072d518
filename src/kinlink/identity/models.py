"""Value objects returned by the identity helpers.

They are frozen (and slotted) so that one instance can be cached and shared between
millions of rows without any caller being able to change what another caller sees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

DatePrecision = Literal["day", "month", "year"]
DateError = Literal["unrecognised_format", "impossible_date"]


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date as read from a feed, with how much of it was known and what went wrong.

    Partial dates (a year only, as police intelligence often records) are kept rather than
    rejected: ``value`` is set only at day precision, while ``year``/``month``/``day`` carry
    whatever was read. ``day_month_ambiguous`` tells linkage that swapping day and month
    would also give a real date, the commonest birth-date typo.
    """

    value: dt.date | None
    year: int | None
    month: int | None
    day: int | None
    precision: DatePrecision | None
    day_month_ambiguous: bool
    error: DateError | None
    message: str | None

    @property
    def ok(self) -> bool:
        """True when the value was read without error (at whatever precision)."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class Postcode:
    """A UK postcode split into the parts that area-level matching and reporting use.

    ``raw`` is the value upper-cased with its whitespace collapsed, kept even when the
    postcode is invalid so that nothing is lost. ``canonical`` is set only when the value
    has the shape of a UK postcode. ``district`` and ``area`` are also set for an outward
    code on its own (e.g. ``L8``), which some feeds record instead of a full postcode.
    """

    raw: str
    canonical: str | None
    valid: bool
    outward: str | None
    inward: str | None
    sector: str | None
    district: str | None
    area: str | None
