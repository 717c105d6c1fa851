"""An offline world map as inline SVG: country shading (choropleth) and proportional circles.

Shapes come from ``interdict/data/world.json`` (Natural Earth, simplified; see
``WORLD_SOURCE.md``), so the map needs no tile server or JavaScript on a closed network. The
projection is plate carrée with a cos(latitude) correction at the centre of the view, which keeps
regional maps (the Golden Triangle, Central Asia) close to true shape at no cost in code.

Labels come from users, so every one is escaped; the output is deterministic and script-free.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from interdict.io.charts import GRID, INK, MUTED, escape, format_number, nice_ticks, svg_document, svg_id

BBox = tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max
ASIA: BBox = (25.0, -12.0, 150.0, 60.0)
SEA, LAND, BORDER = "#d4e4f0", "#e4e4e4", "#9e9e9e"
NO_VALUE = "#f2f2f2"  # a shaded map's countries without a value: paler than land, and grey, not yellow
# ColorBrewer YlOrRd, 5 classes: sequential, readable in greyscale and for colour-blind readers.
PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
POINT_FILL, POINT_EDGE = "#0b4f8a", "#ffffff"
MAX_RADIUS, MIN_RADIUS = 28.0, 2.5
MIN_STEP_PX = 1.0  # country outlines skip vertices closer than this to the previous one
LABELLED_POINTS = 8  # the largest points also get a visible text label
HALO = ' stroke="#ffffff" stroke-width="3" stroke-opacity="0.85" paint-order="stroke" stroke-linejoin="round"'


@dataclass(frozen=True)
class MapPoint:
    """A value at a place (a port, a seizure location) drawn as a circle of proportional area."""

    lat: float
    lon: float
    value: float
    label: str


@dataclass(frozen=True)
class Shape:
    """One country (or uncoded area) with its rings and their bounding box."""

    code: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]
    bbox: BBox
    ring_boxes: tuple[BBox, ...]


@functools.cache
def shapes() -> dict[str, Shape]:
    """Country shapes keyed by ISO 3166-1 alpha-2; uncoded areas keyed ``_1``, ``_2``..."""
    text = resources.files("interdict.data").joinpath("world.json").read_text(encoding="utf-8")
    world: dict[str, Any] = json.loads(text)
    out = {code: _shape(code, c["name"], c["rings"]) for code, c in world["countries"].items()}
    for index, area in enumerate(world.get("areas", []), start=1):
        out[f"_{index}"] = _shape(f"_{index}", area["name"], area["rings"])
    return out


def _shape(code: str, name: str, rings: list[list[list[float]]]) -> Shape:
    frozen = tuple(tuple((float(lon), float(lat)) for lon, lat in ring) for ring in rings)
    boxes = tuple(_box(ring) for ring in frozen)
    whole = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    return Shape(code, name, frozen, whole, boxes)


def _box(ring: Sequence[tuple[float, float]]) -> BBox:
    lons, lats = [lon for lon, _ in ring], [lat for _, lat in ring]
    return (min(lons), min(lats), max(lons), max(lats))


def country_bbox(code: str) -> BBox | None:
    """The bounding box of a country's shape, e.g. to check that a port lies where it claims."""
    shape = shapes().get(code.upper())
    return shape.bbox if shape else None


@dataclass(frozen=True)
class Projection:
    """Plate carrée scaled by cos(centre latitude): x grows east, y grows south."""

    bbox: BBox
    width: float
    height: float

    @classmethod
    def fit(cls, bbox: BBox, width: float) -> Projection:
        """Fix the height from the box's true proportions, widening the box if it is extreme."""
        lon0, lat0, lon1, lat1 = bbox
        k = math.cos(math.radians((lat0 + lat1) / 2))
        ratio = (lat1 - lat0) / ((lon1 - lon0) * k)
        if ratio > 0.9 or ratio < 0.4:
            bbox = _reshape(bbox, min(max(ratio, 0.4), 0.9), k)
            lon0, lat0, lon1, lat1 = bbox
        height = width * (lat1 - lat0) / ((lon1 - lon0) * k)
        return cls(bbox, width, height)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        lon0, lat0, lon1, lat1 = self.bbox
        return (lon - lon0) / (lon1 - lon0) * self.width, (lat1 - lat) / (lat1 - lat0) * self.height

    def contains(self, lon: float, lat: float) -> bool:
        lon0, lat0, lon1, lat1 = self.bbox
        return lon0 <= lon <= lon1 and lat0 <= lat <= lat1


