"""Fixtures for the source definition tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def city_extracts(small_city: Path) -> Path:
    """The reference extracts of the session's small synthetic city (generated once)."""
    return small_city / "feeds"
