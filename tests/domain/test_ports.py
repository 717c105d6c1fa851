"""The ports catalogue (``interdict.domain.ports``): its data checked row by row, and its look-ups.

The data checks hold every row to the code scheme in ``ports.json`` and to the world map: a port
must lie in (or, for a coast, just off) its own country, and a border crossing must also lie near
the neighbour it names. Look-ups are pinned in case tables, one row per behaviour.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

import pycountry
import pytest

from interdict.domain.ports import LOCATION_TYPE_LABELS, LocationType, Port, Ports, ports
from interdict.io.worldmap import country_bbox, shapes

ALL = list(ports())
CROSSINGS = [p for p in ALL if p.kind is LocationType.BORDER_CROSSING]
NEAR_OWN_KM = 20.0  # simplified coastlines and borders are off by a few km; ports are approximate too
NEAR_NEIGHBOUR_KM = 30.0
BBOX_SLACK_DEG = 0.5  # about 50 km

LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
IATA = re.compile(r"^IATA:[A-Z]{3}$")
XING = re.compile(r"^XING:(?P<cc>[A-Z]{2})-(?P<cp>[A-Z]{2})-[A-Z0-9]+$")
SITE = re.compile(r"^SITE:(?P<cc>[A-Z]{2})-[A-Z0-9]+$")


def port(code: str = "THLCH", name: str = "Laem Chabang", country: str = "TH", **kw: object) -> Port:
    """A catalogue row with only the fields a test cares about."""
    fields: dict[str, object] = {
        "names_local": (),
        "kind": LocationType.SEAPORT,
        "lat": 13.08,
        "lon": 100.89,
        "counterpart_country": None,
        "source": "test",
    }
    fields.update(kw)
    return Port(code=code, name=name, country=country, **fields)  # type: ignore[arg-type]


def km_to_shape(code: str, lat: float, lon: float) -> float:
    """Distance from a point to a country's outline (0 inside), flat-earth at the point's latitude."""
    rings = shapes()[code].rings
    if sum(_inside(lon, lat, ring) for ring in rings) % 2:
        return 0.0
    k = math.cos(math.radians(lat))
    best = math.inf
    for ring in rings:
        for (x1, y1), (x2, y2) in itertools.pairwise(ring):
            ax, ay, bx, by = (x1 - lon) * k, y1 - lat, (x2 - lon) * k, y2 - lat
            dx, dy = bx - ax, by - ay
            t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
            best = min(best, math.hypot(ax + t * dx, ay + t * dy) * 111.2)
    return best


def _inside(x: float, y: float, ring: tuple[tuple[float, float], ...]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


# --- the data, row by row -----------------------------------------------------------------------


def test_catalogue_size_and_coverage() -> None:
    assert 80 <= len(ALL) <= 200
    kinds = {p.kind for p in ALL}
    assert kinds == set(LocationType) - {LocationType.INLAND}
    for cc in (
        "MM",
        "LA",
        "TH",
        "CN",
        "VN",
        "KH",
        "AF",
        "PK",
        "IR",
        "TJ",
        "UZ",
        "KG",
        "KZ",
        "TM",
        "RU",
        "IN",
    ):
        assert ports().in_country(cc), cc


def test_codes_are_unique_case_insensitively() -> None:
    codes = [p.code.casefold() for p in ALL]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("p", ALL, ids=lambda p: p.code)
def test_code_follows_the_scheme(p: Port) -> None:
    if p.code.startswith("IATA:"):
        assert IATA.match(p.code) and p.kind is LocationType.AIRPORT
    elif p.code.startswith("XING:"):
        found = XING.match(p.code)
        assert found and p.kind is LocationType.BORDER_CROSSING
        assert (found["cc"], found["cp"]) == (p.country, p.counterpart_country)
    elif p.code.startswith("SITE:"):
        found = SITE.match(p.code)
        assert found and found["cc"] == p.country
    else:
        assert LOCODE.match(p.code) and p.code[:2] == p.country


@pytest.mark.parametrize("p", ALL, ids=lambda p: p.code)
def test_row_is_well_formed(p: Port) -> None:
    assert pycountry.countries.get(alpha_2=p.country) is not None
    assert p.kind is not LocationType.INLAND
    assert -90 <= p.lat <= 90 and -180 <= p.lon <= 180
    assert p.name.strip() == p.name and p.name
    assert p.source
    assert all(n.strip() for n in p.names_local)
    if p.kind is LocationType.BORDER_CROSSING:
        assert p.counterpart_country and p.counterpart_country != p.country
    elif p.kind is not LocationType.RIVER_PORT:
        assert p.counterpart_country is None
    if p.counterpart_country:
        assert pycountry.countries.get(alpha_2=p.counterpart_country) is not None


@pytest.mark.parametrize("p", ALL, ids=lambda p: p.code)
def test_port_lies_in_its_countrys_bounding_box(p: Port) -> None:
    box = country_bbox(p.country)
    assert box is not None
    lon0, lat0, lon1, lat1 = box
    slack = BBOX_SLACK_DEG if p.kind is LocationType.BORDER_CROSSING else 0.15
    assert lon0 - slack <= p.lon <= lon1 + slack
    assert lat0 - slack <= p.lat <= lat1 + slack


@pytest.mark.parametrize("p", ALL, ids=lambda p: p.code)
def test_port_lies_in_or_just_off_its_country(p: Port) -> None:
    assert km_to_shape(p.country, p.lat, p.lon) <= NEAR_OWN_KM


@pytest.mark.parametrize("p", CROSSINGS, ids=lambda p: p.code)
def test_crossing_lies_near_its_neighbour(p: Port) -> None:
    assert p.counterpart_country
    assert km_to_shape(p.counterpart_country, p.lat, p.lon) <= NEAR_NEIGHBOUR_KM


def test_location_types_have_labels() -> None:
    assert set(LOCATION_TYPE_LABELS) == set(LocationType)
    assert LocationType("postal_hub").label == "Postal or courier hub"


# --- look-ups --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolveCase:
    id: str
    text: str
    country: str | None
    expected: str | None


RESOLVE_CASES = [
    ResolveCase("locode", "THLCH", None, "THLCH"),
    ResolveCase("code any case", "pkkhi", None, "PKKHI"),
    ResolveCase("code with spaces", "  iata:bkk ", None, "IATA:BKK"),
    ResolveCase("crossing code", "XING:TH-MM-MAESAI", None, "XING:TH-MM-MAESAI"),
    ResolveCase("name casefolded", "laem chabang", None, "THLCH"),
    ResolveCase("name in country", "Laem Chabang", "th", "THLCH"),
    ResolveCase("name, other country", "Laem Chabang", "MY", None),
    ResolveCase("code, other country", "THLCH", "MY", None),
    ResolveCase("local name", "磨憨", None, "CNMHN"),
    ResolveCase("local name, Cyrillic", "шереметьево", None, "IATA:SVO"),
    ResolveCase("label form", "Laem Chabang (THLCH)", None, "THLCH"),
    ResolveCase("shared name is ambiguous", "Torkham", None, None),
    ResolveCase("shared name with country", "Torkham", "AF", "AFRKH"),
    ResolveCase("misspelt name is not guessed", "Laem Chabng", None, None),
    ResolveCase("unknown", "Atlantis", None, None),
    ResolveCase("empty", "", None, None),
]


@pytest.mark.parametrize("case", RESOLVE_CASES, ids=lambda c: c.id)
def test_resolve(case: ResolveCase) -> None:
    found = ports().resolve(case.text, case.country)
    assert (found.code if found else None) == case.expected


@dataclass(frozen=True)
class SuggestCase:
    id: str
    text: str
    country: str | None
    first: str | None


SUGGEST_CASES = [
    SuggestCase("misspelt name", "Laem Chabng", None, "Laem Chabang (THLCH)"),
    SuggestCase("misspelt crossing", "Tachilek", None, "Tachileik (XING:MM-TH-TACHILEIK)"),
    SuggestCase("misspelt code", "PKKHl", None, "Karachi Port (PKKHI)"),
    SuggestCase("transliteration", "Sheremetevo", None, "Moscow Sheremetyevo (IATA:SVO)"),
    SuggestCase("in country", "Torkam", "PK", "Torkham (PKTOR)"),
    SuggestCase("nothing close", "zzzz", None, None),
]


@pytest.mark.parametrize("case", SUGGEST_CASES, ids=lambda c: c.id)
def test_suggest(case: SuggestCase) -> None:
    found = ports().suggest(case.text, case.country)
    assert (found[0] if found else None) == case.first
    assert len(found) <= 3


def test_suggest_offers_every_close_match_up_to_n() -> None:
    assert ports().suggest("Moscow", n=2) == [
        "Moscow Domodedovo (IATA:DME)",
        "Moscow Sheremetyevo (IATA:SVO)",
    ]
    assert set(ports().suggest("Torkam")) == {"Torkham (AFRKH)", "Torkham (PKTOR)"}


def test_suggestions_resolve_back() -> None:
    for label in ports().suggest("Bangkok"):
        assert ports().resolve(label) is not None


def test_get_and_in_country() -> None:
    assert ports().get("NOPE1") is None
    laem = ports().get("thlch")
    assert laem is not None and laem.name == "Laem Chabang" and laem.kind is LocationType.SEAPORT
    assert all(p.country == "TJ" for p in ports().in_country("tj"))
    assert {p.code for p in ports().in_country("TJ")} >= {"IATA:DYU", "XING:TJ-AF-NIZHNYPANJ"}


def test_catalogue_refuses_duplicate_codes() -> None:
    with pytest.raises(ValueError, match="unique"):
        Ports([port("THLCH"), port("thlch", name="Other")])


def test_small_catalogue_from_factory() -> None:
    catalogue = Ports([port(), port("XING:TH-MM-MAESAI", "Mae Sai", kind=LocationType.BORDER_CROSSING)])
    assert len(catalogue) == 2
    assert [p.code for p in catalogue] == ["THLCH", "XING:TH-MM-MAESAI"]
    assert catalogue.resolve("mae sai") == catalogue.get("XING:TH-MM-MAESAI")