def _reshape(bbox: BBox, ratio: float, k: float) -> BBox:
    """Grow the short side of the box about its centre until height/width equals ratio."""
    lon0, lat0, lon1, lat1 = bbox
    lon_c, lat_c = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    lon_half, lat_half = (lon1 - lon0) / 2, (lat1 - lat0) / 2
    if lat_half / (lon_half * k) > ratio:
        lon_half = lat_half / (ratio * k)
    else:
        lat_half = lon_half * k * ratio
    return (lon_c - lon_half, max(lat_c - lat_half, -89.0), lon_c + lon_half, min(lat_c + lat_half, 89.0))


def default_bbox(points: Sequence[MapPoint]) -> BBox:
    """The points' extent plus a margin of a fifth (at least 4 degrees), or Asia with no points."""
    placed = [p for p in points if _finite(p)]
    if not placed:
        return ASIA
    lon0, lon1 = min(p.lon for p in placed), max(p.lon for p in placed)
    lat0, lat1 = min(p.lat for p in placed), max(p.lat for p in placed)
    dx, dy = max((lon1 - lon0) * 0.2, 4.0), max((lat1 - lat0) * 0.2, 4.0)
    return (max(lon0 - dx, -180.0), max(lat0 - dy, -85.0), min(lon1 + dx, 180.0), min(lat1 + dy, 85.0))


def _finite(point: MapPoint) -> bool:
    return all(math.isfinite(v) for v in (point.lat, point.lon, point.value))


def _valid_bbox(bbox: BBox) -> BBox:
    lon0, lat0, lon1, lat1 = bbox
    if not all(math.isfinite(v) for v in bbox) or lon0 >= lon1 or lat0 >= lat1:
        raise ValueError(f"bbox must be (lon_min, lat_min, lon_max, lat_max) with min < max, got {bbox!r}")
    if lat0 < -90 or lat1 > 90:
        raise ValueError(f"bbox latitudes must lie within -90..90, got {bbox!r}")
    return bbox


# ---------------------------------------------------------------------------------------------


def render_map(
    points: Sequence[MapPoint] = (),
    shade: Mapping[str, float] | None = None,
    *,
    bbox: BBox | None = None,
    width: int = 800,
    title: str,
    desc: str = "",
    legend: str = "Circle area is proportional to value; largest {largest}",
) -> str:
    """The map as an SVG string: countries (shaded by ``shade`` if given) and proportional circles.

    ``shade`` maps ISO alpha-2 codes to values (counts or masses: values below zero fall in the
    lowest class); codes not on the map are ignored. Points outside
    the view, or with non-finite numbers, are skipped. Circle area is proportional to value, with
    the largest circle capped, so one huge seizure does not bury the rest.
    """
    projection = Projection.fit(_valid_bbox(bbox) if bbox else default_bbox(points), width)
    shading = {code.upper(): v for code, v in (shade or {}).items() if math.isfinite(v)}
    classes = nice_ticks(0.0, max([0.0, *shading.values()]), 6) if shading else []
    clip = svg_id("map", points, sorted(shading.items()), projection, title, desc)
    top = 30.0
    body = [
        f'<text x="12" y="21" font-size="15" font-weight="bold">{escape(title)}</text>',
        f'<defs><clipPath id="{clip}-clip"><rect width="{width}" height="{projection.height:.1f}"/></clipPath></defs>',
        f'<g transform="translate(0 {top:.0f})" clip-path="url(#{clip}-clip)">',
        f'<rect width="{width}" height="{projection.height:.1f}" fill="{SEA}"/>',
        *_countries(projection, shading, classes),
        *_country_labels(projection),
        *_points(projection, points),
        "</g>",
        f'<rect y="{top:.0f}" width="{width}" height="{projection.height:.1f}" fill="none" stroke="{GRID}"/>',
    ]
    legend_y = top + projection.height + 8
    legend_svg, legend_h = _legend(classes, points, projection, legend_y, legend)
    body += legend_svg
    height = legend_y + legend_h
    summary = desc or _describe(points, shading, projection)
    return svg_document(width, height, title, summary, body, clip)


