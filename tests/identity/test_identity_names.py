"""Name cleaning, matching keys and nickname canonicals."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nicknames import NickNamer

from kinlink.identity import (
    clean_text,
    forename_canonical,
    forename_variants,
    initial,
    name_key,
    name_tokens,
)
from kinlink.identity.names import _PREFERRED, _STANDALONE


def test_collapses_whitespace_including_non_breaking_spaces() -> None:
    assert clean_text("  Mary\u00a0 Ann\tJones \n") == "Mary Ann Jones"


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0\u2007", "\u200b"])
def test_treats_blank_text_as_missing(raw: str | None) -> None:
    assert clean_text(raw) is None


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Siân", "sian"),
        ("ZOË", "zoe"),
        ("Zoe\u0308", "zoe"),  # decomposed diaeresis, as some systems store it
        ("Chloé-Anne", "chloe anne"),
        ("O'Brien", "obrien"),
        ("O\u2019Brien", "obrien"),
        ("Smith-Jones", "smith jones"),
        ("Smith  -  Jones", "smith jones"),
        ("  MCDONALD ", "mcdonald"),
        ("Søren", "soren"),
        ("Ærø", "aero"),
        ("Weiß", "weiss"),
        ("Łukasz", "lukasz"),
        ("Ольга", "ольга"),
        ("J.R.", "j r"),
    ],
)
def test_folds_names_to_matching_key(raw: str, key: str) -> None:
    assert name_key(raw) == key


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "'", " ' - . "])
def test_gives_no_key_for_blank_or_punctuation_only_names(raw: str | None) -> None:
    assert name_key(raw) is None


@given(st.text())
def test_name_key_is_idempotent(raw: str) -> None:
    key = name_key(raw)
    assert name_key(key) == key


@given(st.text())
def test_name_key_has_no_capitals_punctuation_or_stray_spaces(raw: str) -> None:
    key = name_key(raw)
    if key is not None:
        assert key == key.strip()
        assert "  " not in key
        assert all(c.isalnum() or c == " " for c in key)
        assert key == key.casefold()


_MARKS = ["", "\u0301", "\u0300", "\u0302", "\u0308", "\u0327", "\u030c", "\u0303"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            st.sampled_from(_MARKS),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_accented_and_plain_spellings_share_a_key(letters: list[tuple[str, str]]) -> None:
    plain = "".join(letter for letter, _ in letters)
    accented = unicodedata.normalize("NFC", "".join(letter + mark for letter, mark in letters))
    assert name_key(accented) == plain.lower()


def test_splits_key_into_tokens() -> None:
    assert name_tokens("Smith-Jones") == ("smith", "jones")
    assert name_tokens("  ") == ()


def test_takes_initial_from_key() -> None:
    assert initial(" émile ") == "e"
    assert initial(None) is None


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Bobby", "robert"),
        ("bob", "robert"),
        ("Rob", "robert"),
        ("Robert", "robert"),
        ("Liz", "elizabeth"),
        ("Beth", "elizabeth"),
        ("Jack", "john"),
        ("John", "john"),
        ("Bill", "william"),
        ("Mike", "michael"),
        ("Michael", "michael"),
        ("Tom", "thomas"),
        ("Alex", "alexander"),
        ("Alexandra", "alexandra"),
        ("Peggy", "margaret"),
        ("Mary", "mary"),
        ("Peter", "peter"),
        ("Lee", "lee"),
        ("Bobby-Jo", "robert"),
        ("Zainab", "zainab"),
    ],
)
def test_maps_forename_to_canonical_formal_name(raw: str, canonical: str) -> None:
    assert forename_canonical(raw) == canonical


def test_gives_no_canonical_for_blank_forename() -> None:
    assert forename_canonical("  ") is None


def _table_names() -> list[str]:
    namer = NickNamer()
    names = set(namer.nickname_lookup) | set(namer.canonical_lookup)
    return sorted(n for n in names if n.isalpha())


@given(st.sampled_from(_table_names()))
def test_canonical_of_a_canonical_is_itself(name: str) -> None:
    canonical = forename_canonical(name)
    assert canonical is not None
    assert forename_canonical(canonical) == canonical


@pytest.mark.parametrize("target", sorted(set(_PREFERRED.values()) | _STANDALONE))
def test_pinned_and_standalone_names_map_to_themselves(target: str) -> None:
    assert forename_canonical(target) == target


def test_variants_link_nickname_and_formal_name_both_ways() -> None:
    assert {"bobby", "robert"} <= forename_variants("Bobby")
    assert {"bobby", "bob", "robert"} <= forename_variants("Robert")
    assert "robert" not in forename_variants("Peter")


def test_variants_of_unknown_name_are_just_the_name() -> None:
    assert forename_variants("Zainab") == frozenset({"zainab"})
    assert forename_variants(None) == frozenset()
