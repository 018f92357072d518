"""Shared fixtures: one small synthetic city per test session, generated and ingested once."""

from __future__ import annotations

from pathlib import Path

import pytest

SMALL_CITY_PEOPLE = 3000


@pytest.fixture(scope="session")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3,000-person synthetic city (feeds/ and truth/) with default noise."""
    from kinlink.synth import CityConfig, generate_city

    out = tmp_path_factory.mktemp("city")
    generate_city(CityConfig(people=SMALL_CITY_PEOPLE, seed=7), out)
    return out


@pytest.fixture(scope="session")
def small_warehouse(small_city: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small city ingested into a real DuckDB file."""
    from kinlink.ingest import ingest_paths
    from kinlink.sources import definitions_load

    warehouse = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    ingest_paths([small_city / "feeds"], warehouse=warehouse, definitions=definitions_load())
    return warehouse
