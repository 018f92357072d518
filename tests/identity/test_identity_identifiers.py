"""UPN, NHS number and ULN checks, with worked examples and property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinlink.identity import (
    UPN_ALPHABET,
    nhs_check_digit,
    nhs_number_is_valid,
    nhs_number_make,
    nhs_number_normalise,
    uln_check_digit,
    uln_is_valid,
    uln_make,
    uln_normalise,
    upn_check_letter,
    upn_is_valid,
    upn_make,
    upn_normalise,
)

# --- UPN -------------------------------------------------------------------------------

# Permanent UPN for LA 341, establishment 2001, year 24, serial 001: body 341200124001.
#   position: 2  3  4  5  6  7  8  9  10 11 12 13
#   digit:    3  4  1  2  0  0  1  2  4  0  0  1
#   x weight: 6 +12 +4 +10 +0 +0 +8 +18 +40 +0 +0 +13 = 111
#   111 mod 23 = 19 -> UPN_ALPHABET[19] = "W"
PERMANENT_UPN = "W341200124001"

# Temporary UPN: same first eleven body characters, letter T in position 13.
#   positions 2-12 as above: 6+12+4+10+0+0+8+18+40+0+0 = 98
#   T is index 16 in ABCDEFGHJKLMNPQRTUVWXYZ, so position 13 adds 16 x 13 = 208
#   98 + 208 = 306; 306 mod 23 = 7 -> UPN_ALPHABET[7] = "H"
TEMPORARY_UPN = "H34120012400T"


def test_computes_upn_check_letter_as_worked_by_hand() -> None:
    assert upn_check_letter("341200124001") == "W"


def test_computes_temporary_upn_check_letter_from_letter_index() -> None:
    assert upn_check_letter("34120012400T") == "H"


@pytest.mark.parametrize("upn", [PERMANENT_UPN, TEMPORARY_UPN])
def test_accepts_upn_with_correct_check_letter(upn: str) -> None:
    assert upn_is_valid(upn)


@pytest.mark.parametrize(
    "upn",
    [
        "X341200124001",  # wrong check letter
        "W341200124002",  # serial typo
        "W34120012400",  # 12 characters
        "W3412001240011",  # 14 characters
        "I341200124001",  # I is not in the check alphabet
        "W3412001240A1",  # letter before position 13
        "H34120012400I",  # I is not allowed in position 13 either
        "w341200124001",  # lower case: normalise first
        "",
    ],
)
def test_rejects_malformed_or_mistyped_upn(upn: str) -> None:
    assert not upn_is_valid(upn)


def test_rejects_missing_upn() -> None:
    assert not upn_is_valid(None)


@pytest.mark.parametrize("body", ["34120012400", "3412001240011", "3412001240A1", "34120012400O"])
def test_refuses_check_letter_for_malformed_body(body: str) -> None:
    with pytest.raises(ValueError, match="UPN body|last character"):
        upn_check_letter(body)


def test_normalises_upn_spacing_and_case() -> None:
    assert upn_normalise("  w341 2001 24001 ") == PERMANENT_UPN
    assert upn_normalise("   ") is None
    assert upn_normalise(None) is None


@given(
    la=st.integers(0, 999),
    estab=st.integers(0, 9999),
    year2=st.integers(0, 99),
    serial=st.integers(0, 999),
)
def test_every_generated_upn_is_valid(la: int, estab: int, year2: int, serial: int) -> None:
    upn = upn_make(la, estab, year2, serial)
    assert len(upn) == 13
    assert upn[1:] == f"{la:03d}{estab:04d}{year2:02d}{serial:03d}"
    assert upn_is_valid(upn)


@given(
    body=st.text("0123456789", min_size=11, max_size=11),
    last=st.sampled_from(UPN_ALPHABET),
)
def test_temporary_upn_with_its_check_letter_is_valid(body: str, last: str) -> None:
    full = body + last
    assert upn_is_valid(upn_check_letter(full) + full)


@given(
    upn=st.builds(
        upn_make, st.integers(0, 999), st.integers(0, 9999), st.integers(0, 99), st.integers(0, 999)
    ),
    position=st.integers(1, 12),
    shift=st.integers(1, 9),
)
def test_any_single_digit_typo_invalidates_upn(upn: str, position: int, shift: int) -> None:
    # weight (2-13) times a digit change (1-9) is never a multiple of the prime 23
    typo = str((int(upn[position]) + shift) % 10)
    assert not upn_is_valid(upn[:position] + typo + upn[position + 1 :])


def test_refuses_to_make_upn_from_out_of_range_parts() -> None:
    with pytest.raises(ValueError, match="estab"):
        upn_make(341, 10000, 24, 1)


# --- NHS number ------------------------------------------------------------------------

# 9434765919: 9x10 + 4x9 + 3x8 + 4x7 + 7x6 + 6x5 + 5x4 + 9x3 + 1x2
#           = 90 + 36 + 24 + 28 + 42 + 30 + 20 + 27 + 2 = 299
#   299 mod 11 = 2; 11 - 2 = 9, the tenth digit.


def test_accepts_nhs_number_with_correct_check_digit() -> None:
    assert nhs_check_digit("943476591") == 9
    assert nhs_number_is_valid("9434765919")


def test_flags_nhs_number_when_check_digit_fails() -> None:
    assert not nhs_number_is_valid("9434765918")


def test_reports_no_check_digit_when_remainder_gives_ten() -> None:
    # 943476596: 90+36+24+28+42+30+20+27+12 = 309; 309 mod 11 = 1; 11 - 1 = 10: no number
    assert nhs_check_digit("943476596") is None
    assert not any(nhs_number_is_valid(f"943476596{d}") for d in range(10))


def test_maps_check_value_eleven_to_zero() -> None:
    # 300000010: 3x10 + 1x3 = 33; 33 mod 11 = 0; 11 - 0 = 11, written as 0
    assert nhs_check_digit("300000010") == 0
    assert nhs_number_is_valid("3000000100")


@pytest.mark.parametrize(
    "nhs", ["943476591", "94347659199", "943476591X", "９４３４７６５９１９", "", None]
)
def test_rejects_nhs_number_of_wrong_shape(nhs: str | None) -> None:
    assert not nhs_number_is_valid(nhs)


def test_normalises_nhs_number_spacing_and_hyphens_but_keeps_bad_values() -> None:
    assert nhs_number_normalise(" 943 476 5919 ") == "9434765919"
    assert nhs_number_normalise("943-476-5919") == "9434765919"
    assert nhs_number_normalise("943\u2013476\u20135919") == "9434765919"
    assert nhs_number_normalise("943 476 591") == "943476591"
    assert nhs_number_normalise("unknown") == "unknown"
    assert nhs_number_normalise("  ") is None
    assert nhs_number_normalise(None) is None


def test_refuses_nhs_check_digit_for_malformed_prefix() -> None:
    with pytest.raises(ValueError, match="9 digits"):
        nhs_check_digit("94347659")


@given(st.integers(min_value=0, max_value=10**12))
def test_every_generated_nhs_number_is_valid_and_in_test_range(seed: int) -> None:
    nhs = nhs_number_make(seed)
    assert nhs.startswith("999")
    assert nhs_number_is_valid(nhs)


@given(st.integers(0, 899_999), st.integers(0, 899_999))
def test_distinct_seeds_give_distinct_nhs_numbers(a: int, b: int) -> None:
    assert (nhs_number_make(a) == nhs_number_make(b)) == (a == b)


def test_nhs_number_generation_is_deterministic() -> None:
    assert [nhs_number_make(s) for s in range(50)] == [nhs_number_make(s) for s in range(50)]


@given(
    st.integers(0, 899_999).map(nhs_number_make),
    st.integers(0, 9),
    st.integers(1, 9),
)
def test_any_single_digit_change_invalidates_nhs_number(
    nhs: str, position: int, shift: int
) -> None:
    changed = str((int(nhs[position]) + shift) % 10)
    assert not nhs_number_is_valid(nhs[:position] + changed + nhs[position + 1 :])


@given(st.integers(0, 899_999).map(nhs_number_make), st.integers(0, 8))
def test_transposing_adjacent_different_digits_invalidates_nhs_number(
    nhs: str, position: int
) -> None:
    a, b = nhs[position], nhs[position + 1]
    swapped = nhs[:position] + b + a + nhs[position + 2 :]
    assert nhs_number_is_valid(swapped) == (a == b)


# --- ULN -------------------------------------------------------------------------------

# 9276308686 (the HESA worked example): 9x10 + 2x9 + 7x8 + 6x7 + 3x6 + 0x5 + 8x4 + 6x3 + 8x2
#   = 90 + 18 + 56 + 42 + 18 + 0 + 32 + 18 + 16 = 290; 290 mod 11 = 4; 10 - 4 = 6.
# 1000102504: 10 + 1x6 + 2x4 + 5x3 + 0x2 = 39; 39 mod 11 = 6; 10 - 6 = 4.


@pytest.mark.parametrize("uln", ["9276308686", "1000102504"])
def test_accepts_uln_with_correct_check_digit(uln: str) -> None:
    assert uln_is_valid(uln)


def test_computes_uln_check_digit_as_worked_by_hand() -> None:
    assert uln_check_digit("927630868") == 6


@pytest.mark.parametrize("uln", ["9276308687", "927630868", "92763086861", "", None])
def test_flags_uln_with_wrong_check_digit_or_length(uln: str | None) -> None:
    assert not uln_is_valid(uln)


def test_rejects_uln_starting_with_zero_even_if_checksum_passes() -> None:
    # 012345678: 0 + 9 + 16 + 21 + 24 + 25 + 24 + 21 + 16 = 156; 156 mod 11 = 2; 10 - 2 = 8
    assert uln_check_digit("012345678") == 8
    assert not uln_is_valid("0123456788")


def test_reports_no_uln_check_digit_when_remainder_is_zero() -> None:
    # 100000006: 1x10 + 6x2 = 22; 22 mod 11 = 0
    assert uln_check_digit("100000006") is None


def test_normalises_uln_spacing() -> None:
    assert uln_normalise(" 92763 08686 ") == "9276308686"
    assert uln_normalise("") is None


@given(st.integers(min_value=0, max_value=10**15))
def test_every_generated_uln_is_valid(seed: int) -> None:
    assert uln_is_valid(uln_make(seed))


@given(st.integers(0, 10**9).map(uln_make), st.integers(0, 9), st.integers(1, 9))
def test_any_single_digit_change_invalidates_uln(uln: str, position: int, shift: int) -> None:
    changed = str((int(uln[position]) + shift) % 10)
    assert not uln_is_valid(uln[:position] + changed + uln[position + 1 :])
