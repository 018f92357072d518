"""Random streams, weighted draws and small date/probability helpers for the generator.

Streams are seeded from strings (``random`` hashes them with SHA-512), so they depend on
nothing but the seed and the stream's name: not on ``PYTHONHASHSEED``, not on the order
chunks are processed in.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


def stream(seed: int, name: str, index: int = 0) -> random.Random:
    """An independent random stream for one purpose (``name``) and one chunk (``index``)."""
    return random.Random(f"kinlink-synth:{seed}:{name}:{index}")


class Weighted(Generic[T]):
    """A weighted choice prepared once and drawn many times (bisect on cumulative weights)."""

    __slots__ = ("_cum", "_total", "values")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        if not pairs:
            raise ValueError("a weighted choice needs at least one value")
        self.values: list[T] = [value for value, _ in pairs]
        self._cum = list(accumulate(weight for _, weight in pairs))
        self._total = self._cum[-1]

    def pick(self, rng: random.Random) -> T:
        """One value, with probability proportional to its weight."""
        return self.values[bisect(self._cum, rng.random() * self._total)]


class Scrambler:
    """A bijection of ``range(modulus)`` that makes sequential ids look unordered.

    Consecutive counters (siblings registered together) would otherwise get consecutive
    ids, a signal real systems do not give.
    """

    __slots__ = ("_mult", "_offset", "modulus")

    def __init__(self, modulus: int, mult: int, offset: int) -> None:
        while math.gcd(mult, modulus) != 1:
            mult += 1
        self.modulus = modulus
        self._mult = mult
        self._offset = offset

    def __call__(self, n: int) -> int:
        if not 0 <= n < self.modulus:
            raise OverflowError("identifier space exhausted")
        return (n * self._mult + self._offset) % self.modulus


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count by multiplying uniforms (the means used here are small)."""
    threshold, k, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        k += 1
        product *= rng.random()
    return k


def random_date(rng: random.Random, start: date, end: date) -> date:
    """A uniformly random date in ``[start, end]`` (``start`` if the range is empty)."""
    span = (end - start).days
    if span <= 0:
        return start
    return start + timedelta(days=int(rng.random() * (span + 1)))


def years_between(lo: date, hi: date) -> float:
    """Length of a period in years (0 if it is empty)."""
    return max(0.0, (hi - lo).days / 365.25)


def sigmoid(x: float) -> float:
    """The logistic function, for the risk models that decide who offends or is exploited."""
    return 1.0 / (1.0 + math.exp(-x))
