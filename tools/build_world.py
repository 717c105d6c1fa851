"""Derive ``src/interdict/data/world.json`` from Natural Earth via the npm package ``world-atlas``.

Dev-time only: the app never runs this and never touches the network. It is kept so the
shipped shapes can be rebuilt and audited (see ``src/interdict/data/WORLD_SOURCE.md``).

Usage::

    mkdir -p /tmp/wa && cd /tmp/wa && npm install world-atlas@2.0.2 topojson-client@3.1.0 \\
        topojson-simplify@3.0.3
    .venv/bin/python tools/build_world.py --modules /tmp/wa/node_modules

Steps: node simplifies the 1:50m TopoJSON topology-preservingly (shared borders stay shared,
so neighbours never gap or overlap) and writes GeoJSON features; Python maps the ISO 3166-1
numeric ids to alpha-2 with pycountry, rounds to 2 decimals (about 1 km), drops repeated
points and specks, and writes compact JSON.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pycountry

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "interdict" / "data" / "world.json"

# Features Natural Earth ships without an ISO 3166-1 numeric id. Keyed by their NE name.
# "XK" is the user-assigned code that the EU, IMF and SWIFT use for Kosovo.
MERGE_INTO = {"Somaliland": "SO", "N. Cyprus": "CY"}
OWN_CODE = {"Kosovo": ("XK", "Kosovo")}
# Short names where pycountry has only the formal one; a map label must fit inside the country.
SHORT_NAMES = {
    "BN": "Brunei",
    "CD": "DR Congo",
    "FM": "Micronesia",
    "PS": "Palestine",
    "RU": "Russia",
    "SH": "Saint Helena",
    "VG": "British Virgin Islands",
    "VI": "US Virgin Islands",
}
# Drawn unshaded, with their own name, because no country code fits them.
UNCODED = {"Siachen Glacier", "Indian Ocean Ter."}
# Asia, Russia and Oceania (lon_min, lat_min, lon_max, lat_max) keep more detail than the rest of
# the world, which the platform's maps rarely show up close.
FOCUS = (25.0, -50.0, 180.0, 82.0)

NODE_SCRIPT = r"""
const dir = process.argv[1];
const atlas = require(dir + "/world-atlas/countries-50m.json");
const client = require(dir + "/topojson-client");
const simp = require(dir + "/topojson-simplify");
const minWeight = Number(process.argv[2]);
const worldWeight = Number(process.argv[3]);
const [x0, y0, x1, y1] = JSON.parse(process.argv[4]);
let topo = simp.presimplify(atlas);
// Arcs that never enter the focus box are simplified harder. Scaling a whole arc keeps each
// shared border identical on both sides, so the topology still holds.
const inFocus = ([x, y]) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const damp = minWeight / worldWeight;
for (const arc of topo.arcs) {
  if (!arc.some(inFocus)) for (const p of arc) if (isFinite(p[2])) p[2] *= damp;
}
topo = simp.simplify(topo, minWeight);
const out = topo.objects.countries.geometries.map(g => {
  const f = client.feature(topo, g);
  return {id: g.id ?? null, name: g.properties.name, geometry: f.geometry};
});
process.stdout.write(JSON.stringify(out));
"""

Ring = list[list[float]]


def run_node(modules: Path, min_weight: float, world_weight: float) -> list[dict[str, Any]]:
    """Simplify in node, where topology-preserving simplification is available."""
    focus = json.dumps(list(FOCUS))
    done = subprocess.run(
        ["node", "-e", NODE_SCRIPT, str(modules), str(min_weight), str(world_weight), focus],
        check=True,
        capture_output=True,
        text=True,
    )
    features: list[dict[str, Any]] = json.loads(done.stdout)
    return features


def rings_of(geometry: dict[str, Any] | None) -> list[list[list[float]]]:
    """All rings (outer and holes) of a Polygon or MultiPolygon; holes render via even-odd fill."""
    if not geometry:
        return []
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def jumps(ring: Ring) -> list[int]:
    """Indexes i where the edge ring[i] -> ring[i + 1] crosses the antimeridian."""
    return [i for i, (a, b) in enumerate(itertools.pairwise(ring)) if abs(a[0] - b[0]) > 180]


def split_antimeridian(ring: Ring) -> list[Ring]:
    """Rings a flat map can fill: cut a ring that crosses lon 180 in two; close a polar one.

    world-atlas is made for spherical projections, so Russia's Chukotka and Fiji run across the
    antimeridian and Antarctica circles the pole. In plate carree those would draw a band across
    the whole map.
    """
    crossings = jumps(ring)
    if not crossings:
        return [ring]
    if len(crossings) % 2 == 1:  # encircles a pole: run along the map edge through it
        i = crossings[0]
        pole = -90.0 if ring[i][1] < 0 else 90.0
        side = 180.0 if ring[i][0] > 0 else -180.0
        return [[*ring[: i + 1], [side, pole], [-side, pole], *ring[i + 1 :]]]
    unwrapped = [list(ring[0])]
    for lon, lat in ring[1:]:
        previous = unwrapped[-1][0]
        lon += 360 * round((previous - lon) / 360)
        unwrapped.append([lon, lat])
    if max(p[0] for p in unwrapped) > 180:  # started east of the line: the overhang is far west
        inside, overhang, shift = clip(unwrapped, 180, below=True), clip(unwrapped, 180, below=False), -360
    else:  # started west of the line: the overhang is far east
        inside, overhang, shift = clip(unwrapped, -180, below=False), clip(unwrapped, -180, below=True), 360
    moved = [[lon + shift, lat] for lon, lat in overhang]
    return [part for part in (inside, moved) if len(part) >= 4]


def clip(ring: Ring, cut: float, *, below: bool) -> Ring:
    """Sutherland-Hodgman: the part of a closed ring on one side of the meridian ``cut``."""

    def keep(point: list[float]) -> bool:
        return point[0] <= cut if below else point[0] >= cut

    out: Ring = []
    for a, b in itertools.pairwise(ring):
        if keep(a):
            out.append(a)
        if keep(a) != keep(b):
            t = (cut - a[0]) / (b[0] - a[0])
            out.append([cut, a[1] + t * (b[1] - a[1])])
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def ring_area(ring: Ring) -> float:
    """Shoelace area in square degrees, to drop specks smaller than the rounding grid."""
    total = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def clean_ring(ring: list[list[float]]) -> Ring | None:
    """Round to 2 decimals, drop repeated points, keep only rings that still enclose something."""
    out: Ring = []
    for lon, lat in ring:
        point = [round(lon, 2), round(lat, 2)]
        if not out or out[-1] != point:
            out.append(point)
    if out and out[0] != out[-1]:
        out.append(out[0])
    if len(out) < 4 or ring_area(out) < 0.0004:
        return None
    return out


def country_key(feature: dict[str, Any]) -> tuple[str, str] | None:
    """(alpha-2, display name) for a feature, or None when it has no country code."""
    name = feature["name"]
    if name in MERGE_INTO:
        code = MERGE_INTO[name]
        return code, display_name(code)
    if name in OWN_CODE:
        return OWN_CODE[name]
    if feature["id"] is None:
        return None
    country = pycountry.countries.get(numeric=feature["id"])
    if country is None:
        return None
    return country.alpha_2, display_name(country.alpha_2)


def display_name(alpha2: str) -> str:
    """Short English name: pycountry's common name where it has one (\"Laos\", not the formal name)."""
    if alpha2 in SHORT_NAMES:
        return SHORT_NAMES[alpha2]
    country = pycountry.countries.get(alpha_2=alpha2)
    if country is None:
        raise ValueError(f"no ISO 3166-1 country {alpha2!r}")
    return str(getattr(country, "common_name", None) or country.name)


