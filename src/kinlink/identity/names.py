"""Name cleaning and matching keys.

Partner systems spell the same person differently: accents dropped or mangled by an
encoding (Siân, Zoë), apostrophes and hyphens kept or not (O'Brien, Smith-Jones), nicknames
and formal names mixed (Bobby, Robert). Linkage compares keys that erase those differences,
never the raw text. Keys are cached because the same names recur across millions of rows.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nicknames import NickNamer

_KEY_CACHE_SIZE = 1 << 18  # distinct names in a large council's feeds fit comfortably

# Letters that NFKD does not decompose into a base letter plus accents.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ł": "l",
        "ħ": "h",
        "ı": "i",
        "ŧ": "t",
        "ŋ": "n",
        # Apostrophes (straight, curly, grave, acute, modifier, prime) join, not split: O'Brien.
        "'": None,
        "\u2019": None,
        "\u2018": None,
        "`": None,
        "\u00b4": None,
        "\u02bc": None,
        "\u2032": None,
    }
)
_NON_WORD = re.compile(r"[\W_]+")
# Zero-width characters that survive str.split() and creep in from copy and paste.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def clean_text(raw: str | None) -> str | None:
    """Strip and collapse all whitespace (non-breaking spaces too); None when nothing is left.

    This is the display form: case and punctuation are kept.
    """
    if raw is None:
        return None
    if not raw.isascii():
        raw = raw.translate(_INVISIBLE)
    cleaned = " ".join(raw.split())
    return cleaned or None


def _fold(text: str) -> str:
    """Case-fold and strip accents, repeating until stable so that the key is idempotent.

    One pass is not always enough: compatibility forms can decompose to capitals (ℌ to H)
    and case folding can add combining marks (İ to i plus a dot).
    """
    if text.isascii():  # the common case: one pass is exact
        return text.lower().translate(_FOLD)
    for _ in range(3):
        folded = text.casefold().translate(_FOLD)
        if not folded.isascii():
            folded = "".join(
                c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
            )
        if folded == text:
            break
        text = folded
    return text


def _key_uncached(raw: str) -> str | None:
    """``name_key`` without the cache, for callers that cache larger units themselves."""
    key = " ".join(_NON_WORD.sub(" ", _fold(raw)).split())
    return key or None


_key = lru_cache(maxsize=_KEY_CACHE_SIZE)(_key_uncached)


def name_key(raw: str | None) -> str | None:
    """The matching key of a name: lower case, accents folded, apostrophes dropped.

    Hyphens and other punctuation become single spaces, so ``"Smith-Jones"`` and
    ``"Smith Jones"`` compare equal and ``"O'Brien"`` equals ``"OBrien"``. Letters of any
    script are kept. None for blank.
    """
    if raw is None:
        return None
    return _key(raw)


def name_tokens(raw: str | None) -> tuple[str, ...]:
    """The words of the key, for comparing hyphenated, double and swapped names."""
    key = name_key(raw)
    return tuple(key.split()) if key else ()


def initial(raw: str | None) -> str | None:
    """First letter of the key: some feeds carry only an initial for middle names."""
    key = name_key(raw)
    return key[0] if key else None


# --- nicknames -------------------------------------------------------------------------

# The nickname table is a general (largely American, partly historical) list. Where its
# links lead a common English diminutive to a rarer or cross-language formal name (Alex to
# Alexandria, Bill to Robert), the usual formal name is pinned here. Every target maps to
# itself.
_PREFERRED: dict[str, str] = {
    "abbie": "abigail",
    "abby": "abigail",
    "al": "alexander",
    "alex": "alexander",
    "alfie": "alfred",
    "andy": "andrew",
    "bill": "william",
    "billy": "william",
    "chris": "christopher",
    "dan": "daniel",
    "danny": "daniel",
    "deb": "deborah",
    "debbie": "deborah",
    "debby": "deborah",
    "dick": "richard",
    "drew": "andrew",
    "ellie": "eleanor",
    "jamie": "james",
    "jess": "jessica",
    "jessie": "jessica",
    "johnny": "john",
    "jon": "jonathan",
    "jonny": "jonathan",
    "kate": "katherine",
    "kathy": "katherine",
    "katie": "katherine",
    "katy": "katherine",
    "kris": "christopher",
    "mickey": "michael",
    "micky": "michael",
    "molly": "mary",
    "ned": "edward",
    "ollie": "oliver",
    "peggy": "margaret",
    "polly": "mary",
    "robbie": "robert",
    "sam": "samuel",
    "sammy": "samuel",
    "sandy": "alexander",
    "ted": "edward",
    "teddy": "edward",
    "tony": "anthony",
    "will": "william",
}

# Given names common in England that the table lists only as nicknames of rarer names
# (Lee of Ashley, Neil of Cornelius, Ian of John) or renames through a spelling variant
# (Deborah to Debbie): they stay as they are.
_STANDALONE = frozenset(
    {
        "amy",
        "carl",
        "deborah",
        "emma",
        "gary",
        "ian",
        "jo",
        "jonathan",
        "laura",
        "lee",
        "leon",
        "lewis",
        "lily",
        "lucy",
        "luke",
        "mark",
        "max",
        "megan",
        "millie",
        "neil",
        "nicky",
        "nikki",
        "noah",
        "shaun",
        "terry",
    }
)


class _Nicknames:
    """The nickname table, keyed like ``name_key``, with a rank used to pick canonicals."""

    __slots__ = ("canonicals", "nicknames")

    def __init__(self) -> None:
        namer = NickNamer()
        self.nicknames = _keyed(namer.nickname_lookup)
        self.canonicals = _keyed(namer.canonical_lookup)

    def hub(self, name: str) -> int:
        """How many nicknames a name has: the table's best proxy for how established it is."""
        return len(self.nicknames.get(name, ()))

    def outranks(self, other: str, name: str) -> bool:
        return (self.hub(other), len(other), other) > (self.hub(name), len(name), name)

    def mutual(self, a: str, b: str) -> bool:
        """Each lists the other as a nickname: the table's mark of the closest pairs."""
        return b in self.nicknames.get(a, ()) and a in self.nicknames.get(b, ())


