"""Identifiers are valid unless the noise mistyped them on purpose, at about its rate."""

from __future__ import annotations

from kinlink.identity import (
    nhs_number_is_valid,
    nhs_number_normalise,
    uln_is_valid,
    upn_is_valid,
    upn_normalise,
)

from .conftest import City

# (feed, column, validator, the truth column the value should equal)
CHECKED = [
    ("school_census", "upn", upn_is_valid, "upn"),
    ("attendance", "upn", upn_is_valid, "upn"),
    ("exclusions", "upn", upn_is_valid, "upn"),
    ("social_care", "upn", upn_is_valid, "upn"),
    ("school_census", "uln", uln_is_valid, "uln"),
    ("social_care", "nhs_number", nhs_number_is_valid, "nhs_number"),
    ("health", "nhs_number", nhs_number_is_valid, "nhs_number"),
]


def _differs_by_one_character(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _check(city: City) -> tuple[int, int, int]:
    """(values, invalid values, blank values) over every checked column."""
    slots, people = city.slots(), city.people()
    total = invalid = blank = 0
    for feed, column, valid, truth_column in CHECKED:
        normalise = nhs_number_normalise if "nhs" in column else upn_normalise
        for path in city.feed_files(feed):
            for number, row in enumerate(city.rows(path), start=1):
                if not any(row.values()):
                    continue
                if column == "uln" and row["ncyear"] not in ("10", "11", "12", "13"):
                    continue  # the census carries a ULN from Year 10
                value = normalise(row[column])
                if not value:
                    blank += 1
                    continue
                person = people[slots[(path.name, number)][""]]
                true_values = {person[truth_column], person["former_upn"]} - {""}
                total += 1
                if valid(value):
                    assert value in true_values, (path.name, number, column)
                else:
                    invalid += 1
                    assert any(_differs_by_one_character(value, t) for t in true_values), (
                        path.name,
                        number,
                    )
    return total, invalid, blank


def test_identifiers_fail_their_check_only_where_mistyped_at_about_the_configured_rate(
    city20k: City,
) -> None:
    total, invalid, _ = _check(city20k)
    assert total > 50_000
    assert 0.002 < invalid / total < 0.01  # configured: 0.5% of written values


def test_clean_city_has_every_identifier_present_and_valid(clean2k: City) -> None:
    total, invalid, blank = _check(clean2k)
    assert total > 5_000
    assert invalid == 0
    # blanks only where a feed never holds one (a social care child too young for a UPN)
    social_care_rows = sum(len(clean2k.rows(p)) for p in clean2k.feed_files("social_care"))
    assert blank <= social_care_rows


def test_census_always_carries_a_upn(city20k: City) -> None:
    for path in city20k.feed_files("school_census"):
        assert all(row["upn"] for row in city20k.rows(path) if any(row.values()))
