"""A single timezone-aware clock, so that every timestamp Kinlink writes is UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)
