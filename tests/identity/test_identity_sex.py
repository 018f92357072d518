"""Sex and gender codes."""

from __future__ import annotations

import pytest

from kinlink.identity import sex_normalise


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("M", "M"),
        ("m", "M"),
        (" Male ", "M"),
        ("BOY", "M"),
        ("F", "F"),
        ("female", "F"),
        ("Girl", "F"),
        ("U", "U"),
        ("Unknown", "U"),
        ("X", "U"),
        ("Not known", "U"),
        ("NOT  KNOWN", "U"),
        ("Indeterminate", "U"),
    ],
)
def test_maps_recorded_sex_to_code(raw: str, code: str) -> None:
    assert sex_normalise(raw) == code


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_treats_blank_sex_as_missing(raw: str | None) -> None:
    assert sex_normalise(raw) is None


@pytest.mark.parametrize("raw", ["Q", "1", "Mail", "Femail"])
def test_refuses_unexpected_sex_value_naming_it(raw: str) -> None:
    with pytest.raises(ValueError, match=f"'{raw}'"):
        sex_normalise(raw)