def group(features: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Cleaned rings per alpha-2 code, plus the areas without a code."""
    countries: dict[str, dict[str, Any]] = {}
    areas: list[dict[str, Any]] = []
    for feature in features:
        pieces = [piece for ring in rings_of(feature["geometry"]) for piece in split_antimeridian(ring)]
        rings = [r for r in (clean_ring(piece) for piece in pieces) if r]
        if not rings:
            continue
        key = country_key(feature)
        if key is None:
            areas.append({"name": feature["name"], "rings": rings})
            continue
        code, name = key
        countries.setdefault(code, {"name": name, "rings": []})["rings"].extend(rings)
    return countries, areas


def build(
    simplified: list[dict[str, Any]], raw: list[dict[str, Any]], min_weight: float, world_weight: float
) -> dict[str, Any]:
    """Simplified shapes; a small island state that simplification erased comes back unsimplified.

    Island states share no border, so taking their raw rings cannot open a gap between neighbours.
    """
    countries, areas = group(simplified)
    full, _ = group(raw)
    for code, shape in full.items():
        countries.setdefault(code, shape)
    return {
        "about": (
            "Country shapes from Natural Earth 4.1.0 1:50m (public domain) via world-atlas 2.0.2 (ISC), "
            f"simplified (min weight {min_weight} square degrees inside lon/lat box {list(FOCUS)}, "
            f"{world_weight} elsewhere) and rounded to 2 decimals; "
            "keys are ISO 3166-1 alpha-2; rings are [lon, lat]. See WORLD_SOURCE.md."
        ),
        "built": date.today().isoformat(),
        "countries": dict(sorted(countries.items())),
        "areas": areas,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=Path, required=True, help="node_modules holding world-atlas")
    parser.add_argument("--min-weight", type=float, default=0.006, help="threshold in the focus box")
    parser.add_argument("--world-weight", type=float, default=0.05, help="threshold elsewhere")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    simplified = run_node(args.modules, args.min_weight, args.world_weight)
    raw = run_node(args.modules, 0.0, 1.0)
    world = build(simplified, raw, args.min_weight, args.world_weight)
    args.out.write_text(json.dumps(world, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
