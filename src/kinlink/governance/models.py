"""Data sharing agreements and purposes as configuration: what may be held, and why.

A council's data protection officer must be able to say at any time which agreement lets
Kinlink hold each feed and for which purposes. The registry is YAML (shipped for the
synthetic city in ``registry/``; a council points ``--governance DIR`` at its own) and
strict: an unknown key is an error.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Purpose(_Strict):
    """Why data is processed; a purpose with an end date lapses on it."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str = ""
    roles: tuple[str, ...] = Field(default=(), description="Portal roles that act under it")
    starts: date | None = None
    ends: date | None = None

    def in_force(self, on: date) -> bool:
        """Whether the purpose applies on ``on``."""
        return (self.starts is None or self.starts <= on) and (self.ends is None or on <= self.ends)


class Agreement(_Strict):
    """A data sharing agreement: a partner's feeds, the lawful basis and allowed purposes."""

    id: str
    title: str
    partner: str
    controller: str
    feeds: tuple[str, ...] = Field(min_length=1)
    lawful_basis: str
    purposes: tuple[str, ...] = Field(min_length=1)
    signed: date
    expires: date
    review: date | None = None
    contact: str = ""

    def in_force(self, on: date) -> bool:
        """Signed by ``on`` and not yet expired (the expiry date is the last valid day)."""
        return self.signed <= on <= self.expires


class Registry(_Strict):
    """Every agreement and purpose, by id and code."""

    agreements: dict[str, Agreement]
    purposes: dict[str, Purpose]
