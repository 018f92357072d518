"""Date parsing across declared formats: partial, doubtful, impossible and unreadable dates."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinlink.identity import ParsedDate, parse_date, swap_day_month

FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y", "%Y"]
DAY_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d", "%d %b %Y", "%d %B %Y"]

dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
modern_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))


def _parsed(raw: str, formats: list[str] = FORMATS, pivot: int = 30) -> ParsedDate:
    result = parse_date(raw, formats, pivot=pivot)
    assert result is not None
    return result


@given(modern_dates, st.sampled_from(DAY_FORMATS))
def test_reads_back_any_date_written_in_a_declared_format(day: dt.date, fmt: str) -> None:
    parsed = _parsed(day.strftime(fmt), [fmt])
    assert parsed.error is None
    assert parsed.value == day
    assert (parsed.year, parsed.month, parsed.day) == (day.year, day.month, day.day)
    assert parsed.precision == "day"


@given(dates)
def test_reads_unpadded_day_and_month(day: dt.date) -> None:
    parsed = _parsed(f"{day.day}/{day.month}/{day.year:04d}")
    assert parsed.value == day


@given(modern_dates, st.sampled_from(["00:00:00", "14:30", "09:05:07.123", "23:59:59Z"]))
def test_ignores_time_of_day_after_a_date(day: dt.date, time: str) -> None:
    assert _parsed(f"{day.isoformat()} {time}").value == day
    assert _parsed(f"{day:%d/%m/%Y} {time}").value == day


def test_accepts_iso_timestamp_with_t_and_offset() -> None:
    assert _parsed("2024-03-05T10:11:12+01:00").value == dt.date(2024, 3, 5)


@given(st.dates(min_value=dt.date(1931, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_places_two_digit_years_by_pivot(day: dt.date) -> None:
    parsed = _parsed(day.strftime("%d/%m/%y"), ["%d/%m/%y"], pivot=30)
    assert parsed.value == day


def test_pivot_decides_the_century() -> None:
    assert _parsed("01/02/30", ["%d/%m/%y"], pivot=30).year == 2030
    assert _parsed("01/02/31", ["%d/%m/%y"], pivot=30).year == 1931


@given(modern_dates)
def test_flags_day_month_ambiguity_exactly_when_a_swap_is_another_date(day: dt.date) -> None:
    expected = day.day <= 12 and day.month <= 12 and day.day != day.month
    assert _parsed(day.strftime("%d/%m/%Y")).day_month_ambiguous == expected


def test_ambiguity_examples() -> None:
    assert _parsed("05/03/2010").day_month_ambiguous
    assert not _parsed("13/03/2010").day_month_ambiguous
    assert not _parsed("03/03/2010").day_month_ambiguous


@given(st.integers(1, 9999), st.integers(1, 12), st.data())
def test_flags_day_beyond_end_of_month_as_impossible(
    year: int, month: int, data: st.DataObject
) -> None:
    last = calendar.monthrange(year, month)[1]
    day = data.draw(st.integers(last + 1, 99))
    parsed = _parsed(f"{day:02d}/{month:02d}/{year:04d}")
    assert parsed.error == "impossible_date"
    assert parsed.value is None


@given(st.integers(1, 9999), st.integers(13, 99), st.integers(1, 28))
def test_flags_month_above_twelve_as_impossible(year: int, month: int, day: int) -> None:
    assert _parsed(f"{year:04d}-{month:02d}-{day:02d}").error == "impossible_date"


@pytest.mark.parametrize("raw", ["31/02/2010", "2010-13-01", "29/02/2023", "00/01/2010", "0000"])
def test_names_value_and_format_when_date_is_impossible(raw: str) -> None:
    parsed = _parsed(raw)
    assert parsed.error == "impossible_date"
    assert parsed.message is not None
    assert raw in parsed.message
    assert "%" in parsed.message


def test_accepts_leap_day_in_leap_year() -> None:
    assert _parsed("29/02/2024").value == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    "raw", ["yesterday", "2010/03/05", "5th March 2010", "05/03", "12345", "2024-03-05 noon"]
)
def test_flags_value_matching_no_format_as_unrecognised(raw: str) -> None:
    parsed = _parsed(raw)
    assert parsed.error == "unrecognised_format"
    assert parsed.value is None
    assert parsed.message is not None
    assert raw in parsed.message
    assert all(fmt in parsed.message for fmt in FORMATS)


def test_prefers_a_later_format_that_gives_a_real_date_over_an_impossible_match() -> None:
    parsed = _parsed("12/25/2010", ["%d/%m/%Y", "%m/%d/%Y"])
    assert parsed.value == dt.date(2010, 12, 25)
    assert parsed.error is None


def test_reads_year_only_at_year_precision() -> None:
    parsed = _parsed("2009")
    assert (parsed.value, parsed.year, parsed.precision) == (None, 2009, "year")
    assert parsed.error is None


def test_reads_month_and_year_at_month_precision() -> None:
    parsed = _parsed("Sept 2009", ["%b %Y"])
    assert (parsed.value, parsed.year, parsed.month, parsed.precision) == (None, 2009, 9, "month")


def test_rejects_letters_that_are_not_a_month_name() -> None:
    assert _parsed("05 Foo 2024", ["%d %b %Y"]).error == "unrecognised_format"


def test_falls_back_to_strptime_for_unusual_directives() -> None:
    fmt = ["%d.%m.%Y %H:%M"]
    assert _parsed("05.03.2024 10:00", fmt).value == dt.date(2024, 3, 5)
    assert _parsed("31.02.2024 10:00", fmt).error == "impossible_date"
    assert _parsed("never", fmt).error == "unrecognised_format"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_gives_nothing_for_blank_date(raw: str | None) -> None:
    assert parse_date(raw, FORMATS) is None


def test_accepts_formats_as_list_or_tuple_alike() -> None:
    assert parse_date("05/03/2024", FORMATS) == parse_date("05/03/2024", tuple(FORMATS))


def test_parsed_date_cannot_be_changed_by_a_caller() -> None:
    parsed = _parsed("05/03/2024")
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.year = 1999  # type: ignore[misc]


def test_swaps_day_and_month() -> None:
    assert swap_day_month(dt.date(2010, 3, 5)) == dt.date(2010, 5, 3)


@pytest.mark.parametrize("day", [dt.date(2010, 3, 13), dt.date(2010, 4, 4)])
def test_has_no_swap_when_it_would_be_impossible_or_the_same(day: dt.date) -> None:
    assert swap_day_month(day) is None


@given(modern_dates)
def test_swap_is_offered_exactly_when_parse_flags_ambiguity(day: dt.date) -> None:
    swapped = swap_day_month(day)
    assert (swapped is not None) == _parsed(day.strftime("%d/%m/%Y")).day_month_ambiguous
    if swapped is not None:
        assert swap_day_month(swapped) == day
