"""The dashboard's map of needs by area: boundaries, area codes, figures and the SVG.

Areas come from a GeoJSON boundary file (``KINLINK_AREA_BOUNDARIES``; by default the
synthetic city's districts shipped with Kinlink). Each feature's code property
(``KINLINK_AREA_CODE_PROPERTY``) is a postcode district (``KC12``) or sector
(``KC12 3``); ``kinlink publish`` gives every person the area of their current postcode
(the sector when the file has it, else the district) and every family the area most of
its members live in. The dashboard then counts, per area, only what the user's scope
holds (the same querysets as its headline figures) and asks ``policy`` which counts it
may show. The map is drawn on the server as an inline SVG with a table of the same
figures, so it needs no JavaScript and reads out in a screen reader.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery

from kinlink.core.errors import KinlinkError
from kinlink.identity.postcodes import postcode_parse
from kinlink.portal import policy
from kinlink.portal.models import Family, FamilyNeed
from kinlink.synth.boundaries import shipped_boundaries

Ring = tuple[tuple[float, float], ...]
#: What the map can colour by; ``need:HEADLINE`` adds one per headline outcome.
MEASURES = {
    "families_eligible": "Eligible families",
    "persistent_absence": "Children with persistent absence",
    "open_exploitation": "Open exploitation cases",
}
CLASSES = 5  # colour classes of the choropleth
WIDTH = 640.0  # SVG user units


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    rings: tuple[Ring, ...]  # longitude, latitude; every ring of every polygon


@dataclass(frozen=True, eq=False)  # compared (and cached) by identity: one object per file
class Boundaries:
    areas: tuple[Area, ...]
    digest: str  # of the file and the properties read, so a new file means a new publish

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(a.code for a in self.areas)


def _rings(geometry: dict[str, Any]) -> list[Ring]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    return [tuple((float(p[0]), float(p[1])) for p in ring) for poly in polygons for ring in poly]


class BoundaryError(KinlinkError):
    """The boundary file is missing or is not GeoJSON."""


@functools.cache
def _load(path: str, mtime: float, code_property: str, name_property: str) -> Boundaries:
    raw = Path(path).read_bytes()
    try:
        data = json.loads(raw)
    except ValueError as e:
        raise BoundaryError(f"the area boundary file {Path(path).name} is not JSON: {e}") from e
    if not isinstance(data, dict):
        raise BoundaryError(f"the area boundary file {Path(path).name} is not GeoJSON")
    areas = []
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        code = " ".join(str(props.get(code_property) or "").upper().split())
        rings = _rings(feature.get("geometry") or {})
        if code and rings:
            areas.append(Area(code, str(props.get(name_property) or ""), tuple(rings)))
    areas.sort(key=lambda a: (_natural(a.code), a.code))
    digest = hashlib.sha256(raw + f"|{code_property}|{name_property}".encode()).hexdigest()
    return Boundaries(tuple(areas), digest)


def _natural(code: str) -> tuple[Any, ...]:
    """KC2 before KC10: the letters, then the district's number, then the rest."""
    found = re.match(r"([A-Z]*)(\d*)(.*)", code)
    assert found is not None  # the pattern matches any string
    letters, number, rest = found.groups()
    return (letters, int(number or 0), rest)


def boundaries_load(
    path: Path, code_property: str = "code", name_property: str = "name"
) -> Boundaries:
    """The areas of a GeoJSON file (read once per file version)."""
    if not path.is_file():
        raise BoundaryError(f"the area boundary file {path.name} does not exist")
    return _load(str(path), path.stat().st_mtime, code_property, name_property)


def configured_boundaries() -> Boundaries | None:
    """The areas the settings name, or None when the map is switched off."""
    setting = str(getattr(settings, "KINLINK_AREA_BOUNDARIES", "") or "").strip()
    if setting.lower() == "none":
        return None
    path = Path(setting) if setting else shipped_boundaries()
    return boundaries_load(
        path,
        getattr(settings, "KINLINK_AREA_CODE_PROPERTY", "code"),
        getattr(settings, "KINLINK_AREA_NAME_PROPERTY", "name"),
    )


