"""The offline world map (``interdict.io.worldmap``) and the shapes it ships (``data/world.json``).

Maps carry user-typed labels, so most tests parse the SVG and look at what a browser would see:
the elements, their titles and texts. ``svg`` parses; ``titles`` lists the hover titles.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from importlib import resources

import pycountry
import pytest

from interdict.io.worldmap import (
    ASIA,
    MAX_RADIUS,
    NO_VALUE,
    PALETTE,
    MapPoint,
    Projection,
    country_bbox,
    default_bbox,
    render_map,
    shapes,
)

NS = "{http://www.w3.org/2000/svg}"
LAEM = MapPoint(13.08, 100.89, 500.0, "Laem Chabang")
KARACHI = MapPoint(24.84, 66.98, 1200.0, "Karachi")
MAE_SAI = MapPoint(20.43, 99.88, 80.0, "Mae Sai")


def svg(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{NS}svg"
    return root


def titles(root: ET.Element, tag: str) -> list[str]:
    """The hover titles of every ``tag`` element (path, circle)."""
    return [el.findtext(f"{NS}title") or "" for el in root.iter(f"{NS}{tag}")]


def circle_radius(root: ET.Element, label_prefix: str) -> float:
    for el in root.iter(f"{NS}circle"):
        if (el.findtext(f"{NS}title") or "").startswith(label_prefix):
            return float(el.get("r", "0"))
    raise AssertionError(f"no circle titled {label_prefix!r}")


# --- the shipped shapes ---------------------------------------------------------------------------


def test_world_json_is_small_and_keyed_by_iso_codes() -> None:
    data = resources.files("interdict.data").joinpath("world.json").read_bytes()
    assert len(data) < 400 * 1024
    codes = [c for c in shapes() if not c.startswith("_")]
    assert len(codes) > 200
    unknown = [c for c in codes if pycountry.countries.get(alpha_2=c) is None]
    assert unknown == ["XK"]  # Kosovo: user-assigned code, documented in WORLD_SOURCE.md


def test_region_of_interest_is_all_there() -> None:
    golden_triangle = ["MM", "LA", "TH", "CN", "VN", "KH"]
    crescent_and_central_asia = ["AF", "PK", "IR", "TJ", "UZ", "KG", "KZ", "TM", "RU", "IN"]
    hubs = ["HK", "MO", "SG", "MY", "PH", "ID", "AU", "BD", "LK", "AE"]
    wanted = golden_triangle + crescent_and_central_asia + hubs
    assert [c for c in wanted if c not in shapes()] == []


def test_rings_are_closed_and_rounded() -> None:
    for shape in shapes().values():
        for ring in shape.rings:
            assert ring[0] == ring[-1] and len(ring) >= 4
            assert all(round(v, 2) == v for point in ring for v in point)


def test_no_ring_jumps_across_the_antimeridian() -> None:
    """A jump from lon 180 to -180 would draw a band across the whole map (only the pole edge may)."""
    for shape in shapes().values():
        for ring in shape.rings:
            for a, b in itertools.pairwise(ring):
                assert abs(a[0] - b[0]) <= 180 or abs(a[1]) == abs(b[1]) == 90, shape.code


def test_country_bbox() -> None:
    box = country_bbox("th")
    assert box is not None
    lon0, lat0, lon1, lat1 = box
    assert 97 < lon0 < 98.5 and 105 < lon1 < 106 and 5 < lat0 < 6.5 and 20 < lat1 < 21
    assert country_bbox("ZZ") is None


# --- projection and defaults ----------------------------------------------------------------------


def test_projection_maps_the_box_to_the_frame() -> None:
    proj = Projection.fit((90.0, 5.0, 130.0, 25.0), 800)
    assert proj(90.0, 25.0) == (0.0, 0.0)
    x, y = proj(130.0, 5.0)
    assert math.isclose(x, 800) and math.isclose(y, proj.height)
    # cos(15 deg) correction: a degree of longitude is narrower than a degree of latitude
    assert math.isclose(proj.height, 800 * 20 / (40 * math.cos(math.radians(15))))


def test_extreme_boxes_are_widened_not_distorted() -> None:
    proj = Projection.fit((99.0, 0.0, 101.0, 40.0), 800)
    assert proj.height <= 800 * 0.9 + 1e-6
    assert proj.bbox[0] < 99.0 and proj.bbox[2] > 101.0


def test_default_bbox() -> None:
    assert default_bbox([]) == ASIA
    lon0, lat0, lon1, lat1 = default_bbox([LAEM, KARACHI])
    assert lon0 < 66.98 and lon1 > 100.89 and lat0 < 13.08 and lat1 > 24.84
    assert default_bbox([MapPoint(math.nan, 0.0, 1.0, "x")]) == ASIA


@pytest.mark.parametrize(
    "bbox",
    [(10.0, 0.0, 5.0, 10.0), (0.0, 10.0, 10.0, 10.0), (0.0, -95.0, 10.0, 0.0), (0.0, 0.0, math.inf, 1.0)],
)
def test_bad_bbox_is_refused(bbox: tuple[float, float, float, float]) -> None:
    with pytest.raises(ValueError, match="bbox"):
        render_map(bbox=bbox, title="t")


# --- rendering ------------------------------------------------------------------------------------


def test_map_is_accessible_svg() -> None:
    root = svg(render_map([LAEM], title="Seizures 2025", desc="Seizures by port"))
    assert root.get("role") == "img"
    assert root.findtext(f"{NS}title") == "Seizures 2025"
    assert root.findtext(f"{NS}desc") == "Seizures by port"
    labelled = (root.get("aria-labelledby") or "").split()
    ids = {el.get("id") for el in root.iter()}
    assert labelled and all(i in ids for i in labelled)
    assert not list(root.iter(f"{NS}script")) and not list(root.iter(f"{NS}foreignObject"))


def test_empty_map_shows_asia_with_country_names() -> None:
    root = svg(render_map(title="Asia"))
    names = titles(root, "path")
    assert {"Thailand", "Myanmar", "Laos", "Afghanistan", "Tajikistan"} <= set(names)
    assert "Brazil" not in names  # countries outside the view are not drawn at all
    assert root.findtext(f"{NS}desc")  # a description is generated when none is given


def test_user_labels_are_escaped() -> None:
    evil = MapPoint(13.0, 100.0, 5.0, '<script>alert("x")</script> & "q"\x00\x1b')
    text = render_map([evil, LAEM], title="<b>title</b>", desc="a & b")
    root = svg(text)
    assert "<script>" not in text and "<b>" not in text
    assert not list(root.iter(f"{NS}script"))
    assert any(t.startswith('<script>alert("x")</script> & "q"') for t in titles(root, "circle"))
    assert root.findtext(f"{NS}title") == "<b>title</b>"


def test_points_outside_the_view_or_not_finite_are_skipped() -> None:
    far = MapPoint(51.5, -0.1, 10.0, "London")
    bad = MapPoint(13.0, 100.0, math.inf, "Infinite")
    root = svg(render_map([LAEM, MAE_SAI, far, bad], bbox=(95.0, 5.0, 110.0, 25.0), title="t"))
    labels = [t.split(":")[0] for t in titles(root, "circle")]
    assert sorted(labels) == ["Laem Chabang", "Mae Sai"]


def test_circle_area_tracks_value_and_is_capped() -> None:
    quarter = MapPoint(20.0, 100.0, 300.0, "quarter")
    root = svg(render_map([MapPoint(15.0, 100.0, 1200.0, "full"), quarter], title="t"))
    assert circle_radius(root, "full") == MAX_RADIUS
    assert math.isclose(circle_radius(root, "quarter"), MAX_RADIUS / 2, abs_tol=0.1)


def test_shading_fills_countries_and_draws_a_legend() -> None:
    root = svg(render_map(shade={"mm": 900.0, "TH": 120.0, "AF": 400.0, "QQ": 5.0}, title="t"))
    fills = {(el.findtext(f"{NS}title") or "").split(":")[0]: el.get("fill") for el in root.iter(f"{NS}path")}
    assert fills["Myanmar"] == PALETTE[-1]
    assert fills["Thailand"] == PALETTE[0]
    assert fills["Afghanistan"] == PALETTE[2]
    assert fills["India"] == NO_VALUE
    assert "Myanmar: 900" in titles(root, "path")
    legend = [el.text for el in root.iter(f"{NS}text")]
    assert "0–200" in legend and "800–1,000" in legend
    swatches = [el for el in root.iter(f"{NS}rect") if el.get("fill") in PALETTE]
    assert len(swatches) == 5


def test_output_is_deterministic_and_ids_differ_between_maps() -> None:
    one = render_map([LAEM, KARACHI], {"TH": 1.0}, title="a")
    assert one == render_map([LAEM, KARACHI], {"TH": 1.0}, title="a")
    other = render_map([LAEM], title="b")
    assert svg(one).get("aria-labelledby") != svg(other).get("aria-labelledby")


def test_largest_points_get_visible_labels() -> None:
    root = svg(render_map([LAEM, MAE_SAI], title="t"))
    texts = [el.text for el in root.iter(f"{NS}text")]
    assert "Laem Chabang" in texts and "Mae Sai" in texts
