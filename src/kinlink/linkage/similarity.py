"""String similarity for the twin guard, matching DuckDB's functions used in the model.

Only called when two clusters about to merge share a date of birth, so plain Python with
a cache is fast enough.
"""

from __future__ import annotations

from functools import lru_cache

from kinlink.linkage.nicknames import variants_of


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps).

    Exact up to 1; for strings whose lengths differ by two or more it returns the length
    difference, a lower bound, because callers only ask "at most one edit?".
    """
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > 1 and min(la, lb) > 0:
        # more than one edit apart for sure when lengths differ by two or more
        return abs(la - lb)
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        for j in range(1, lb + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[lb]


def jaro_winkler(a: str, b: str, prefix_scale: float = 0.1) -> float:
    """Jaro-Winkler similarity in [0, 1]."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if la == 0 or lb == 0:
        return 0.0
    window = max(max(la, lb) // 2 - 1, 0)
    matched_a = [False] * la
    matched_b = [False] * lb
    matches = 0
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(lb, i + window + 1)):
            if not matched_b[j] and b[j] == ch:
                matched_a[i] = matched_b[j] = True
                matches += 1
                break
    if matches == 0:
        return 0.0
    sa = [a[i] for i in range(la) if matched_a[i]]
    sb = [b[j] for j in range(lb) if matched_b[j]]
    transpositions = sum(x != y for x, y in zip(sa, sb, strict=True)) / 2
    jaro = (matches / la + matches / lb + (matches - transpositions) / matches) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * prefix_scale * (1 - jaro)


#: The longest name taken as the start of a longer one cut short (Geo, Cha).
ABBREVIATION = 3


@lru_cache(maxsize=1 << 16)
def names_compatible(a: str, b: str) -> bool:
    """Could one person be recorded under first names ``a`` and ``b``?

    Yes for the same name, a nickname or formal form of it, an initial or a name cut
    short to its first two or three letters (Geo for George, a field cut off), or a
    keying slip (one edit, or Jaro-Winkler at least 0.89). No for two different given
    names, including the similar names parents give twins (Jack and Jake, Lily and Lola).
    """
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) <= ABBREVIATION and long.startswith(short):
        return True
    if b in variants_of(a) or a in variants_of(b):
        return True
    return osa_distance(a, b) <= 1 or jaro_winkler(a, b) >= 0.89


#: (surname word, first name, first name) with the names sorted: names known to belong to
#: two people of that surname, because one source row lists both (twins Leo and Leon).
DistinctNames = frozenset[tuple[str, str, str]]


def any_compatible(
    xs: set[str],
    ys: set[str],
    distinct: DistinctNames = frozenset(),
    surnames: frozenset[str] = frozenset(),
) -> bool:
    """Whether some name in ``xs`` could be the same person's as some name in ``ys``."""
    if not xs.isdisjoint(ys):
        return True
    for x in xs:
        for y in ys:
            if not names_compatible(x, y):
                continue
            low, high = min(x, y), max(x, y)
            if not any((s, low, high) in distinct for s in surnames):
                return True
    return False


def _split_names(values: set[str]) -> tuple[set[str], set[str]]:
    """``f:`` first names and ``s:`` surname words of a twin-guard value set."""
    return {v[2:] for v in values if v.startswith("f:")}, {
        v[2:] for v in values if v.startswith("s:")
    }


def names_compatible_at_dob(
    xs: set[str], ys: set[str], distinct: DistinctNames = frozenset()
) -> bool:
    """The twin guard's test on two sides' names at one date of birth.

    Values are ``f:<first name>`` (legal, preferred or middle) and ``s:<surname word>``.
    Compatible when some first names are (and are not a pair known to be two people of a
    shared surname), or when the names are swapped (a first name of one side could be a
    surname word of the other, and the other way round: the same, or a slip apart, since
    a clerk who swaps the fields seldom types both perfectly).
    """
    (fx, sx), (fy, sy) = _split_names(xs), _split_names(ys)
    if not fx or not fy or any_compatible(fx, fy, distinct, frozenset(sx & sy)):
        return True
    return _swap_compatible(fx, sy) and _swap_compatible(sx, fy)


def _swap_compatible(firsts: set[str], surnames: set[str]) -> bool:
    """Some first name of one side could be the same name as a surname word of the other."""
    if not firsts.isdisjoint(surnames):
        return True
    return any(names_compatible(f, s) for f in firsts for s in surnames)


@lru_cache(maxsize=1 << 16)
def dob_pair_compatible(a: str, b: str) -> bool:
    """Could ISO dates ``a`` and ``b`` be one person's date of birth, written with a slip?"""
    if a == b or osa_distance(a, b) <= 1:
        return True
    ya, ma, da = a.split("-")
    yb, mb, db = b.split("-")
    if ya == yb and ma == db and da == mb:
        return True
    return ma == mb and da == db and abs(int(ya) - int(yb)) <= 10


def dobs_compatible(xs: set[str], ys: set[str]) -> bool:
    """Whether some date in ``xs`` could be the same person's as some date in ``ys``."""
    if not xs.isdisjoint(ys):
        return True
    return any(dob_pair_compatible(x, y) for x in xs for y in ys)
