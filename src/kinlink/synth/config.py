"""What a synthetic city is made of: its size, seed, window and how dirty its feeds are.

Both configurations are frozen so that a run is fully described by its config (it is
written to the manifest) and the same config always gives byte-identical output.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date


@dataclass(frozen=True)
class NoiseConfig:
    """Rates of the errors real extracts contain (see feeds.md, "What real extracts get wrong").

    Each rate is a probability per value, row or person as its comment says. ``scale(0)``
    gives clean feeds: every name, date, identifier and address as the truth has it (twins,
    common names, moves and school changes still happen: they are facts, not errors).
    """

    # names (per written name value unless stated)
    name_typo: float = 0.02
    nickname: float = 0.05  # forenames outside the census legal name
    name_swap: float = 0.002  # forename and surname swapped, per row
    accent_drop: float = 0.3  # Siân -> Sian in systems that strip accents, per value
    whitespace: float = 0.01  # stray leading/trailing/double spaces, per value
    surname_change: float = 0.03  # marriage, separation, step-parent surnames (per person)
    # dates of birth (per written date of birth)
    dob_day_month_swap: float = 0.01
    dob_wrong_year: float = 0.005
    dob_year_only: float = 0.2  # police intelligence only
    # identifiers (per written value; per-feed multipliers in noise.MISSING_BY_FEED)
    identifier_missing: float = 0.05
    identifier_bad_check: float = 0.005
    identifier_format: float = 0.15  # NHS number written "999 123 4567"
    temporary_upn: float = 0.5  # a pupil arriving from elsewhere first shows a temporary UPN
    # addresses
    postcode_format: float = 0.10  # no space or lower case
    postcode_stale: float = 0.3  # old address within six months of a move (x feed factor)
    # rows
    duplicate_row: float = 0.005
    blank_row: float = 0.001
    date_format_mixed: float = 0.10  # social care rows written dd/mm/yyyy instead of ISO

    def scale(self, factor: float) -> NoiseConfig:
        """Every rate multiplied by ``factor`` (capped at 1); ``scale(0)`` is clean data."""
        if factor < 0:
            raise ValueError("noise factor must be >= 0")
        changes = {f.name: min(1.0, getattr(self, f.name) * factor) for f in fields(self)}
        return replace(self, **changes)

    def as_dict(self) -> dict[str, float]:
        """The rates by name, for the manifest."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class CityConfig:
    """One synthetic city: about ``people`` residents, simulated over the last
    ``academic_years`` September-to-August years ending at ``end_date``.

    ``households_per_chunk`` bounds memory: households are generated, written and
    forgotten chunk by chunk, each chunk with its own random stream derived from
    ``(seed, chunk)``, so memory does not grow with the city (changing it changes the
    city, as a different seed would).
    """

    people: int
    seed: int
    end_date: date = date(2026, 8, 31)
    academic_years: int = 3
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    households_per_chunk: int = 2000
    shuffle_one_file: bool = True  # one health extract has its columns in another order

    def __post_init__(self) -> None:
        if self.people < 1:
            raise ValueError("people must be at least 1")
        if not 1 <= self.academic_years <= 10:
            raise ValueError("academic_years must be between 1 and 10")
        if self.households_per_chunk < 1:
            raise ValueError("households_per_chunk must be at least 1")

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready description of the run, for the manifest."""
        return {
            "people": self.people,
            "seed": self.seed,
            "end_date": self.end_date.isoformat(),
            "academic_years": self.academic_years,
            "households_per_chunk": self.households_per_chunk,
            "shuffle_one_file": self.shuffle_one_file,
            "noise": self.noise.as_dict(),
        }
