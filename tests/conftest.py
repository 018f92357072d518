"""Shared fixtures: one small synthetic city per test session, generated and ingested once."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
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


@dataclass(frozen=True)
class AssessedCity:
    """The small synthetic city, linked, grouped into families and assessed once."""

    city: Path
    warehouse: Path


@pytest.fixture(scope="session")
def assessed_city(
    small_city: Path, small_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> AssessedCity:
    from kinlink.families import families_build
    from kinlink.linkage import LinkageConfig, linkage_run

    folder = tmp_path_factory.mktemp("outcomes")
    warehouse = folder / "warehouse.duckdb"
    shutil.copy(small_warehouse, warehouse)
    linkage_run(
        warehouse,
        LinkageConfig(model_path=folder / "person.json", retrain=True,
                      u_max_pairs=3e5, em_max_pairs=3e5),
    )  # fmt: skip
    families_build(warehouse)
    from kinlink.outcomes.services import outcomes_assess

    outcomes_assess(warehouse)
    return AssessedCity(small_city, warehouse)


@pytest.fixture
def assessed_copy(tmp_path: Path, assessed_city: AssessedCity) -> Path:
    """A private copy of the assessed small city's warehouse."""
    warehouse = tmp_path / "assessed.duckdb"
    shutil.copy(assessed_city.warehouse, warehouse)
    return warehouse
