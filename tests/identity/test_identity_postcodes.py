"""UK postcode parsing, canonical form and finding postcodes in addresses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinlink.identity import postcode_find, postcode_parse

# Letters allowed in each position of a UK postcode, written out independently of the parser.
FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"  # not Q, V, X
SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # not I, J, Z
THIRD_AFTER_DIGIT = "ABCDEFGHJKPSTUW"  # A9A
FOURTH = "ABEHMNPRVWXY"  # AA9A
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # not C, I, K, M, O, V

letters = st.sampled_from
digit = st.sampled_from("0123456789")

outward_codes = st.one_of(
    st.tuples(letters(FIRST), digit).map("".join),
    st.tuples(letters(FIRST), digit, digit).map("".join),
    st.tuples(letters(FIRST), letters(SECOND), digit).map("".join),
    st.tuples(letters(FIRST), letters(SECOND), digit, digit).map("".join),
    st.tuples(letters(FIRST), digit, letters(THIRD_AFTER_DIGIT)).map("".join),
    st.tuples(letters(FIRST), letters(SECOND), digit, letters(FOURTH)).map("".join),
)
inward_codes = st.tuples(digit, letters(INWARD_LETTERS), letters(INWARD_LETTERS)).map("".join)
spacing = st.sampled_from(["", " ", "  ", "\t", "\u00a0"])


@given(outward_codes, inward_codes, spacing, spacing, spacing, st.booleans())
def test_canonicalises_postcodes_however_they_are_typed(
    outward: str, inward: str, before: str, middle: str, after: str, lower: bool
) -> None:
    typed = f"{before}{outward}{middle}{inward}{after}"
    parsed = postcode_parse(typed.lower() if lower else typed)
    assert parsed is not None
    assert parsed.valid
    assert parsed.canonical == f"{outward} {inward}"
    assert parsed.outward == outward
    assert parsed.inward == inward
    assert parsed.sector == f"{outward} {inward[0]}"
    assert parsed.district == outward
    assert parsed.area is not None
    assert outward.startswith(parsed.area)
    assert parsed.area.isalpha()
    assert not outward[len(parsed.area)].isalpha()


@given(outward_codes, inward_codes)
def test_canonical_postcode_parses_to_itself(outward: str, inward: str) -> None:
    first = postcode_parse(f"{outward}{inward}")
    assert first is not None
    assert first.canonical is not None
    again = postcode_parse(first.canonical)
    assert again == postcode_parse(first.canonical.lower())
    assert again is not None
    assert again.canonical == first.canonical


@given(outward_codes, st.tuples(letters(INWARD_LETTERS), letters(INWARD_LETTERS)).map("".join))
def test_reads_letter_o_as_zero_in_the_inward_digit(outward: str, tail: str) -> None:
    parsed = postcode_parse(f"{outward} O{tail}")
    assert parsed is not None
    assert parsed.canonical == f"{outward} 0{tail}"


def test_does_not_read_letter_o_as_zero_elsewhere() -> None:
    parsed = postcode_parse("L8 1OB")
    assert parsed is not None
    assert not parsed.valid


def test_splits_liverpool_postcode_into_parts() -> None:
    parsed = postcode_parse("l81ab")
    assert parsed is not None
    assert (parsed.canonical, parsed.sector, parsed.district, parsed.area) == (
        "L8 1AB",
        "L8 1",
        "L8",
        "L",
    )


def test_accepts_the_girobank_postcode() -> None:
    parsed = postcode_parse("gir0aa")
    assert parsed is not None
    assert parsed.valid
    assert parsed.canonical == "GIR 0AA"


@pytest.mark.parametrize(
    "raw",
    ["Q1 1AA", "V1 1AA", "X1 1AA", "LI1 1AA", "L8 1CA", "L8 1AI", "L8 AAA", "L8 1AB2", "HELLO"],
)
def test_rejects_values_outside_the_postcode_format(raw: str) -> None:
    parsed = postcode_parse(raw)
    assert parsed is not None
    assert not parsed.valid
    assert parsed.canonical is None


def test_keeps_invalid_postcode_cleaned_rather_than_losing_it() -> None:
    parsed = postcode_parse("  xx1   1aa ")
    assert parsed is not None
    assert parsed.raw == "XX1 1AA"
    assert parsed.canonical is None


def test_keeps_district_of_an_outward_code_on_its_own() -> None:
    parsed = postcode_parse(" l8 ")
    assert parsed is not None
    assert not parsed.valid
    assert (parsed.district, parsed.area, parsed.sector) == ("L8", "L", None)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_gives_nothing_for_blank_postcode(raw: str | None) -> None:
    assert postcode_parse(raw) is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("12 Hope Street, Liverpool L1 9BH", "L1 9BH"),
        ("12 hope street liverpool l19bh", "L1 9BH"),
        ("Flat 2B, 7 Bold St, Liverpool, L1 4DS.", "L1 4DS"),
        ("Unit B1 2AB moved to L8 1AB", "L8 1AB"),
        ("No postcode here", None),
        ("", None),
        (None, None),
    ],
)
def test_finds_postcode_inside_free_text(text: str | None, found: str | None) -> None:
    assert postcode_find(text) == found


@given(outward_codes, inward_codes)
def test_finds_any_valid_postcode_at_the_end_of_an_address(outward: str, inward: str) -> None:
    assert postcode_find(f"12 Hope Street, Liverpool {outward}{inward}") == f"{outward} {inward}"
