"""Sex or gender as recorded by partner systems, reduced to the codes linkage compares.

Each system spells it its own way (M, Male, Boy; Not known, Indeterminate). Only the
spellings below are accepted: an unexpected value raises so that ingest quarantines the
row and a person adds it to the feed's code map, rather than it being silently guessed.
"""

from __future__ import annotations

from typing import Literal

Sex = Literal["M", "F", "U"]

_CODES: dict[str, Sex] = {
    "m": "M",
    "male": "M",
    "boy": "M",
    "f": "F",
    "female": "F",
    "girl": "F",
    "u": "U",
    "unknown": "U",
    "x": "U",
    "not known": "U",
    "nk": "U",
    "n/k": "U",
    "indeterminate": "U",
}


def sex_normalise(raw: str | None) -> Sex | None:
    """M, F or U (unknown or indeterminate); None for blank.

    Raises ``ValueError`` naming the value for anything else.
    """
    if raw is None:
        return None
    key = " ".join(raw.split()).casefold()
    if not key:
        return None
    code = _CODES.get(key)
    if code is None:
        raise ValueError(
            f"sex/gender value '{raw.strip()}' is not recognised; expected one of "
            "M, Male, Boy, F, Female, Girl, U, Unknown, X, Not known, Indeterminate"
        )
    return code