def _keyed(lookup: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    keyed: dict[str, frozenset[str]] = {}
    for name, related in lookup.items():
        key = name_key(name)
        if key is None or " " in key:
            continue
        values = frozenset(k for k in map(name_key, related) if k and " " not in k and k != key)
        keyed[key] = keyed.get(key, frozenset()) | values
    return keyed


@lru_cache(maxsize=1)
def _table() -> _Nicknames:
    """Loaded on first use, so importing the package stays cheap."""
    return _Nicknames()


def _is_formal(table: _Nicknames, name: str) -> bool:
    """A name with three or more nicknames is a given name in its own right (John, Mary),
    unless a closer partner in a mutual pair outranks it (Bob and Robert)."""
    if table.hub(name) < 3:
        return False
    return not any(
        table.mutual(name, other) and table.outranks(other, name)
        for other in table.canonicals.get(name, ())
    )


def _step(table: _Nicknames, name: str) -> str | None:
    """The next name up from ``name``, or None when ``name`` is already canonical.

    A parent must outrank the name (so climbing always ends) and account for every
    nickname the name has of its own: Peter, with Pete, does not climb to Patrick.
    """
    preferred = _PREFERRED.get(name)
    if preferred is not None:
        return preferred
    if name in _STANDALONE or _is_formal(table, name):
        return None
    own = table.nicknames.get(name, frozenset())
    parents = [
        p
        for p in table.canonicals.get(name, ())
        if table.outranks(p, name) and own <= table.nicknames.get(p, frozenset()) | {p}
    ]
    if not parents:
        return None
    return min(
        parents,
        key=lambda p: (not table.mutual(name, p), -table.hub(p), -len(p), p),
    )


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def _canonical(first: str) -> str:
    table = _table()
    name = first
    seen = {name}
    while (nxt := _step(table, name)) is not None and nxt not in seen:
        seen.add(nxt)
        name = nxt
    return name


def forename_canonical(raw: str | None) -> str | None:
    """The formal name behind the first forename, so Bobby, Bob and Robert block together.

    Uses the ``nicknames`` table. A name established in its own right (three or more
    nicknames of its own, or on a short list of common English given names) maps to itself.
    Otherwise it climbs to a canonical that covers all its own nicknames, choosing its
    mutual partner in the table if it has one, else the canonical with most nicknames
    (the table's proxy for most common), then the longest, then the alphabetically first.
    Common English diminutives whose table links mislead are pinned (Bill to William). A
    name the table does not know maps to itself. The result always maps to itself.
    """
    key = name_key(raw)
    if key is None:
        return None
    return _canonical(key.split(" ", 1)[0])


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def _variants(first: str) -> frozenset[str]:
    table = _table()
    canonical = _canonical(first)
    return (
        frozenset((first, canonical))
        | table.canonicals.get(first, frozenset())
        | table.nicknames.get(first, frozenset())
        | table.nicknames.get(canonical, frozenset())
    )


def forename_variants(raw: str | None) -> frozenset[str]:
    """Every name the first forename may stand for or be written as, for fuzzy comparison.

    The key itself, its canonicals, its nicknames, and its chosen canonical with that
    name's nicknames. Empty for blank.
    """
    key = name_key(raw)
    if key is None:
        return frozenset()
    return _variants(key.split(" ", 1)[0])
