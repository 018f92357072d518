"""What person keys and family keys share: opaque ids, and carrying keys across runs.

Partners quote Kinlink's keys, so a key must look like nothing (no sequence, no personal
data), and a new run must hand each group the previous key it overlaps most, each key to
at most one group.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable
from typing import TypeVar

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U

Group = TypeVar("Group", bound=Hashable)


def opaque_key(prefix: str, material: str) -> str:
    """``prefix`` + 10 base-32 characters (50 bits) of a SHA-256 of ``material``.

    >>> opaque_key("P", "seed|0")[0], len(opaque_key("P", "seed|0"))
    ('P', 11)
    """
    digest = hashlib.sha256(material.encode()).digest()
    number = int.from_bytes(digest[:8], "big") >> 14
    chars = []
    for _ in range(10):
        number, index = divmod(number, 32)
        chars.append(_ALPHABET[index])
    return prefix + "".join(reversed(chars))


def overlap_assign(rows: Iterable[tuple[Group, str, int]]) -> dict[Group, str]:
    """Give groups previous keys from ``(group, key, overlap)`` rows sorted best first.

    Each group takes at most one key and each key goes to at most one group, so a split
    leaves the old key with the part that overlaps it most and a merge retires the rest.
    """
    taken: set[str] = set()
    assigned: dict[Group, str] = {}
    for group, key, _overlap in rows:
        if group in assigned or key in taken:
            continue
        assigned[group] = key
        taken.add(key)
    return assigned
