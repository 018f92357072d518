"""Address tokens for matching, and UPRN tidying.

Addresses are typed freely: abbreviations (Rd, St, Ave), punctuation, the postcode inside
the line, the town repeated. Matching compares sets of tokens with those differences
removed. The UPRN, when present, is the better household key; spreadsheets mangle it into
``100012345678.0`` or scientific notation, and only the first is recoverable.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kinlink.identity.names import _key_uncached, clean_text
from kinlink.identity.postcodes import POSTCODE_IN_TEXT

_ABBREVIATIONS: dict[str, str] = {
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "cres": "crescent",
    "cl": "close",
    "dr": "drive",
    "ln": "lane",
    "grn": "green",
    "ct": "court",
    "pl": "place",
    "sq": "square",
    "ter": "terrace",
    "terr": "terrace",
    "gdns": "gardens",
    "flt": "flat",
}
_SEGMENTS = re.compile(r"[,;\n]+")
_UPRN = re.compile(r"0*(\d+?)(?:\.0*)?")
_CACHE_SIZE = 1 << 17


def _segment_tokens(segment: str) -> list[str]:
    """Tokens of one comma-separated part, with abbreviations expanded.

    "St" is Street after a word (Hope St) but Saint at the start of a part or after a house
    number (St Helens, 12 St John's Road), where expanding it to street would be wrong.
    """
    words = (_key_uncached(segment) or "").split()
    out: list[str] = []
    for i, word in enumerate(words):
        if word == "st":
            previous = words[i - 1] if i else ""
            out.append("street" if previous and not previous[0].isdigit() else "saint")
        else:
            out.append(_ABBREVIATIONS.get(word, word))
    return out


@lru_cache(maxsize=_CACHE_SIZE)
def _tokens(raw: str) -> tuple[str, ...]:
    without_postcode = POSTCODE_IN_TEXT.sub(",", raw.upper())
    seen: dict[str, None] = {}
    for segment in _SEGMENTS.split(without_postcode):
        for token in _segment_tokens(segment):
            seen.setdefault(token)
    return tuple(seen)


def address_tokens(raw: str | None) -> tuple[str, ...]:
    """Lower-case matching tokens of an address, in order, without repeats.

    Punctuation is dropped (apostrophes joined, as in names), the postcode removed (it is
    compared separately) and common abbreviations expanded: Rd to road, Ave to avenue, and
    so on, with St read as street or saint by position.
    """
    if not raw:
        return ()
    return _tokens(raw)


def address_clean(raw: str | None) -> str | None:
    """The display form: whitespace collapsed, stray spaces before commas removed."""
    cleaned = clean_text(raw)
    if cleaned is None:
        return None
    return cleaned.replace(" ,", ",").strip(" ,") or None


def uprn_normalise(raw: str | None) -> str | None:
    """The UPRN as digits without leading zeros; None for blank.

    A trailing ``.0`` from a spreadsheet is accepted. Anything else that is not 1-12 digits
    raises ``ValueError`` (ingest quarantines the row), including scientific notation such
    as ``1.00012E+11``, whose lost digits cannot be recovered.
    """
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    found = _UPRN.fullmatch(text) if text.isascii() else None
    if found is None:
        lossy = "E" in text.upper()
        hint = " (scientific notation from a spreadsheet loses digits)" if lossy else ""
        raise ValueError(f"UPRN '{text}' is not a whole number{hint}")
    digits = found.group(1)
    if len(digits) > 12:
        raise ValueError(f"UPRN '{text}' has {len(digits)} digits; a UPRN has at most 12")
    return digits


def uprn_is_plausible(uprn: str | None) -> bool:
    """True for 1-12 digits without a leading zero: the shape of an issued UPRN."""
    return (
        uprn is not None
        and 1 <= len(uprn) <= 12
        and uprn.isascii()
        and uprn.isdigit()
        and uprn[0] != "0"
    )
