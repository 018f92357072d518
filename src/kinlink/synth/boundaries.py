"""Boundaries of Kinlink City's postcode districts (KC1 to KC36) as GeoJSON.

The portal's map of needs by area reads a boundary file; the synthetic city writes its
own next to its feeds so the demo needs nothing from outside. The districts tile a
6 x 6 grid of about 1.6 km cells whose corners and edge midpoints are nudged so the
shapes look like real districts while neighbours still share every edge. KC1 is the
central cell and numbers grow outward, matching ``addresses`` (inner districts are the
denser ones). The layout is fixed, not drawn from the city's seed, so every city and the
copy shipped with the package are the same file. It sits in the Irish Sea, so it can
never be mistaken for a real place.
"""

from __future__ import annotations

import json
import math
import random
from importlib.resources import files
from pathlib import Path
from typing import Any

from kinlink.synth.addresses import AREA, LOCALITIES, N_DISTRICTS

FILE_NAME = "districts.geojson"
#: Property names in the file: the area code (matched to postcode districts) and a name.
CODE_PROPERTY = "code"
NAME_PROPERTY = "name"

_SIDE = 6
_CENTRE = (-3.90, 54.10)  # longitude, latitude
_STEP_LAT = 0.0145  # about 1.6 km
_STEP_LON = 0.0245  # about 1.6 km at this latitude
_JITTER = 0.28  # share of a cell a corner may move
_LAYOUT_SEED = 20_251_124


def _vertices(rng: random.Random) -> dict[tuple[int, int], tuple[float, float]]:
    """Grid corners in cell units, nudged; the outer ring moves too (a ragged edge)."""
    corners = {}
    for i in range(_SIDE + 1):
        for j in range(_SIDE + 1):
            dx, dy = (rng.uniform(-_JITTER, _JITTER) for _ in range(2))
            corners[(i, j)] = (i + dx, j + dy)
    return corners


def _midpoint(
    a: tuple[float, float], b: tuple[float, float], rng: random.Random
) -> tuple[float, float]:
    """A point near the middle of an edge, pushed sideways so edges are not straight."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    nx, ny = b[1] - a[1], a[0] - b[0]  # normal to the edge
    push = rng.uniform(-0.18, 0.18)
    return (mx + nx * push, my + ny * push)


def _to_lon_lat(point: tuple[float, float]) -> list[float]:
    x, y = point
    lon = _CENTRE[0] + (x - _SIDE / 2) * _STEP_LON
    lat = _CENTRE[1] + (y - _SIDE / 2) * _STEP_LAT
    return [round(lon, 5), round(lat, 5)]


def district_boundaries() -> dict[str, Any]:
    """The city's districts as a GeoJSON FeatureCollection (WGS84 longitude, latitude)."""
    rng = random.Random(_LAYOUT_SEED)
    corners = _vertices(rng)
    middles: dict[tuple[tuple[int, int], tuple[int, int]], tuple[float, float]] = {}

    def middle(a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float]:
        key = (min(a, b), max(a, b))
        if key not in middles:
            middles[key] = _midpoint(corners[key[0]], corners[key[1]], rng)
        return middles[key]

    cells = []
    for i in range(_SIDE):
        for j in range(_SIDE):
            # counter-clockwise (x east, y north): the exterior ring order GeoJSON asks for
            loop = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
            ring: list[tuple[float, float]] = []
            for k, corner in enumerate(loop):
                ring.append(corners[corner])
                ring.append(middle(corner, loop[(k + 1) % 4]))
            distance = math.hypot(i + 0.5 - _SIDE / 2, j + 0.5 - _SIDE / 2)
            angle = math.atan2(j + 0.5 - _SIDE / 2, i + 0.5 - _SIDE / 2)
            cells.append((round(distance, 6), round(angle, 6), ring))
    cells.sort(key=lambda c: (c[0], c[1]))
    assert len(cells) == N_DISTRICTS
    features = []
    for number, (_d, _a, ring) in enumerate(cells, start=1):
        coordinates = [_to_lon_lat(p) for p in ring]
        coordinates.append(coordinates[0])
        features.append(
            {
                "type": "Feature",
                "properties": {
                    CODE_PROPERTY: f"{AREA}{number}",
                    NAME_PROPERTY: LOCALITIES[number - 1],
                },
                "geometry": {"type": "Polygon", "coordinates": [coordinates]},
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "Kinlink City postcode districts (synthetic)",
        "features": features,
    }


def boundaries_text() -> str:
    """The boundary file's exact text (stable, so it can be compared byte for byte)."""
    return json.dumps(district_boundaries(), indent=1) + "\n"


def boundaries_write(out_dir: Path) -> Path:
    """Write the boundary file into ``out_dir``; returns its path."""
    path = Path(out_dir) / FILE_NAME
    path.write_text(boundaries_text(), encoding="utf-8")
    return path


def shipped_boundaries() -> Path:
    """The copy shipped with the package, which the demo portal uses by default."""
    return Path(str(files("kinlink.synth").joinpath("data", FILE_NAME)))
