"""Synthetic cities generated once per test session and shared by the synth tests."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from kinlink.synth import CityConfig, CitySummary, NoiseConfig, generate_city
from kinlink.synth.feeds import FEEDS


@dataclass
class City:
    out: Path
    summary: CitySummary

    def feed_files(self, feed: str | None = None) -> list[Path]:
        files = sorted((self.out / "feeds").glob("*.csv"))
        if feed is None:
            return files
        return [f for f in files if f.name.startswith(feed + "_")]

    def rows(self, path: Path) -> list[dict[str, str]]:
        """Data rows of a feed file, read with its own encoding."""
        spec = FEEDS[feed_of(path.name)]
        with path.open(encoding=spec.encoding, newline="") as handle:
            return list(csv.DictReader(handle))

    def truth(self, name: str) -> list[dict[str, str]]:
        with (self.out / "truth" / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def slots(self) -> dict[tuple[str, int], dict[str, str]]:
        """(file, row number) -> {slot: person id}."""
        out: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
        for r in self.truth("person_slots.csv"):
            key = (r["file"], int(r["row_number"]))
            assert r["slot"] not in out[key], f"slot listed twice: {key} {r['slot']}"
            out[key][r["slot"]] = r["person_id"]
        return dict(out)

    def people(self) -> dict[str, dict[str, str]]:
        return {p["person_id"]: p for p in self.truth("people.csv")}


def feed_of(file_name: str) -> str:
    """The feed a file belongs to (the longest feed name its name starts with)."""
    return max((f for f in FEEDS if file_name.startswith(f + "_")), key=len)


def _generate(tmp_path_factory: pytest.TempPathFactory, name: str, config: CityConfig) -> City:
    out = tmp_path_factory.mktemp(name)
    return City(out, generate_city(config, out))


@pytest.fixture(scope="session")
def city20k(tmp_path_factory: pytest.TempPathFactory) -> City:
    """A 20,000-person city at default settings."""
    return _generate(tmp_path_factory, "city20k", CityConfig(people=20_000, seed=42))


@pytest.fixture(scope="session")
def city2k(tmp_path_factory: pytest.TempPathFactory) -> City:
    return _generate(
        tmp_path_factory, "city2k", CityConfig(people=2_000, seed=7, households_per_chunk=150)
    )


@pytest.fixture(scope="session")
def clean2k(tmp_path_factory: pytest.TempPathFactory) -> City:
    """The same city as ``city2k`` with every noise rate at zero."""
    config = CityConfig(
        people=2_000, seed=7, households_per_chunk=150, noise=NoiseConfig().scale(0)
    )
    return _generate(tmp_path_factory, "clean2k", config)