def _countries(projection: Projection, shading: Mapping[str, float], classes: Sequence[float]) -> list[str]:
    """A <path> per country in view, filled by its class when shaded, titled with its name."""
    out = []
    for code, shape in sorted(shapes().items()):
        if not _overlaps(shape.bbox, projection.bbox):
            continue
        title = shape.name
        fill = NO_VALUE if shading else LAND
        if code in shading:
            fill = PALETTE[_class_of(shading[code], classes)]
            title = f"{shape.name}: {format_number(shading[code])}"
        out.append(
            f'<path d="{_path(shape, projection)}" fill="{fill}" fill-rule="evenodd" stroke="{BORDER}" '
            f'stroke-width="0.5"><title>{escape(title)}</title></path>'
        )
    return out


def _country_labels(projection: Projection) -> list[str]:
    """Names of countries large enough on screen, at the centroid of their largest ring.

    A name is placed only where the centroid falls inside that ring, so a curved country (Vietnam)
    is left unlabelled rather than labelled in its neighbour.
    """
    out = []
    for _, shape in sorted(shapes().items()):
        if not _overlaps(shape.bbox, projection.bbox) or shape.code.startswith("_"):
            continue
        ring = [projection(lon, lat) for lon, lat in max(shape.rings, key=_lonlat_area)]
        spot = _centroid(ring)
        if spot is None or not _inside(spot, ring):
            continue
        xs, ys = [x for x, _ in ring], [y for _, y in ring]
        half = len(shape.name) * 3.0 + 4
        if max(xs) - min(xs) < 2 * half or max(ys) - min(ys) < 14:
            continue
        if (
            spot[0] - half < 0
            or spot[0] + half > projection.width
            or not 10 < spot[1] < projection.height - 4
        ):
            continue
        out.append(
            f'<text x="{spot[0]:.1f}" y="{spot[1] + 3:.1f}" text-anchor="middle" font-size="10" fill="{MUTED}"'
            f"{HALO}>{escape(shape.name)}</text>"
        )
    return out


def _lonlat_area(ring: Sequence[tuple[float, float]]) -> float:
    return abs(_signed_area(ring))


