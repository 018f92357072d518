"""Address tokens for matching, and UPRN tidying."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinlink.identity import address_clean, address_tokens, uprn_is_plausible, uprn_normalise


def test_expands_abbreviations_and_drops_postcode_and_punctuation() -> None:
    assert address_tokens("12 Hope St., Liverpool L1 9BH") == ("12", "hope", "street", "liverpool")


@pytest.mark.parametrize(
    ("raw", "tokens"),
    [
        ("3 Acacia Ave", ("3", "acacia", "avenue")),
        ("3 Acacia Av", ("3", "acacia", "avenue")),
        ("4 Park Cres", ("4", "park", "crescent")),
        ("5 Oak Cl", ("5", "oak", "close")),
        ("6 Elm Dr", ("6", "elm", "drive")),
        ("7 Mill Ln", ("7", "mill", "lane")),
        ("8 Village Grn", ("8", "village", "green")),
        ("9 Regent Ct", ("9", "regent", "court")),
        ("10 Abbey Pl", ("10", "abbey", "place")),
        ("11 Rodney Sq", ("11", "rodney", "square")),
        ("12 Church Ter", ("12", "church", "terrace")),
        ("13 Church Terr", ("13", "church", "terrace")),
        ("14 Princes Gdns", ("14", "princes", "gardens")),
        ("Flt 2, 15 High Rd", ("flat", "2", "15", "high", "road")),
    ],
)
def test_expands_each_standard_abbreviation(raw: str, tokens: tuple[str, ...]) -> None:
    assert address_tokens(raw) == tokens


def test_reads_st_at_the_start_of_a_part_as_saint() -> None:
    assert address_tokens("4 Duke St, St Helens") == ("4", "duke", "street", "saint", "helens")


def test_reads_st_after_house_number_as_saint() -> None:
    assert address_tokens("12 St John's Rd") == ("12", "saint", "johns", "road")


def test_drops_repeated_tokens_keeping_first_order() -> None:
    assert address_tokens("1 Hope St, Liverpool, LIVERPOOL") == ("1", "hope", "street", "liverpool")


def test_abbreviated_and_full_addresses_share_tokens() -> None:
    assert address_tokens("22 Lark Ln, Liverpool L17 8UU") == address_tokens(
        "22 LARK LANE LIVERPOOL L178UU"
    )


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_gives_no_tokens_for_blank_address(raw: str | None) -> None:
    assert address_tokens(raw) == ()


@given(st.text())
def test_address_tokens_are_lower_case_words_without_repeats(raw: str) -> None:
    tokens = address_tokens(raw)
    assert len(set(tokens)) == len(tokens)
    assert all(t and t == t.casefold() and " " not in t and t.isalnum() for t in tokens)


def test_cleans_address_for_display() -> None:
    assert address_clean("  12  Hope St ,  Liverpool\u00a0 ") == "12 Hope St, Liverpool"
    assert address_clean(" , ") is None
    assert address_clean(None) is None


@pytest.mark.parametrize(
    ("raw", "uprn"),
    [
        ("100012345678", "100012345678"),
        ("100012345678.0", "100012345678"),
        (" 000038012345 ", "38012345"),
        ("12", "12"),
        ("", None),
        (None, None),
    ],
)
def test_normalises_uprn(raw: str | None, uprn: str | None) -> None:
    assert uprn_normalise(raw) == uprn


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1.00012E+11", "scientific notation"),
        ("UPRN 123", "not a whole number"),
        ("12.5", "not a whole number"),
        ("-12", "not a whole number"),
        ("1234567890123", "at most 12"),
    ],
)
def test_refuses_uprn_that_is_not_a_whole_number_of_up_to_12_digits(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        uprn_normalise(raw)


@given(st.integers(1, 10**12 - 1), st.sampled_from(["{}", "000{}", "{}.0", " {}.00 "]))
def test_recovers_uprn_written_by_spreadsheets(number: int, shape: str) -> None:
    uprn = uprn_normalise(shape.format(number))
    assert uprn == str(number)
    assert uprn_is_plausible(uprn)


@pytest.mark.parametrize("uprn", [None, "", "0", "0123", "1234567890123", "12a", "１２"])
def test_rejects_implausible_uprn(uprn: str | None) -> None:
    assert not uprn_is_plausible(uprn)
