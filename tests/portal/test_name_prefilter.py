"""The database pre-filter of the name search never loses a match the scoring would find."""

from __future__ import annotations

import random

from kinlink.portal.models import Person
from kinlink.portal.search import name_query, name_score
from kinlink.portal.views import _name_prefilter


def _matches(query_text: str, people: list[tuple[str, str, str, str, str]]) -> set[str]:
    query = name_query(query_text)
    assert query is not None
    return {
        pk
        for pk, fk, fc, sk, other in people
        if name_score(query, forename_key=fk, forename_canon=fc, surname_key=sk, other_names=other)
    }


def test_prefilter_keeps_every_scored_match(db: object) -> None:
    fields = ("pk", "forename_key", "forename_canonical", "surname_key", "other_names")
    people = list(Person.objects.values_list(*fields))
    assert people
    rng = random.Random(7)
    queries = []
    for _, fk, _, sk, _ in rng.sample(people, 40):
        forename, surname = (fk or "x").split()[0], (sk or "x").split()[0]
        slip = surname[:1] + surname[2:] if len(surname) > 3 else surname  # one letter lost
        queries += [f"{forename} {surname}", f"{forename} {slip}", surname, forename, slip]
    for text in queries:
        query = name_query(text)
        assert query is not None
        kept = set(Person.objects.filter(_name_prefilter(query)).values_list("pk", flat=True))
        assert _matches(text, people) <= kept, text
