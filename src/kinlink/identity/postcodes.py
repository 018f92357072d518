"""UK postcodes: one canonical spelling, and the parts used for area-level matching.

Feeds write the same postcode as ``l81ab``, ``L8 1AB`` or ``L8  1AB``, and keyboard
typists put a letter O for the zero of the inward code. Families move, so a postcode is
weak evidence on its own; its sector and district still help blocking and reporting.
Parses are cached because a city has far fewer postcodes than rows.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kinlink.identity.models import Postcode

# The postcode format as published for validation: restricted letters in each position.
_OUTWARD_RE = r"[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRVWXY])"
_INWARD_RE = r"\d[ABD-HJLNP-UW-Z]{2}"
_OUTWARD = re.compile(_OUTWARD_RE)
_INWARD = re.compile(_INWARD_RE)
_GIRO = "GIR0AA"  # the one postcode outside the format (the old Girobank)

# A postcode inside free text, at word boundaries, with or without the space.
POSTCODE_IN_TEXT = re.compile(rf"\b(?:GIR *0AA|{_OUTWARD_RE} *{_INWARD_RE})\b")

_CACHE_SIZE = 1 << 17


def _area(outward: str) -> str:
    return outward[:2] if outward[1:2].isalpha() else outward[:1]


@lru_cache(maxsize=_CACHE_SIZE)
def _parse(raw: str) -> Postcode | None:
    cleaned = " ".join(raw.split()).upper()
    if not cleaned:
        return None
    compact = cleaned.replace(" ", "")
    if 5 <= len(compact) <= 7:
        outward, inward = compact[:-3], compact[-3:]
        if inward[0] == "O":  # only the inward digit: elsewhere a letter O is legitimate
            inward = "0" + inward[1:]
        if outward + inward == _GIRO or (_OUTWARD.fullmatch(outward) and _INWARD.fullmatch(inward)):
            area = "GIR" if outward == "GIR" else _area(outward)
            return Postcode(
                raw=cleaned,
                canonical=f"{outward} {inward}",
                valid=True,
                outward=outward,
                inward=inward,
                sector=f"{outward} {inward[0]}",
                district=outward,
                area=area,
            )
    if _OUTWARD.fullmatch(compact):
        return Postcode(cleaned, None, False, compact, None, None, compact, _area(compact))
    return Postcode(cleaned, None, False, None, None, None, None, None)


def postcode_parse(raw: str | None) -> Postcode | None:
    """Parse a UK postcode written any usual way; None for blank.

    Lower case, a missing or doubled space, and a letter O for the inward code's digit are
    tolerated. An invalid value is kept, upper-cased and whitespace-collapsed, in ``raw``
    with ``canonical`` None, so nothing is lost and the record can be flagged.
    """
    if raw is None:
        return None
    return _parse(raw)


def postcode_find(text: str | None) -> str | None:
    """The canonical form of the last UK postcode in free text, e.g. an address line.

    The last one, because a UK address ends with its postcode and earlier matches are more
    likely to be something else (a flat or unit reference).
    """
    if not text:
        return None
    found = POSTCODE_IN_TEXT.findall(text.upper())
    if not found:
        return None
    parsed = _parse(found[-1])
    return parsed.canonical if parsed is not None else None
