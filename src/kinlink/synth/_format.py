"""Small formatting helpers shared by the feed writers."""

from __future__ import annotations

from datetime import date
from functools import lru_cache


@lru_cache(maxsize=65536)
def iso(value: date) -> str:
    """``2024-09-03``."""
    return value.isoformat()


@lru_cache(maxsize=65536)
def dmy(value: date) -> str:
    """``03/09/2024``."""
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def fmt(value: date | None, style: str) -> str:
    """A date in a feed's style (``iso`` or ``dmy``); blank for None."""
    if value is None:
        return ""
    return dmy(value) if style == "dmy" else iso(value)