def _signed_area(ring: Sequence[tuple[float, float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2


def _centroid(ring: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """Area centroid of a closed ring (shoelace), None for a degenerate one."""
    area = _signed_area(ring)
    if abs(area) < 1e-9:
        return None
    pairs = list(itertools.pairwise(ring))
    cx = sum((x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairs) / (6 * area)
    cy = sum((y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairs) / (6 * area)
    return cx, cy


def _inside(point: tuple[float, float], ring: Sequence[tuple[float, float]]) -> bool:
    """Even-odd ray casting."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _path(shape: Shape, projection: Projection) -> str:
    """Path data for all rings, one decimal; points within ``MIN_STEP_PX`` of the last are dropped.

    At world or continent scale most vertices land on the same pixel, so this halves the SVG
    without a visible change.
    """
    parts = []
    for ring, box in zip(shape.rings, shape.ring_boxes, strict=True):
        if not _overlaps(box, projection.bbox):
            continue  # Russia's Arctic islands on a map of Central Asia
        coords: list[str] = []
        last: tuple[float, float] | None = None
        for lon, lat in ring:
            x, y = projection(lon, lat)
            if last is not None and abs(x - last[0]) + abs(y - last[1]) < MIN_STEP_PX:
                continue
            coords.append(f"{x:.1f} {y:.1f}")
            last = (x, y)
        if len(coords) >= 3:
            parts.append("M" + "L".join(coords) + "Z")
    return "".join(parts)


def _class_of(value: float, classes: Sequence[float]) -> int:
    """Index of the palette class; classes are half-open, [200, 400) holds 200 but not 400."""
    bounds = _class_bounds(classes)
    for index, (_, upper) in enumerate(bounds):
        if value < upper:
            return index
    return len(bounds) - 1


def _class_bounds(classes: Sequence[float]) -> list[tuple[float, float]]:
    """At most five (lower, upper) intervals from the nice ticks; extra ticks merge into the last."""
    pairs = list(itertools.pairwise(classes))
    if len(pairs) > len(PALETTE):
        pairs = [*pairs[: len(PALETTE) - 1], (pairs[len(PALETTE) - 1][0], pairs[-1][1])]
    return pairs


def _points(projection: Projection, points: Sequence[MapPoint]) -> list[str]:
    """Circles of area proportional to value, largest first so small ones stay clickable on top."""
    placed = [p for p in points if _finite(p) and projection.contains(p.lon, p.lat)]
    if not placed:
        return []
    peak = max(max(p.value for p in placed), 0.0)
    ordered = sorted(placed, key=lambda p: -p.value)
    labelled = {id(p) for p in ordered[:LABELLED_POINTS] if p.value > 0}
    out = []
    for point in ordered:
        x, y = projection(point.lon, point.lat)
        r = _radius(point.value, peak)
        tip = f"{point.label}: {format_number(point.value)}"
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{POINT_FILL}" fill-opacity="0.65" '
            f'stroke="{POINT_EDGE}" stroke-width="1"><title>{escape(tip)}</title></circle>'
        )
    out += [_point_label(p, projection, peak) for p in ordered if id(p) in labelled]
    return out


def _radius(value: float, peak: float) -> float:
    """Square-root scale so area, not radius, tracks value; capped and floored to stay visible."""
    if peak <= 0 or value <= 0:
        return MIN_RADIUS
    return max(MIN_RADIUS, MAX_RADIUS * math.sqrt(value / peak))


def _point_label(point: MapPoint, projection: Projection, peak: float) -> str:
    """Visible text beside a large circle, with a white halo so it reads over any fill."""
    x, y = projection(point.lon, point.lat)
    r = _radius(point.value, peak)
    label = point.label if len(point.label) <= 28 else point.label[:27] + "…"
    return (
        f'<text x="{x + r + 3:.1f}" y="{y + 4:.1f}" font-size="11" fill="{INK}"{HALO}>{escape(label)}</text>'
    )


def _legend(
    classes: Sequence[float], points: Sequence[MapPoint], projection: Projection, y: float, circles: str
) -> tuple[list[str], float]:
    """Shading swatches with their ranges, then the size key for circles; returns the height used."""
    out, x, used = [], 12.0, 4.0
    for index, (low, high) in enumerate(_class_bounds(classes)):
        text = f"{format_number(low)}–{format_number(high)}"
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="16" height="12" fill="{PALETTE[index]}" stroke="{MUTED}" '
            f'stroke-width="0.5"/><text x="{x + 20:.1f}" y="{y + 10:.1f}" font-size="11">{escape(text)}</text>'
        )
        x += 20 + len(text) * 6.5 + 14
        used = 20.0
    placed = [p.value for p in points if _finite(p) and projection.contains(p.lon, p.lat)]
    if placed and max(placed) > 0:
        text = circles.format(largest=format_number(max(placed)))
        out.append(
            f'<text x="12" y="{y + used + 10:.1f}" font-size="11" fill="{MUTED}">{escape(text)}</text>'
        )
        used += 20
    return out, used


def _describe(points: Sequence[MapPoint], shading: Mapping[str, float], projection: Projection) -> str:
    """What the map shows, for screen readers when the caller gave no description."""
    shown = [p for p in points if _finite(p) and projection.contains(p.lon, p.lat)]
    parts = ["Map"]
    if shading:
        top = sorted(shading.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        names = {code: s.name for code, s in shapes().items()}
        listed = ", ".join(f"{names.get(code, code)} {format_number(v)}" for code, v in top)
        parts.append(f"shading {len(shading)} countries (highest: {listed})")
    if shown:
        top_points = sorted(shown, key=lambda p: -p.value)[:5]
        listed = ", ".join(f"{p.label} {format_number(p.value)}" for p in top_points)
        parts.append(f"{len(shown)} places (largest: {listed})")
    return "; ".join(parts) + "."