# --- publishing: an area for every person and family -----------------------------------


def area_of(postcode: str | None, codes: frozenset[str]) -> str:
    """The area holding ``postcode``: its sector if the file has sectors, else its district."""
    parsed = postcode_parse(postcode)
    if parsed is None or not parsed.valid:
        return ""
    for code in (parsed.sector, parsed.district):
        if code and code in codes:
            return code
    return ""


def areas_assign(
    people: list[dict[str, Any]],
    families: list[dict[str, Any]],
    members: list[dict[str, Any]],
    codes: frozenset[str],
) -> None:
    """Set ``area`` on published people (their postcode) and families (most members')."""
    by_person = {}
    for person in people:
        person["area"] = area_of(person.get("postcode"), codes)
        by_person[person["person_key"]] = person["area"]
    votes: dict[str, Counter[str]] = {}
    for m in members:
        area = by_person.get(m["person_key"], "")
        if area:
            votes.setdefault(m["family_key"], Counter())[area] += 1
    for family in families:
        counted = votes.get(family["family_key"])
        family["area"] = min(counted.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counted else ""


# --- drawing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    d: str  # SVG path data
    x: float  # label position
    y: float


def _centroid(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Centroid and absolute area of a closed ring (shoelace)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        xs, ys = zip(*points, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys), 0.0
    return cx / (3 * a), cy / (3 * a), abs(a) / 2


@functools.cache
def shapes(boundaries: Boundaries) -> tuple[tuple[Shape, ...], float, float]:
    """Areas projected into SVG units (equirectangular at the map's mean latitude) to fit
    a WIDTH x WIDTH box, with the map's width and height. A council's small areas need
    nothing more exact."""
    points = [p for a in boundaries.areas for ring in a.rings for p in ring]
    if not points:
        return (), WIDTH, 0.0
    west = min(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    k = math.cos(math.radians((south + north) / 2))
    span_x = max((max(p[0] for p in points) - west) * k, 1e-9)
    span_y = max(north - south, 1e-9)
    margin = 8.0
    scale = min((WIDTH - 2 * margin) / span_x, (WIDTH - 2 * margin) / span_y)

    def xy(p: tuple[float, float]) -> tuple[float, float]:
        return (margin + (p[0] - west) * k * scale, margin + (north - p[1]) * scale)

    out = []
    for area in boundaries.areas:
        parts, best = [], (0.0, 0.0, -1.0)
        for ring in area.rings:
            projected = [xy(p) for p in ring]
            if projected[0] == projected[-1]:
                projected = projected[:-1]
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in projected) + " Z")
            centre = _centroid(projected)
            if centre[2] > best[2]:
                best = centre
        out.append(
            Shape(area.code, area.name, " ".join(parts), round(best[0], 1), round(best[1], 1))
        )
    width, height = span_x * scale + 2 * margin, span_y * scale + 2 * margin
    return tuple(out), round(width, 1), round(height, 1)


# --- figures ----------------------------------------------------------------------------


def _by_area(qs: Any, count: str = "pk", distinct: bool = False) -> dict[str, int]:
    rows = qs.values("area").annotate(n=Count(count, distinct=distinct)).order_by()
    return {r["area"]: int(r["n"]) for r in rows}


def figures_by_area(people: Any, families: Any, headline: str = "") -> dict[str, dict[str, int]]:
    """Per measure, ``{area code: count}`` over the given (already scoped) querysets; the
    code "" holds what no area of the file contains."""
    eligible = families.filter(eligible=True)
    # both people measures in one pass over the people (half the time of two queries)
    rows = list(
        people.values("area")
        .annotate(
            n_absence=Count("pk", filter=Q(is_child=True, persistent_absence=True)),
            n_exploitation=Count("pk", filter=Q(exploitation_open=True)),
        )
        .order_by()
    )
    figures = {
        "families_eligible": _by_area(eligible),
        "persistent_absence": {r["area"]: int(r["n_absence"]) for r in rows if r["n_absence"]},
        "open_exploitation": {
            r["area"]: int(r["n_exploitation"]) for r in rows if r["n_exploitation"]
        },
    }
    if headline:
        area = Family.objects.filter(pk=OuterRef("family_key")).values("area")[:1]
        needs = FamilyNeed.objects.filter(
            family_key__in=eligible.values("pk"), headline=headline
        ).annotate(area=Subquery(area))
        figures[f"need:{headline}"] = _by_area(needs, "family_key", distinct=True)
    return figures


def _classes(values: list[int | None]) -> tuple[list[int], list[tuple[int, int]]]:
    """Colour class per value (0 none, 1..CLASSES, -1 suppressed) and each class's range."""
    top = max([v for v in values if v is not None] or [0])
    bounds = [math.ceil(top * (k + 1) / CLASSES) for k in range(CLASSES)]
    ranges, low = [], 1
    for high in bounds:
        ranges.append((low, high))
        low = max(low, high + 1)
    classes = []
    for v in values:
        if v is None:
            classes.append(-1)
        elif v == 0:
            classes.append(0)
        else:
            classes.append(next(k + 1 for k, b in enumerate(bounds) if v <= b))
    return classes, ranges


def area_map(
    scope: policy.Scope, people: Any, families: Any, measure: str = ""
) -> dict[str, Any] | None:
    """Everything the dashboard's map and its table show, for this user's scope."""
    if not policy.may_view_aggregates(scope):
        return None
    try:
        boundaries = configured_boundaries()
    except BoundaryError as e:
        return {"error": str(e)}
    if boundaries is None or not boundaries.areas:
        return None
    headlines = list(
        FamilyNeed.objects.values_list("headline", flat=True).distinct().order_by("headline")
    )
    measures = [m for m in MEASURES if policy.measure_visible(scope, m)]
    choices = [*((m, MEASURES[m]) for m in measures),
               *((f"need:{h}", f"Eligible families with a need: {h}")
                 for h in headlines)]  # fmt: skip
    labels = dict(choices)
    if measure not in labels:
        measure = "families_eligible"
    headline = measure.removeprefix("need:") if measure.startswith("need:") else ""
    figures = figures_by_area(people, families, headline)
    columns = measures + ([measure] if headline else [])
    codes = [a.code for a in boundaries.areas]
    shown: dict[str, list[int | None]] = {}
    for column in columns:
        counts = figures[column]
        outside = sum(n for code, n in counts.items() if code not in boundaries.codes)
        shown[column] = policy.counts_shown(scope, [counts.get(c, 0) for c in codes] + [outside])
    classes, ranges = _classes(shown[measure][:-1])
    drawn, width, height = shapes(boundaries)
    rows = [
        {"code": code, "name": name, "values": [shown[c][i] for c in columns],
         "value": shown[measure][i], "fill": "kl-fill-s" if classes[i] < 0
         else f"kl-fill-{classes[i]}"}
        for i, (code, name) in enumerate((a.code, a.name) for a in boundaries.areas)
    ]  # fmt: skip
    return {
        "measure": measure,
        "label": labels[measure],
        "choices": choices,
        "columns": [labels[c] for c in columns],
        "rows": rows,
        "shapes": [
            {"shape": s, "row": r, "dark": c >= 4}
            for s, r, c in zip(drawn, rows, classes, strict=True)
        ],
        "outside": [shown[c][-1] for c in columns],
        "totals": [sum(figures[c].values()) for c in columns],
        "legend": [(k + 1, low, high) for k, (low, high) in enumerate(ranges) if low <= high],
        "suppressed": any(v is None for c in columns for v in shown[c]),
        "limit": policy.SMALL_NUMBER_LIMIT,
        "width": width,
        "height": height,
    }
