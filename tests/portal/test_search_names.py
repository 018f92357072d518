"""Fuzzy name matching: nicknames, formal names and one-letter slips."""

from __future__ import annotations

from kinlink.portal.search import name_query, name_score


def score(text: str, fore: str, sur: str, others: str = "") -> int:
    q = name_query(text)
    assert q is not None
    from kinlink.identity.names import forename_canonical

    return name_score(q, forename_key=fore, forename_canon=forename_canonical(fore) or "",
                      surname_key=sur, other_names=others)  # fmt: skip


def test_nickname_finds_the_formal_name():
    assert score("Bobby Smith", "robert", "smith") > 0


def test_one_letter_slip_in_the_surname_is_tolerated():
    assert score("Robert Smyth", "robert", "smith") > 0


def test_a_different_person_is_not_found():
    assert score("Jack Jones", "robert", "smith") == 0


def test_exact_beats_nickname():
    assert score("Robert Smith", "robert", "smith") > score("Bob Smith", "robert", "smith")
