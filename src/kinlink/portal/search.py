"""Fuzzy, nickname-tolerant name matching for the child search (pure; no Django).

Uses the identity package's name keys and nickname table, so "Bobby Smyth" finds Robert
Smith: a forename matches its nicknames and formal forms, a surname matches with one
letter slipped, and any name a person's records carry (preferred, middle) counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinlink.identity.names import forename_canonical, forename_variants, name_key


def _one_edit(a: str, b: str) -> bool:
    """At most one insertion, deletion or substitution between ``a`` and ``b``."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 3:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)) :] == b[i + 1 :]


@dataclass(frozen=True)
class NameQuery:
    forename: str | None
    surname: str | None
    variants: frozenset[str]
    canonical: str | None


def name_query(text: str) -> NameQuery | None:
    """Split typed text into forename and surname: one word matches either."""
    key = name_key(text)
    if not key:
        return None
    words = key.split()
    if len(words) == 1:
        return NameQuery(None, None, forename_variants(words[0]) | {words[0]}, words[0])
    first, last = words[0], words[-1]
    return NameQuery(first, last, forename_variants(first), forename_canonical(first))


def name_score(
    q: NameQuery, *, forename_key: str, forename_canon: str, surname_key: str, other_names: str
) -> int:
    """0 for no match; higher is better (exact beats nickname beats a slip)."""
    others = set(other_names.split())
    first = forename_key.split(" ", 1)[0] if forename_key else ""
    if q.forename is None:  # one word: a forename (or its nicknames) or a surname
        word = q.canonical or ""
        if word in (first, surname_key) or word in others:
            return 3
        if first in q.variants or forename_canon == word or others & q.variants:
            return 2
        if surname_key and any(_one_edit(word, s) for s in surname_key.split()):
            return 1
        return 0
    fore = 0
    if q.forename == first or q.forename in others:
        fore = 3
    elif first in q.variants or (q.canonical and q.canonical == forename_canon):
        fore = 2
    elif others & q.variants or _one_edit(q.forename, first):
        fore = 1
    assert q.surname is not None
    sur = 0
    if q.surname == surname_key or q.surname in surname_key.split() or q.surname in others:
        sur = 3
    elif any(_one_edit(q.surname, s) for s in surname_key.split()):
        sur = 1
    return fore + sur if fore and sur else 0
