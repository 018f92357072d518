"""Column converters: properties that hold for any value, not just the examples."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kinlink.ingest.converters import converter_for
from kinlink.sources import ColumnSpec

BOUNDED = converter_for("n", ColumnSpec(type="integer", minimum=0, maximum=400))
TERM = converter_for("term", ColumnSpec(type="code", codes={"AUT": "AUT", "Autumn": "AUT"}))
DATE = converter_for("d", ColumnSpec(type="date", formats=("%Y-%m-%d", "%d/%m/%Y")))


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_integer_in_range_loads_and_out_of_range_is_a_problem(n):
    value, problem = BOUNDED(str(n))
    if 0 <= n <= 400:
        assert (value, problem) == (n, None)
    else:
        assert value is None
        assert problem is not None
        assert problem.reason == "out_of_range"
        assert problem.field == "n"


@given(st.text(alphabet="0123456789.,-x ", min_size=1, max_size=8))
def test_integer_converter_never_raises(raw):
    value, problem = BOUNDED(raw)
    assert (value is None) != (problem is None), "exactly one of value and problem"


@given(st.sampled_from(["AUT", "aut", " Autumn ", "AUTUMN", "autumn"]))
def test_codes_match_whatever_the_case_and_spacing(raw):
    assert TERM(raw.strip()) == ("AUT", None)


@given(
    st.text(min_size=1, max_size=10).filter(lambda t: t.strip().upper() not in {"AUT", "AUTUMN"})
)
def test_unknown_codes_are_problems_naming_the_column(raw):
    value, problem = TERM(raw)
    assert value is None
    assert problem is not None
    assert problem.field == "term"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)), st.booleans())
def test_dates_round_trip_in_every_declared_format(day, iso):
    raw = day.isoformat() if iso else day.strftime("%d/%m/%Y")
    parsed, problem = DATE(raw)
    assert problem is None
    assert parsed.value == day
