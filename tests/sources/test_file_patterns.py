"""Extract file names resolve to the right shipped definition, and feeds never collide."""

from __future__ import annotations

import pytest

from kinlink.sources import FeedDefinition, definition_for_file, definitions_load

from .feed_layouts import REFERENCE_LAYOUTS

FEEDS = sorted(REFERENCE_LAYOUTS)


@pytest.fixture(scope="module")
def shipped() -> dict[str, FeedDefinition]:
    return definitions_load()


def _resolve(name: str, definitions: dict[str, FeedDefinition]) -> str | None:
    found = definition_for_file(name, definitions)
    return found.feed if found else None


@pytest.mark.parametrize(
    ("file_name", "feed"),
    [
        ("attendance_2024_25_AUT.csv", "attendance"),
        ("attendance_2024_spring.csv", "attendance"),
        ("attendance.csv", "attendance"),
        ("school_census_2024_10.csv", "school_census"),
        ("school_census.csv", "school_census"),
        ("exclusions_2024_25.csv", "exclusions"),
        ("early_help_2025_07.csv", "early_help"),
        ("social_care_2025_07.csv", "social_care"),
        ("youth_justice_2025_07.csv", "youth_justice"),
        ("police_arrests_2024_25.csv", "police_arrests"),
        ("police_arrests.csv", "police_arrests"),
        ("police_intelligence_2024_25.csv", "police_intelligence"),
        ("police_intelligence.csv", "police_intelligence"),
        ("domestic_abuse.csv", "domestic_abuse"),
        ("domestic_abuse_2025_07_31.csv", "domestic_abuse"),
        ("health_2025_07.csv", "health"),
        ("exploitation_2025_07.csv", "exploitation"),
        ("neet_2025_07.csv", "neet"),
        ("housing_benefits_2025_07.csv", "housing_benefits"),
        ("School_Census_2024_10.CSV", "school_census"),
        ("attendance_2024_25_SPR.xlsx", "attendance"),
        ("health_2025_07.parquet", "health"),
    ],
)
def test_reference_file_names_resolve(shipped, file_name, feed):
    assert _resolve(file_name, shipped) == feed


@pytest.mark.parametrize(
    "file_name",
    [
        "police.csv",
        "police_2024_25.csv",
        "arrests_2024.csv",
        "attendance_2024.txt",
        "census_2024_10.csv",
        "readme.md",
        "manifest.json",
    ],
)
def test_other_file_names_match_no_definition(shipped, file_name):
    assert _resolve(file_name, shipped) is None


@pytest.mark.parametrize("feed", FEEDS)
def test_every_pattern_resolves_to_its_own_feed(shipped, feed):
    for pattern in shipped[feed].files.patterns:
        for filler in ("2024_25", "x", "police_arrests", "police_intelligence", "health"):
            name = pattern.replace("*", filler)
            assert _resolve(name, shipped) == feed, f"{name} (from {pattern})"


def test_police_feeds_never_collide(shipped):
    arrests, intel = shipped["police_arrests"], shipped["police_intelligence"]
    for a in ("police_arrests_intelligence.csv", "police_arrests_2024_25.csv"):
        assert definition_for_file(a, {"police_intelligence": intel}) is None
        assert _resolve(a, shipped) == "police_arrests"
    for i in ("police_intelligence_arrests.csv", "police_intelligence_2024_25.csv"):
        assert definition_for_file(i, {"police_arrests": arrests}) is None
        assert _resolve(i, shipped) == "police_intelligence"


def test_patterns_are_anchored_on_the_feed_name(shipped):
    """Each pattern starts with its feed's own name, so no feed can claim another's files."""
    for feed, definition in shipped.items():
        for pattern in definition.files.patterns:
            assert pattern == f"{feed}.csv" or pattern.startswith(f"{feed}_"), pattern
