"""The synthetic city's district boundaries: a real tiling of KC1 to KC36, written with
every city and identical to the copy shipped for the demo."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from kinlink.synth.boundaries import (
    FILE_NAME,
    boundaries_text,
    district_boundaries,
    shipped_boundaries,
)


def _signed_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def test_districts_tile_the_city():
    features = district_boundaries()["features"]
    assert [f["properties"]["code"] for f in features] == [f"KC{n}" for n in range(1, 37)]
    assert len({f["properties"]["name"] for f in features}) == 36
    edges: Counter[tuple[tuple[float, ...], ...]] = Counter()
    areas = []
    for feature in features:
        assert feature["geometry"]["type"] == "Polygon"
        (ring,) = feature["geometry"]["coordinates"]
        assert ring[0] == ring[-1]
        assert len(ring) == 9
        areas.append(_signed_area(ring))
        for a, b in zip(ring, ring[1:], strict=False):
            edges[tuple(sorted((tuple(a), tuple(b))))] += 1
    assert all(a > 0 for a in areas)  # counter-clockwise exterior rings, none degenerate
    assert max(areas) < 4 * min(areas)  # plausible districts: none tiny, none huge
    # a tiling: inner edges are shared by exactly two districts, the outline's by one
    assert set(edges.values()) == {1, 2}
    assert sum(1 for n in edges.values() if n == 1) == 6 * 4 * 2  # the outline, two per side
    # KC1 is central: the districts are numbered outward, like the addresses
    centre = [sum(p[i] for p in f["geometry"]["coordinates"][0][:-1]) / 8 for f in features[:1]
              for i in (0, 1)]  # fmt: skip
    middle = [sum(p[i] for f in features for p in f["geometry"]["coordinates"][0][:-1]) / 288
              for i in (0, 1)]  # fmt: skip
    assert abs(centre[0] - middle[0]) < 0.03
    assert abs(centre[1] - middle[1]) < 0.02


def test_every_city_writes_the_shipped_boundary_file(small_city: Path):
    assert (small_city / FILE_NAME).read_text(encoding="utf-8") == boundaries_text()
    assert shipped_boundaries().read_text(encoding="utf-8") == boundaries_text()
